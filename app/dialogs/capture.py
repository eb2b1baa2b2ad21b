"""File → Capture evidence…: notes and steps, options, a progress view of every step, a privacy preview, save.

The capture runs on a worker thread; the privacy preview re-runs the filter (on the thread pool) when
the user relaxes a category; screenshots are rendered on the GUI thread, from redacted data (screenshots.py).
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hwinspector.dialogs.privacy_preview import PrivacyPreview
from hwinspector.dialogs.screenshots import render_screenshots
from hwinspector.i18n import N_, _
from hwinspector.report.assemble import PrivacySetup, Redacted, redact
from hwinspector.report.capture import (
    Cancelled,
    CaptureControl,
    CaptureOptions,
    Collected,
    RecordingOptions,
    Step,
    collect,
    default_output,
    save,
)
from hwinspector.threads import Port, run_in_background, start_thread

STATE_TEXT = {
    "running": N_("running…"),
    "ok": N_("done"),
    "failed": N_("failed"),
    "timeout": N_("timed out"),
    "skipped": N_("skipped"),
}


class CaptureThread(QObject):
    """Gathers the privacy context and runs ``collect`` on a worker thread; its signals arrive on the GUI thread."""

    step = Signal(object)  # Step
    collected = Signal(object, object)  # Collected, PrivacySetup | None
    failed = Signal(str)

    def __init__(
        self,
        options: CaptureOptions,
        redact_on: bool,
        key: bytes | None,
        key_path: Path | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.options, self.redact_on, self.key, self.key_path = options, redact_on, key, key_path
        self.control = CaptureControl()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        options, redact_on, key, key_path, control = self.options, self.redact_on, self.key, self.key_path, self.control
        step, collected, failed = Port(self._step), Port(self._collected), Port(self._failed)

        def run() -> None:
            try:
                setup = PrivacySetup.load(options, key, key_path) if redact_on else None
                result = collect(options, step, control)
            except Cancelled:
                failed(_("Cancelled."))
                return
            except Exception as exc:  # shown in the dialog; the GUI must survive a capture bug
                failed(f"{type(exc).__name__}: {exc}")
                return
            collected(result, setup)

        self._thread = start_thread(run, "capture")

    def isRunning(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout_ms: int) -> bool:
        if self._thread is not None:
            self._thread.join(timeout_ms / 1000)
        return not self.isRunning()

    def _step(self, step: object) -> None:
        self.step.emit(step)

    def _collected(self, result: object, setup: object) -> None:
        self.collected.emit(result, setup)

    def _failed(self, text: str) -> None:
        self.failed.emit(text)


class CaptureDialog(QDialog):
    """Describe → Collecting → Privacy preview → Saved."""

    saved = Signal(str)  # the bundle's path
    redacted = Signal()  # a preview pass finished

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        base: CaptureOptions | None = None,
        key: bytes | None = None,
        key_path: Path | None = None,
        directory: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Capture evidence"))
        self.resize(760, 620)
        self.base = base or CaptureOptions()
        self._key, self._key_path = key, key_path
        self.directory = directory or Path.home()
        self.thread_: CaptureThread | None = None
        self.collected_: Collected | None = None
        self.setup: PrivacySetup | None = None
        self.red: Redacted | None = None
        self.relaxed: set[str] = set()
        self._items: dict[str, QTreeWidgetItem] = {}
        self.stack = QStackedWidget()
        for build in (self._describe_page, self._progress_page, self._privacy_page, self._done_page):
            self.stack.addWidget(build())
        QVBoxLayout(self).addWidget(self.stack)

    # --- page 1: notes, steps, options -------------------------------------------------------------

    def _describe_page(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.addWidget(
            QLabel(_("Describe what you tested. Everything below goes into the bundle, after the privacy filter."))
        )
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText(_("What were you testing? What did you expect, what happened?"))
        lay.addWidget(QLabel(_("Notes")))
        lay.addWidget(self.notes, 2)
        lay.addWidget(QLabel(_("Steps (in order; during a recording each can be marked on the timeline)")))
        self.steps = QListWidget()
        row = QHBoxLayout()
        self.step_edit = QLineEdit()
        self.step_edit.setPlaceholderText(_("e.g. Close the lid for 10 s"))
        self.step_edit.returnPressed.connect(self.add_step)
        self.add_step_button = QPushButton(_("Add step"))
        self.add_step_button.clicked.connect(self.add_step)
        self.remove_step_button = QPushButton(_("Remove"))
        self.remove_step_button.clicked.connect(lambda: self.steps.takeItem(self.steps.currentRow()))
        for x in (self.step_edit, self.add_step_button, self.remove_step_button):
            row.addWidget(x)
        lay.addLayout(row)
        lay.addWidget(self.steps, 1)
        opts = QGroupBox(_("Options"))
        form = QFormLayout(opts)
        rec = QHBoxLayout()
        self.record_box = QCheckBox(_("Record telemetry for"))
        self.duration = QSpinBox()
        self.duration.setRange(1, 3600)
        self.duration.setValue(30)
        self.duration.setSuffix(" s")
        rec.addWidget(self.record_box)
        rec.addWidget(self.duration)
        rec.addStretch(1)
        form.addRow(rec)
        self.screenshots_box = QCheckBox(_("Add screenshots of the main pages"))
        self.gl_box = QCheckBox(_("Probe OpenGL and Vulkan"))
        self.gl_box.setChecked(self.base.include_gl)
        self.no_redact_box = QCheckBox(_("Do not redact identifying values (serials, addresses, names)"))
        self.no_redact_box.setToolTip(
            _("Share such a bundle only with people you trust; the manifest says it is not redacted")
        )
        for box in (self.screenshots_box, self.gl_box, self.no_redact_box):
            form.addRow(box)
        lay.addWidget(opts)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = QPushButton(_("Cancel"))
        cancel.clicked.connect(self.reject)
        self.start_button = QPushButton(_("Start capture"))
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        buttons.addWidget(cancel)
        buttons.addWidget(self.start_button)
        lay.addLayout(buttons)
        return w

    def add_step(self) -> None:
        text = self.step_edit.text().strip()
        if text:
            self.steps.addItem(text)
            self.step_edit.clear()

    def step_texts(self) -> list[str]:
        return [self.steps.item(i).text() for i in range(self.steps.count())]

    def options(self) -> CaptureOptions:
        from dataclasses import replace

        rec = RecordingOptions(float(self.duration.value())) if self.record_box.isChecked() else None
        return replace(
            self.base,
            notes=self.notes.toPlainText(),
            steps=tuple(self.step_texts()),
            recording=rec,
            include_gl=self.gl_box.isChecked(),
        )

    # --- page 2: progress ----------------------------------------------------------------------------

    def _progress_page(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        self.progress_label = QLabel(_("Collecting…"))
        self.progress_bar = QProgressBar()
        self.step_tree = QTreeWidget()
        self.step_tree.setHeaderLabels([_("Step"), _("State"), _("Detail")])
        self.step_tree.setRootIsDecorated(False)
        self.step_tree.setColumnWidth(0, 260)
        self.step_tree.setColumnWidth(1, 90)
        self.recording_box = QGroupBox(_("Recording"))
        rl = QHBoxLayout(self.recording_box)
        self.marker_combo = QComboBox()
        self.marker_combo.setEditable(True)
        self.marker_button = QPushButton(_("Mark on timeline"))
        self.marker_button.clicked.connect(self.add_marker)
        self.stop_recording_button = QPushButton(_("Stop recording"))
        self.stop_recording_button.clicked.connect(self._stop_recording)
        for control in (self.marker_combo, self.marker_button, self.stop_recording_button):
            rl.addWidget(control)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.clicked.connect(self._cancel)
        for x in (self.progress_label, self.progress_bar, self.recording_box, self.step_tree):
            lay.addWidget(x)
        lay.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignRight)
        return w

    def start(self) -> None:
        opts = self.options()
        self.step_tree.clear()
        self._items.clear()
        self.marker_combo.clear()
        self.marker_combo.addItems(self.step_texts())
        self.recording_box.setVisible(opts.recording is not None)
        self.stack.setCurrentIndex(1)
        self.thread_ = CaptureThread(opts, not self.no_redact_box.isChecked(), self._key, self._key_path, self)
        self.thread_.step.connect(self.on_step)
        self.thread_.collected.connect(self._collected)
        self.thread_.failed.connect(self._failed)
        self.thread_.start()

    def on_step(self, step: Step) -> None:
        item = self._items.get(step.name)
        if item is None:
            item = self._items[step.name] = QTreeWidgetItem(self.step_tree, [step.name, "", ""])
        item.setText(1, _(STATE_TEXT.get(step.state, step.state)))
        item.setText(2, step.detail)
        self.progress_bar.setRange(0, max(step.total, 1))
        self.progress_bar.setValue(step.done)
        self.progress_label.setText(
            _("{done} of {total} steps done: {name}").format(done=step.done, total=step.total, name=step.name)
        )
        if step.name == "telemetry recording" and step.state != "running":
            self.recording_box.setEnabled(False)

    def add_marker(self) -> None:
        text = self.marker_combo.currentText().strip()
        if text and self.thread_ is not None:
            self.thread_.control.add_marker(text)

    def _stop_recording(self) -> None:
        if self.thread_ is not None:
            self.thread_.control.stop_recording.set()

    def _cancel(self) -> None:
        if self.thread_ is not None and self.thread_.isRunning():
            self.thread_.control.cancel()
            self.progress_label.setText(_("Cancelling…"))
        else:
            self.reject()

    def _failed(self, message: str) -> None:
        self.progress_label.setText(_("Capture stopped: {message}").format(message=message))
        self.cancel_button.setText(_("Close"))

    def _collected(self, collected: Collected, setup: PrivacySetup | None) -> None:
        self.collected_, self.setup = collected, setup
        self.progress_label.setText(
            _("Collected {n} outputs and {n2} sections.").format(n=len(collected.raw), n2=len(collected.sections))
        )
        self.path_edit.setText(str(default_output(collected.report_id, self.directory)))
        self.stack.setCurrentIndex(2)
        self.rerun_filter()

    # --- page 3: privacy preview and save -----------------------------------------------------------

    def _privacy_page(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        self.preview = PrivacyPreview()
        self.preview.relaxed = self.relaxed
        self.preview.relaxed_changed.connect(self.rerun_filter)
        self.privacy_label, self.privacy_tree = self.preview.label, self.preview.tree
        lay.addWidget(self.preview, 1)
        row = QHBoxLayout()
        self.path_edit = QLineEdit()
        browse = QPushButton(_("Browse…"))
        browse.clicked.connect(self._browse)
        self.save_button = QPushButton(_("Save bundle"))
        self.save_button.clicked.connect(self.save_bundle)
        for x in (QLabel(_("Save as")), self.path_edit, browse, self.save_button):
            row.addWidget(x)
        lay.addLayout(row)
        return w

    def rerun_filter(self) -> None:
        collected, setup, relaxed = self.collected_, self.setup, frozenset(self.relaxed)
        assert collected is not None
        self.save_button.setEnabled(False)
        self.privacy_label.setText(_("Applying the privacy filter…"))
        run_in_background(lambda: redact(collected, setup, relaxed), self._show_redacted, self._failed_preview)

    def _failed_preview(self, message: str) -> None:
        self.privacy_label.setText(
            _("The privacy filter failed: {message}. Nothing can be saved.").format(message=message)
        )

    def _show_redacted(self, red: object) -> None:
        assert isinstance(red, Redacted)
        self.red = red
        self.preview.show_redacted(red)
        self.save_button.setEnabled(True)
        self.redacted.emit()

    def category_item(self, category: str) -> QTreeWidgetItem | None:
        return self.preview.category_item(category)

    def _browse(self) -> None:
        path, _unused = QFileDialog.getSaveFileName(
            self, _("Save evidence bundle"), self.path_edit.text(), _("Bundles (*.tar.xz)")
        )
        if path:
            self.path_edit.setText(path if path.endswith(".tar.xz") else path + ".tar.xz")

    def save_bundle(self) -> None:
        collected, setup, relaxed = self.collected_, self.setup, frozenset(self.relaxed)
        assert collected is not None
        out = Path(self.path_edit.text()).expanduser()
        self.save_button.setEnabled(False)
        self.privacy_label.setText(_("Saving…"))
        if self.screenshots_box.isChecked() and self.red is not None:
            collected.attachments = render_screenshots(self.red)  # GUI thread: widgets live here

        def write() -> Path:
            return save(collected, redact(collected, setup, relaxed), out)

        run_in_background(write, self._saved, self._failed_preview)

    def _saved(self, path: object) -> None:
        self.done_label.setText(
            _("Saved {path}\n\nOpen it on any machine with: hwinspector open {name}").format(
                path=path, name=Path(str(path)).name
            )
        )
        self.stack.setCurrentIndex(3)
        self.saved.emit(str(path))

    # --- page 4: done -------------------------------------------------------------------------------

    def _done_page(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        self.done_label = QLabel()
        self.done_label.setWordWrap(True)
        self.done_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.done_label)
        lay.addStretch(1)
        close = QPushButton(_("Close"))
        close.clicked.connect(self.accept)
        lay.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        return w

    def done(self, result: int) -> None:
        if self.thread_ is not None and self.thread_.isRunning():
            self.thread_.control.cancel()
            self.thread_.wait(30000)
        super().done(result)


def open_capture_dialog(parent: QWidget | None = None) -> CaptureDialog:
    """What File → Capture evidence… does: a non-modal dialog that the user can leave open while testing."""
    dialog = CaptureDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.show()
    return dialog
