"""Devices: the device tree from sysfs/udev or a dump, names, drivers and problems, hotplug."""
