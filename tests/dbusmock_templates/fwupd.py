"""python-dbusmock template for fwupd (org.freedesktop.fwupd at /, src/org.freedesktop.fwupd.xml).

Properties: DaemonVersion, HostProduct, HostMachineId, HostSecurityId, Tainted, Interactive, Status,
Percentage. Methods: GetDevices and GetHostSecurityAttrs (aa{sv} with fwupd's own keys and types:
Flags t, UpdateState u, Guid as; AppstreamId s, HsiLevel u, HsiResult u, Flags t). The default
devices and HSI attributes model a ThinkPad as `fwupdmgr get-devices` and `fwupdmgr security` show one.

Parameters: "Delay" (seconds GetDevices sleeps before answering: a busy or hung daemon),
"HsiError" (a D-Bus error name GetHostSecurityAttrs answers with, e.g. org.freedesktop.fwupd.NotSupported),
"NoDevices" (GetDevices answers org.freedesktop.fwupd.NothingToDo, as fwupd does without devices).
"""

import time

import dbus
from dbusmock import MOCK_IFACE

BUS_NAME = "org.freedesktop.fwupd"
MAIN_OBJ = "/"
MAIN_IFACE = "org.freedesktop.fwupd"
SYSTEM_BUS = True

# FwupdDeviceFlags bits (libfwupd/fwupd-enums.h)
INTERNAL, UPDATABLE, ONLY_OFFLINE, REQUIRE_AC, LOCKED, SUPPORTED = (1 << i for i in range(6))
REGISTERED, NEEDS_REBOOT, CAN_VERIFY, DUAL_IMAGE = 1 << 7, 1 << 8, 1 << 25, 1 << 27
# FwupdSecurityAttrFlags bits (libfwupd/fwupd-security-attr.h)
SUCCESS, RUNTIME_ISSUE, CONTACT_OEM, CONFIG_OS = 1 << 0, 1 << 10, 1 << 11, 1 << 13
# FwupdSecurityAttrResult values
ENABLED, NOT_ENABLED, LOCKED_R, FOUND, NOT_TAINTED, NOT_SUPPORTED = 1, 2, 5, 11, 10, 14

DEVICES = [
    {
        "DeviceId": "6f45a8d5ce31d1d8be4c9e4b2cc8c52a4b7c9a0e", "Name": "System Firmware", "Vendor": "LENOVO",
        "Version": "0.1.48", "VersionLowest": "0.1.40", "Plugin": "uefi_capsule", "Protocol": "org.uefi.capsule",
        "Summary": "UEFI ESRT device", "Flags": INTERNAL | UPDATABLE | REQUIRE_AC | SUPPORTED | REGISTERED
        | NEEDS_REBOOT, "UpdateState": 2, "Guid": ["a4d5e7c0-3a4b-5c6d-8e9f-0a1b2c3d4e5f"],
    },
    {
        "DeviceId": "362301da643102b9f38477387e2193e57abaa590", "Name": "UEFI dbx", "Vendor": "Microsoft",
        "Version": "371", "Plugin": "uefi_dbx", "Summary": "UEFI revocation database",
        "ParentDeviceId": "6f45a8d5ce31d1d8be4c9e4b2cc8c52a4b7c9a0e",
        "Flags": INTERNAL | UPDATABLE | ONLY_OFFLINE | SUPPORTED | REGISTERED | NEEDS_REBOOT | CAN_VERIFY,
        "UpdateState": 0, "Guid": ["f8ba2887-9411-5c36-9cee-88995bb39731"],
    },
    {
        "DeviceId": "03281da317dccd2b18de2bd1cc70a782df40ed7e", "Name": "Samsung SSD 980 PRO 1TB",
        "Vendor": "Samsung Electronics Co Ltd", "Version": "5B2QGXA7", "Plugin": "nvme",
        "Protocol": "org.nvmexpress", "Summary": "NVM Express solid state drive", "Serial": "S5GXNF0R123456X",
        "Flags": INTERNAL | UPDATABLE | REQUIRE_AC | REGISTERED | NEEDS_REBOOT | DUAL_IMAGE, "UpdateState": 0,
        "Guid": ["ed1b3b8c-a6e1-5bd2-8a0b-4f3c2d1e0f9a"],
    },
    {
        "DeviceId": "2e8a8a2b1a5bd1b7f3e4a9c0d8e7f6a5b4c3d2e1", "Name": "Intel Management Engine",
        "Vendor": "Intel", "Version": "16.1.25.1885", "Plugin": "intel_me", "Flags": INTERNAL | LOCKED,
        "UpdateState": 3, "UpdateError": "firmware update blocked by the platform", "Guid": [],
    },
]  # fmt: skip

