"""What ``ethtool -i`` prints (driver, version, firmware version, bus) through the same ioctl, without root."""

from __future__ import annotations

import ctypes
import fcntl
import socket
from dataclasses import dataclass

SIOCETHTOOL = 0x8946
ETHTOOL_GDRVINFO = 0x00000003
IFNAMSIZ = 16


class _DrvInfo(ctypes.Structure):
    # include/uapi/linux/ethtool.h, struct ethtool_drvinfo
    _fields_ = [
        ("cmd", ctypes.c_uint32),
        ("driver", ctypes.c_char * 32),
        ("version", ctypes.c_char * 32),
        ("fw_version", ctypes.c_char * 32),
        ("bus_info", ctypes.c_char * 32),
        ("erom_version", ctypes.c_char * 32),
        ("reserved2", ctypes.c_char * 12),
        ("n_priv_flags", ctypes.c_uint32),
        ("n_stats", ctypes.c_uint32),
        ("testinfo_len", ctypes.c_uint32),
        ("eedump_len", ctypes.c_uint32),
        ("regdump_len", ctypes.c_uint32),
    ]


class _IfReq(ctypes.Structure):
    _fields_ = [("ifr_name", ctypes.c_char * IFNAMSIZ), ("ifr_data", ctypes.c_void_p), ("pad", ctypes.c_char * 16)]


@dataclass(frozen=True, slots=True)
class DriverInfo:
    interface: str
    driver: str
    version: str
    firmware_version: str | None
    bus_info: str | None


def _text(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace").strip()


def read_driver_info(interface: str) -> DriverInfo:
    """ETHTOOL_GDRVINFO on ``interface``; raises OSError (ENODEV when it is gone, EOPNOTSUPP, …)."""
    name = interface.encode()
    if not name or len(name) >= IFNAMSIZ or b"/" in name:
        raise OSError(19, f"not an interface name: {interface!r}")  # ENODEV
    info = _DrvInfo(cmd=ETHTOOL_GDRVINFO)
    req = _IfReq(ifr_name=name, ifr_data=ctypes.addressof(info))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        fcntl.ioctl(s.fileno(), SIOCETHTOOL, req)
    return DriverInfo(
        interface, _text(info.driver), _text(info.version), _text(info.fw_version) or None, _text(info.bus_info) or None
    )
