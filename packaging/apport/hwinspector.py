"""apport package hook for hwinspector (installed as /usr/share/apport/package-hooks/hwinspector.py).

`ubuntu-bug hwinspector` runs add_info() to add what a bug in hwinspector itself needs: its version, the
versions of the libraries it stands on, the scorecard it computed on this machine, and the DRM connectors
its graphics chain reads. The privacy key (~/.local/share/hwinspector/privacy.key) is never attached.
See apport's doc/package-hooks.md.
"""

from apport import hookutils

# Debian/Ubuntu packages hwinspector imports or starts (the helper goes through pkexec)
RELATED = (
    "python3-pyside6.qtwidgets",
    "python3-pyqtgraph",
    "python3-pyudev",
    "python3-psutil",
    "python3-numpy",
    "python3-dbus-next",
    "pkexec",
    "pciutils",
    "usbutils",
    "mesa-utils",
)


def add_info(report, ui=None):
    report["HwinspectorVersion"] = hookutils.command_output(["hwinspector", "--version"])
    hookutils.attach_related_packages(report, list(RELATED))
    # the scorecard as hwinspector judged this machine; --no-gl starts no OpenGL or Vulkan child
    report["HwinspectorCheck"] = hookutils.command_output(["hwinspector", "check", "--json", "--no-gl"])
    hookutils.attach_drm_info(report)
    hookutils.attach_file_if_exists(report, "/proc/cmdline", "ProcKernelCmdLine")
