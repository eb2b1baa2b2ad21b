"""Hotplug through real libudev: a USB-C charger plugged in under umockdev reaches the USB-C page.

Runs in the second pytest pass of `make test`, under umockdev-wrapper (LD_PRELOAD of libumockdev).
"""

from __future__ import annotations

import pytest

from tests.app.test_hotplug_umockdev import testbed, window  # noqa: F401 (fixtures)

pytestmark = pytest.mark.umockdev


def test_charger_plugged_into_a_port_reaches_the_usbc_page(window, testbed, qtbot) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    window.show()  # the page reads the live machine only while it is shown
    window.show_page("usbc")
    page = window.pages["usbc"]
    ctrl = "/sys/devices/platform/USBC000:00"  # the recording's UCSI controller; its ports were not recorded
    port = testbed.add_device(
        "typec", "typec/port0", ctrl,
        ["data_role", "host [device]", "power_role", "source [sink]", "usb_power_delivery_revision", "3.0"],
        ["DEVTYPE", "typec_port"],
    )  # fmt: skip
    qtbot.waitUntil(lambda: page.report is not None and page.report.unavailable is None, timeout=10_000)
    qtbot.waitUntil(lambda: "0 in use" in page.summary.text(), timeout=10_000)
    testbed.add_device(
        "typec", "port0-partner", port,
        ["supports_usb_power_delivery", "yes", "usb_power_delivery_revision", "3.0", "type", "power_brick"],
        ["DEVTYPE", "typec_partner"],
    )  # fmt: skip
    qtbot.waitUntil(lambda: "1 in use" in page.summary.text(), timeout=10_000)
    assert "Partner: Device connected — power brick" in page.copy_text()
