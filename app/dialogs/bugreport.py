"""File → Report a bug…: source, tracker (auto says why), title, steps, the privacy preview, what is missing,
progress, the output folder, and a button that opens the tracker's new-issue page in the browser.

Nothing is uploaded: the report is written to a folder the user reads, and the browser opens an empty
new-issue page. Reading the source, filtering and writing run off the GUI thread.
"""

from __future__ import annotations

import textwrap
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
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
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hwinspector.dialogs.privacy_preview import PrivacyPreview
from hwinspector.i18n import _, ngettext
from hwinspector.report.assemble import PrivacySetup, redact
from hwinspector.report.bugreport.build import CHOICES, Filtered, make_report
from hwinspector.report.bugreport.evidence import Evidence, load_evidence
from hwinspector.report.bugreport.model import BugReport
from hwinspector.report.bugreport.run import default_folder
from hwinspector.report.bugreport.trackers import TRACKERS
from hwinspector.report.capture import CaptureOptions, Step
from hwinspector.threads import Port, run_in_background, start_thread


class SourceThread(QObject):
    """Reads the source (a capture of this machine takes seconds) and the privacy key on a worker thread."""

    step = Signal(object)
    loaded = Signal(object, object)  # Evidence, PrivacySetup
    failed = Signal(str)

    def __init__(
        self, source: str | None, options: CaptureOptions, key: bytes | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.source, self.options, self.key = source, options, key
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        source, options, key = self.source, self.options, self.key
        step, loaded, failed = Port(self._step), Port(self._loaded), Port(self._failed)

        def run() -> None:
            try:
                setup = PrivacySetup.load(options, key)
                ev = load_evidence(source, options, step)
            except Exception as exc:  # shown in the dialog as one line; the window must survive a bad source
                failed(str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}")
                return
            loaded(ev, setup)

        self._thread = start_thread(run, "bugreport-source")

    def isRunning(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout_ms: int) -> bool:
        if self._thread is not None:
            self._thread.join(timeout_ms / 1000)
        return not self.isRunning()

    def _step(self, step: object) -> None:
        self.step.emit(step)

    def _loaded(self, ev: object, setup: object) -> None:
        self.loaded.emit(ev, setup)

    def _failed(self, text: str) -> None:
        self.failed.emit(text)


class BugReportDialog(QDialog):
    prepared = Signal()  # a report was built (after each filter pass)
    written = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        source: str | None = None,
        options: CaptureOptions | None = None,
        key: bytes | None = None,
    ) -> None:
        super().__init__(parent)
        self._key = key
        self.setWindowTitle(_("Report a bug"))
        self.resize(980, 760)
        self.options = options or CaptureOptions()
        self.evidence: Evidence | None = None
        self.setup: PrivacySetup | None = None
        self.report: BugReport | None = None
        self.thread_: SourceThread | None = None
        lay = QVBoxLayout(self)
        lay.addWidget(self._describe_box(source))
        split = QSplitter(Qt.Orientation.Horizontal)
        self.preview = PrivacyPreview()
        self.preview.relaxed_changed.connect(self.rebuild)
        split.addWidget(self._box(_("Privacy preview"), self.preview))
        # one column: each missing item, and under it the exact way to get it (long commands wrap)
        self.missing_tree = QTreeWidget()
        self.missing_tree.setHeaderLabels([_("Still missing, and how to get it")])
        self.missing_tree.setWordWrap(True)
        self.missing_tree.setUniformRowHeights(False)
        self.attachments = QListWidget()
        self.attachments.setWordWrap(True)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self._box(_("What the tracker still needs"), self.missing_tree), 2)
        rl.addWidget(self._box(_("Attachments"), self.attachments), 1)
        split.addWidget(right)
        lay.addWidget(split, 1)
        self.progress_label = QLabel(_("Choose the source and press Prepare."))
        self.progress_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        lay.addWidget(self.progress_label)
        lay.addWidget(self.progress)
        lay.addLayout(self._output_row())
        # Enter in a text field adds a step or finishes the title; it must not press a button
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)

    @staticmethod
    def _box(title: str, w: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        QVBoxLayout(box).addWidget(w)
        return box

    def _describe_box(self, source: str | None) -> QGroupBox:
        box = QGroupBox(_("The report"))
        form = QFormLayout(box)
        row = QHBoxLayout()
        self.source_edit = QLineEdit(source or "live")
        self.source_edit.setToolTip(_("live, an evidence bundle, a udevadm/umockdev dump, or a folder of tool outputs"))
        browse = QPushButton(_("Browse…"))
        browse.clicked.connect(self._browse_source)
        self.prepare_button = QPushButton(_("Prepare"))
        self.prepare_button.clicked.connect(self.start)
        for w in (self.source_edit, browse, self.prepare_button):
            row.addWidget(w)
        form.addRow(_("Source"), row)
        trow = QHBoxLayout()
        self.tracker_combo = QComboBox()
        for choice in CHOICES:
            self.tracker_combo.addItem(_("auto") if choice == "auto" else TRACKERS[choice].name, choice)
        self.tracker_combo.currentIndexChanged.connect(self.rebuild)
        self.why_label = QLabel()
        self.why_label.setWordWrap(True)
        trow.addWidget(self.tracker_combo)
        trow.addWidget(self.why_label, 1)
        form.addRow(_("Tracker"), trow)
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText(_("What fails, on which hardware"))
        self.title_edit.editingFinished.connect(self.rebuild)
        form.addRow(_("Title"), self.title_edit)
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText(_("What happened, what you expected"))
        self.notes.setFixedHeight(54)
        form.addRow(_("What happened"), self.notes)
        srow = QHBoxLayout()
        self.steps = QListWidget()
        self.steps.setFixedHeight(64)
        self.step_edit = QLineEdit()
        self.step_edit.setPlaceholderText(_("A reproduction step, then Enter"))
        self.step_edit.returnPressed.connect(self.add_step)
        remove = QPushButton(_("Remove"))
        remove.clicked.connect(self.remove_step)
        col = QVBoxLayout()
        col.addWidget(self.step_edit)
        col.addWidget(remove, 0, Qt.AlignmentFlag.AlignLeft)
        srow.addLayout(col, 1)
        srow.addWidget(self.steps, 2)
        form.addRow(_("Steps"), srow)
        return box

    def _output_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.folder_edit = QLineEdit(str(default_folder("auto", base=Path.home())))
        choose = QPushButton(_("Folder…"))
        choose.clicked.connect(self._browse_folder)
        self.write_button = QPushButton(_("Write report"))
        self.write_button.setEnabled(False)
        self.write_button.clicked.connect(self.write)
        self.open_button = QPushButton(_("Open the tracker's new-issue page"))
        self.open_button.setToolTip(_("Opens your browser on the empty form; nothing is uploaded"))
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_new_issue_page)
        for w in (QLabel(_("Output folder")), self.folder_edit, choose, self.write_button, self.open_button):
            row.addWidget(w)
        return row

    # --- actions -------------------------------------------------------------------------------------

    def add_step(self) -> None:
        text = self.step_edit.text().strip()
        if text:
            self.steps.addItem(text)
            self.step_edit.clear()
            self.rebuild()

    def remove_step(self) -> None:
        self.steps.takeItem(self.steps.currentRow())
        self.rebuild()

    def step_texts(self) -> list[str]:
        return [self.steps.item(i).text() for i in range(self.steps.count())]

    def _browse_source(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Open a bundle or a dump"), str(Path.home()))
        if path:
            self.source_edit.setText(path)

    def _browse_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, _("Output folder"), str(Path.home()))
        if path:
            self.folder_edit.setText(path)

    def start(self) -> None:
        text = self.source_edit.text().strip()
        self.prepare_button.setEnabled(False)
        self.progress.setRange(0, 0)  # busy until the collectors report their steps
        self.progress_label.setText(_("Reading {source}…").format(source=text or "live"))
        self.thread_ = SourceThread(None if text in ("", "live") else text, self.options, self._key, self)
        self.thread_.step.connect(self._on_step)
        self.thread_.loaded.connect(self._loaded)
        self.thread_.failed.connect(self._failed)
        self.thread_.start()

    def _on_step(self, step: Step) -> None:
        self.progress.setRange(0, max(step.total, 1))
        self.progress.setValue(step.done)
        self.progress_label.setText(
            _("{done} of {total}: {name}").format(done=step.done, total=step.total, name=step.name)
        )

    def _failed(self, message: str) -> None:
        self.progress.setRange(0, 1)
        self.progress_label.setText(_("Could not prepare the report: {why}").format(why=message))
        self.prepare_button.setEnabled(True)

    def _loaded(self, ev: Evidence, setup: PrivacySetup) -> None:
        self.evidence, self.setup = ev, setup
        self.prepare_button.setEnabled(True)
        self.rebuild()

    def rebuild(self) -> None:
        """Filter (with the categories the user relaxed) and fill the template, off the GUI thread."""
        ev, setup = self.evidence, self.setup
        if ev is None:
            return
        tracker = str(self.tracker_combo.currentData())
        title, steps, notes = self.title_edit.text(), self.step_texts(), self.notes.toPlainText()
        relaxed = frozenset(self.preview.relaxed)
        self.write_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress_label.setText(_("Applying the privacy filter and filling the template…"))

        def work() -> tuple[object, object]:
            red = redact(ev.collected, setup, relaxed)
            return red, make_report(Filtered(ev, red), tracker=tracker, title=title, steps=steps, notes=notes)

        run_in_background(work, self._show, self._failed)

    def _show(self, result: object) -> None:
        assert isinstance(result, tuple)
        red, report = result
        assert isinstance(report, BugReport)
        self.report = report
        self.preview.show_redacted(red)
        auto = self.tracker_combo.currentData() == "auto"
        self.why_label.setText(
            _("auto chose {name}: {why}").format(name=report.tracker.name, why=report.why) if auto else report.why
        )
        self.missing_tree.clear()
        for m in report.missing:
            item = QTreeWidgetItem(self.missing_tree, [m.item])
            # wrapped by hand: a tree item elides a long line, and the exact command is the point
            how = QTreeWidgetItem(item, [textwrap.fill(m.how, 72, break_on_hyphens=False)])
            how.setToolTip(0, m.how)
        self.missing_tree.expandAll()
        self.attachments.clear()
        for a in report.attachments:
            self.attachments.addItem(f"{a.name} ({len(a.data):,} B): {a.what}")
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        files = ngettext("{n} attachment", "{n} attachments", len(report.attachments)).format(n=len(report.attachments))
        gaps = ngettext("{n} item still missing", "{n} items still missing", len(report.missing)).format(
            n=len(report.missing)
        )
        self.progress_label.setText(
            _("Ready for {name}: {files}, {gaps}. Nothing is sent.").format(
                name=report.tracker.name, files=files, gaps=gaps
            )
        )
        self.write_button.setEnabled(True)
        self.open_button.setEnabled(True)
        self.prepared.emit()

    def write(self) -> None:
        from hwinspector.report.bugreport.writer import write_report

        report, folder = self.report, Path(self.folder_edit.text()).expanduser()
        if report is None:
            return
        self.write_button.setEnabled(False)
        run_in_background(lambda: write_report(report, folder), self._written, self._failed)

    def _written(self, folder: object) -> None:
        self.progress_label.setText(
            _("Wrote {folder}: paste issue.md into the new-issue page and attach the files in attachments/.").format(
                folder=folder
            )
        )
        self.write_button.setEnabled(True)
        self.written.emit(str(folder))

    def open_new_issue_page(self) -> None:
        """Only the browser opens, on the tracker's empty form: the user pastes and attaches by hand."""
        if self.report is not None:
            QDesktopServices.openUrl(QUrl(self.report.tracker.new_issue_url))

    def done(self, result: int) -> None:
        if self.thread_ is not None and self.thread_.isRunning():
            self.thread_.wait(30000)
        super().done(result)


def open_bugreport_dialog(parent: QWidget | None = None, source: str | None = None) -> BugReportDialog:
    """What File → Report a bug… does: a non-modal dialog over the source the window shows."""
    dialog = BugReportDialog(parent, source=source)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.show()
    return dialog
