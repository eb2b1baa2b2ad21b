"""The status bar's note, for as long as the window is open, when telemetry runs on the pure-Python sampler."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from hwinspector.i18n import _, localize


def show_sampler_backend(label: QLabel) -> None:
    """Show ``label`` with the reason where the native sampler cannot run here; hide it where it can."""
    # Imported here, after the first paint: the sampler module brings numpy, which start-up does not need.
    from hwinspector.probes.telemetry.sampler import python_fallback_reason

    reason = python_fallback_reason()
    label.setVisible(reason is not None)
    if reason is None:
        return
    label.setText(_("⚠ Pure-Python sampler: {reason}").format(reason=localize(reason)))
    label.setToolTip(
        _(
            "Telemetry works, but its timing suffers while the window is busy. To build the native sampler, "
            "install a C compiler and the Python headers (Debian: gcc python3-dev), then run make run again "
            "or reinstall hwinspector."
        )
    )
