"""python-dbusmock template for switcheroo-control (net.hadess.SwitcherooControl, as of version 2.6).

Properties: HasDualGpu (b), NumGPUs (u) and GPUs (aa{sv}: Name s, Environment as (flat key/value
pairs), Default b, Discrete b). Parameters: "GPUs" to replace the default pair of GPUs (an Intel iGPU
as the default and an NVIDIA dGPU for PRIME render offload, as switcheroo-control reports such a laptop).
"""

import dbus
from dbusmock import MOCK_IFACE

BUS_NAME = "net.hadess.SwitcherooControl"
MAIN_OBJ = "/net/hadess/SwitcherooControl"
MAIN_IFACE = "net.hadess.SwitcherooControl"
SYSTEM_BUS = True

DEFAULT_GPUS = [
    {
        "Name": "Intel Corporation TigerLake-LP GT2 [Iris Xe Graphics]",
        "Environment": ["DRI_PRIME", "pci-0000_00_02_0"],
        "Default": True,
        "Discrete": False,
    },
    {
        "Name": "NVIDIA Corporation TU117M [GeForce GTX 1650 Mobile / Max-Q]",
        "Environment": [
            "__GLX_VENDOR_LIBRARY_NAME", "nvidia", "__NV_PRIME_RENDER_OFFLOAD", "1",
            "__VK_LAYER_NV_optimus", "NVIDIA_only",
        ],
        "Default": False,
        "Discrete": True,
    },
]  # fmt: skip


def _gpus(gpus):
    return dbus.Array(
        [
            dbus.Dictionary(
                {
                    "Name": dbus.String(g["Name"]),
                    "Environment": dbus.Array([dbus.String(x) for x in g["Environment"]], signature="s"),
                    "Default": dbus.Boolean(g["Default"]),
                    "Discrete": dbus.Boolean(g.get("Discrete", False)),
                },
                signature="sv",
            )
            for g in gpus
        ],
        signature="a{sv}",
    )


def load(mock, parameters):
    gpus = parameters.get("GPUs", DEFAULT_GPUS)
    mock.AddProperties(
        MAIN_IFACE,
        dbus.Dictionary(
            {
                "HasDualGpu": dbus.Boolean(len(gpus) > 1),
                "NumGPUs": dbus.UInt32(len(gpus)),
                "GPUs": _gpus(gpus),
            },
            signature="sv",
        ),
    )


@dbus.service.method(MOCK_IFACE, in_signature="aa{sv}", out_signature="")
def SetGPUs(self, gpus):
    """Replace the GPU list (a GPU was hot-plugged or unbound) and announce it with PropertiesChanged."""
    plain = [
        {"Name": str(g["Name"]), "Environment": [str(x) for x in g["Environment"]], "Default": bool(g["Default"]),
         "Discrete": bool(g.get("Discrete", False))}
        for g in gpus
    ]  # fmt: skip
    self.UpdateProperties(
        MAIN_IFACE,
        {
            "HasDualGpu": dbus.Boolean(len(plain) > 1),
            "NumGPUs": dbus.UInt32(len(plain)),
            "GPUs": _gpus(plain),
        },
    )
