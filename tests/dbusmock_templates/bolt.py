"""python-dbusmock template for boltd (org.freedesktop.bolt, interface version 1, as bolt 0.9 serves it).

Manager /org/freedesktop/bolt (org.freedesktop.bolt1.Manager): Version u, Probing b, DefaultPolicy s,
SecurityLevel s, AuthMode s, PowerState s; ListDevices() -> ao, ListDomains() -> ao, DeviceByUid(s) -> o.
Devices /org/freedesktop/bolt/devices/<uid with _> (org.freedesktop.bolt1.Device): Uid, Name, Vendor,
Generation u, Type, Status, AuthFlags, Parent, SysfsPath, Domain, Label, ConnectTime t, AuthorizeTime t,
StoreTime t, LinkSpeed a{su}, Stored b, Policy, Key. One domain (org.freedesktop.bolt1.Domain).

Parameters: "Devices" (a list of dicts with the Device properties above, missing ones defaulted),
"SecurityLevel", "AuthMode". The default devices are real ones as ``boltctl`` printed them in public
reports: two Lenovo ThinkPad Thunderbolt 3 Docks (fwupd issue 3999: one stored and disconnected, one
connected but not authorised) and a Razer Core (hardinfo issue 649, authorised).
"""

import dbus

BUS_NAME = "org.freedesktop.bolt"
MAIN_OBJ = "/org/freedesktop/bolt"
MAIN_IFACE = "org.freedesktop.bolt1.Manager"
DEVICE_IFACE = "org.freedesktop.bolt1.Device"
DOMAIN_IFACE = "org.freedesktop.bolt1.Domain"
SYSTEM_BUS = True

DOMAIN_UID = "ce010000-00b0-af18-a3b9-b41c30323923"
DEFAULT_DEVICES = [
    {"Uid": "00b2795c-1ccb-0801-ffff-ffffffffffff", "Name": "ThinkPad Thunderbolt 3 Dock", "Vendor": "Lenovo",
     "Status": "disconnected", "Stored": True, "Policy": "iommu", "Key": "missing", "Generation": 3},
    {"Uid": "006f79a1-3f9d-0801-ffff-ffffffffffff", "Name": "ThinkPad Thunderbolt 3 Dock", "Vendor": "Lenovo",
     "Status": "connected", "Stored": True, "Policy": "iommu", "Key": "missing", "Generation": 3,
     "SysfsPath": "/sys/devices/pci0000:00/0000:00:1c.4/0000:05:00.0/0000:06:00.0/0000:07:00.0/domain0/0-0/0-1",
     "LinkSpeed": {"rx.speed": 10, "rx.lanes": 2, "tx.speed": 10, "tx.lanes": 2}},
    {"Uid": "c0030000-00a2-8508-2219-f4d4d2c1a918", "Name": "Core", "Vendor": "Razer", "Status": "authorized",
     "Stored": True, "Policy": "iommu", "Key": "missing", "Generation": 3,
     "LinkSpeed": {"rx.speed": 20, "rx.lanes": 2, "tx.speed": 20, "tx.lanes": 2}},
]  # fmt: skip


def _path(uid):
    return f"/org/freedesktop/bolt/devices/{uid.replace('-', '_')}"


def _device_props(d, domain_path):
    speed = d.get("LinkSpeed", {})
    return dbus.Dictionary(
        {
            "Uid": dbus.String(d["Uid"]),
            "Name": dbus.String(d.get("Name", "")),
            "Vendor": dbus.String(d.get("Vendor", "")),
            "Generation": dbus.UInt32(d.get("Generation", 3)),
            "Type": dbus.String(d.get("Type", "peripheral")),
            "Status": dbus.String(d.get("Status", "connected")),
            "AuthFlags": dbus.String(d.get("AuthFlags", "none")),
            "Parent": dbus.String(d.get("Parent", DOMAIN_UID)),
            "SysfsPath": dbus.String(d.get("SysfsPath", "")),
            "Domain": dbus.String(DOMAIN_UID if d.get("Status") != "disconnected" else ""),
            "Label": dbus.String(d.get("Label", f"{d.get('Vendor', '')} {d.get('Name', '')}".strip())),
            "ConnectTime": dbus.UInt64(d.get("ConnectTime", 1637074098)),
            "AuthorizeTime": dbus.UInt64(d.get("AuthorizeTime", 0)),
            "StoreTime": dbus.UInt64(d.get("StoreTime", 1631264031 if d.get("Stored") else 0)),
            "LinkSpeed": dbus.Dictionary({k: dbus.UInt32(v) for k, v in speed.items()}, signature="su"),
            "Stored": dbus.Boolean(d.get("Stored", False)),
            "Policy": dbus.String(d.get("Policy", "default")),
            "Key": dbus.String(d.get("Key", "missing")),
        },
        signature="sv",
    )


def load(mock, parameters):
    devices = parameters.get("Devices", DEFAULT_DEVICES)
    security = parameters.get("SecurityLevel", "user")
    domain_path = "/org/freedesktop/bolt/domains/" + DOMAIN_UID.replace("-", "_")
    mock.AddProperties(
        MAIN_IFACE,
        dbus.Dictionary(
            {
                "Version": dbus.UInt32(1),
                "Probing": dbus.Boolean(False),
                "DefaultPolicy": dbus.String("auto"),
                "SecurityLevel": dbus.String(security),
                "AuthMode": dbus.String(parameters.get("AuthMode", "enabled")),
                "PowerState": dbus.String("on"),
            },
            signature="sv",
        ),
    )
    paths = [_path(d["Uid"]) for d in devices]
    mock.AddMethods(
        MAIN_IFACE,
        [
            ("ListDevices", "", "ao", f"ret = dbus.Array({paths!r}, signature='o')"),
            ("ListDomains", "", "ao", f"ret = dbus.Array([{domain_path!r}], signature='o')"),
            ("DeviceByUid", "s", "o", "ret = dbus.ObjectPath('/org/freedesktop/bolt/devices/' + "
             "args[0].replace('-', '_'))"),
        ],
    )  # fmt: skip
    mock.AddObject(
        domain_path,
        DOMAIN_IFACE,
        {
            "Uid": dbus.String(DOMAIN_UID),
            "Id": dbus.String("domain0"),
            "SysfsPath": dbus.String(
                "/sys/devices/pci0000:00/0000:00:1c.4/0000:05:00.0/0000:06:00.0/0000:07:00.0/domain0"
            ),
            "SecurityLevel": dbus.String(security),
            "BootACL": dbus.Array([], signature="s"),
            "IOMMU": dbus.Boolean(True),
        },
        [],
    )
    for path, d in zip(paths, devices, strict=True):
        mock.AddObject(path, DEVICE_IFACE, _device_props(d, domain_path), [])