SECURITY_ATTRS = [
    {"AppstreamId": "org.fwupd.hsi.Uefi.SecureBoot", "HsiLevel": 1, "HsiResult": ENABLED, "Flags": SUCCESS,
     "Name": "UEFI secure boot", "Summary": "UEFI secure boot", "Plugin": "uefi_capsule"},
    {"AppstreamId": "org.fwupd.hsi.Spi.Bioswe", "HsiLevel": 1, "HsiResult": NOT_ENABLED, "Flags": SUCCESS,
     "Name": "BIOS write enable", "Summary": "BIOS write enable", "Plugin": "pci_bcr"},
    {"AppstreamId": "org.fwupd.hsi.Tpm.Version20", "HsiLevel": 1, "HsiResult": FOUND, "Flags": SUCCESS,
     "Name": "TPM v2.0", "Summary": "TPM v2.0", "Plugin": "tpm"},
    {"AppstreamId": "org.fwupd.hsi.Mei.ManufacturingMode", "HsiLevel": 1, "HsiResult": LOCKED_R,
     "Flags": SUCCESS, "Name": "Intel Management Engine manufacturing mode", "Summary": "", "Plugin": "pci_mei"},
    {"AppstreamId": "org.fwupd.hsi.EncryptedRam", "HsiLevel": 4, "HsiResult": NOT_SUPPORTED,
     "Flags": CONTACT_OEM, "Name": "Encrypted RAM", "Summary": "Encrypted RAM", "Plugin": "cpu"},
    {"AppstreamId": "org.fwupd.hsi.Kernel.Tainted", "HsiLevel": 0, "HsiResult": NOT_TAINTED,
     "Flags": SUCCESS | RUNTIME_ISSUE, "Name": "Linux kernel", "Summary": "", "Plugin": "linux_tainted"},
    {"AppstreamId": "org.fwupd.hsi.Kernel.Lockdown", "HsiLevel": 0, "HsiResult": NOT_ENABLED,
     "Flags": RUNTIME_ISSUE | CONFIG_OS, "Name": "Linux kernel lockdown", "Summary": "",
     "Plugin": "linux_lockdown"},
]  # fmt: skip

_TYPES = {
    "Flags": dbus.UInt64, "UpdateState": dbus.UInt32, "HsiLevel": dbus.UInt32, "HsiResult": dbus.UInt32,
}  # fmt: skip


def _variant_dict(d):
    out = {}
    for k, v in d.items():
        if k in _TYPES:
            out[k] = _TYPES[k](v)
        elif isinstance(v, list):
            out[k] = dbus.Array([dbus.String(x) for x in v], signature="s")
        else:
            out[k] = dbus.String(v)
    return dbus.Dictionary(out, signature="sv")


def load(mock, parameters):
    mock.fw_delay = float(parameters.get("Delay", 0.0))
    mock.fw_hsi_error = str(parameters.get("HsiError", ""))
    mock.fw_devices = [] if parameters.get("NoDevices", False) else [dict(d) for d in DEVICES]
    mock.AddProperties(
        MAIN_IFACE,
        dbus.Dictionary(
            {
                "DaemonVersion": dbus.String(parameters.get("DaemonVersion", "1.9.16")),
                "HostProduct": dbus.String("ThinkPad T14 Gen 2i"),
                "HostMachineId": dbus.String("0123456789abcdef0123456789abcdef"),
                "HostSecurityId": dbus.String(parameters.get("HostSecurityId", "HSI:1! (v1.9.16)")),
                "Tainted": dbus.Boolean(False),
                "Interactive": dbus.Boolean(False),
                "Status": dbus.UInt32(1),
                "Percentage": dbus.UInt32(0),
            },
            signature="sv",
        ),
    )


@dbus.service.method(MAIN_IFACE, in_signature="", out_signature="aa{sv}")
def GetDevices(self):
    if self.fw_delay:
        time.sleep(self.fw_delay)  # blocks the mock's main loop, as a hung daemon would
    if not self.fw_devices:
        raise dbus.exceptions.DBusException("No detected devices", name="org.freedesktop.fwupd.NothingToDo")
    return dbus.Array([_variant_dict(d) for d in self.fw_devices], signature="a{sv}")


@dbus.service.method(MAIN_IFACE, in_signature="", out_signature="aa{sv}")
def GetHostSecurityAttrs(self):
    if self.fw_hsi_error:
        raise dbus.exceptions.DBusException("HSI not supported on this machine", name=self.fw_hsi_error)
    return dbus.Array([_variant_dict(a) for a in SECURITY_ATTRS], signature="a{sv}")


@dbus.service.method(MOCK_IFACE, in_signature="a{sv}", out_signature="")
def AddDevice(self, device):
    """A device appears (a dock is plugged in): fwupd emits DeviceAdded and Changed."""
    plain = {str(k): (list(v) if isinstance(v, dbus.Array) else v) for k, v in device.items()}
    self.fw_devices.append(plain)
    self.EmitSignal(MAIN_IFACE, "DeviceAdded", "a{sv}", [_variant_dict(plain)])
    self.EmitSignal(MAIN_IFACE, "Changed", "", [])
