"""System services over D-Bus (dbus-next): the only package that imports the bus library."""
