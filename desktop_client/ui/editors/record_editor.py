"""The editor of one record with its lines: a report, an estimate or a timesheet.

Forgiving on purpose: reasons appear beside the field they are about (and, for lines,
on the cell and listed under the table) and disappear as they are fixed; a sync that
changed the record meanwhile is asked about, not overwritten; closing with unsaved edits
asks first.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from desktop_client import services
from desktop_client.qt import (
    QCoreApplication,
    QDialog,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QPushButton,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_client.services import InvalidRecordData, RecordChanged, RecordView
from desktop_client.ui import prompts
from desktop_client.ui.context import AppContext
from desktop_client.ui.core_messages import translated_messages
from desktop_client.ui.editors.lines_editor import LinesEditor
from desktop_client.ui.editors.lines_model import LinesModel
from desktop_client.ui.editors.record_form import ERROR_STYLE, RecordForm
from desktop_client.ui.editors.saving import RetryRejection, Saver, UpdateRecord
from desktop_client.ui.labels import field_label, new_record_title
from desktop_client.ui.record_names import record_title
from sync_protocol import catalogue

translate = QCoreApplication.translate

REVALIDATE_AFTER_MS = 300  # after the last keystroke, once a save has shown reasons
# Fields a new record takes from the last one saved: a foreman writes for the same site
# and the same people day after day.
REMEMBERED_FIELDS = ("site", "author", "worker")


class RecordEditorDialog(QDialog):
    saved = Signal(object)  # the RecordView saved (None when a retried change was a delete)

    def __init__(
        self,
        context: AppContext,
        saver: Saver,
        *,
        current: RecordView | None = None,
        server_errors: InvalidRecordData | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.saver = saver
        self.current = current
        self.record_type = catalogue.get(saver.record_type)
        self._server_errors = server_errors or InvalidRecordData()
        self._touched: set[str] = set()
        self._lines_touched = False
        self._check_as_typed = bool(server_errors)
        self.dirty = False
        self.setObjectName("recordEditor")
        self.setWindowTitle(self._title())
        self.resize(980 if self.record_type.has_lines else 620, 680 if self.record_type.has_lines else 480)

        heading = QLabel(self._title())
        heading.setStyleSheet("font-size: 15pt; font-weight: bold;")
        heading.setWordWrap(True)
        self.rejection_notice = QLabel(translate(
            "RecordEditor", "The server rejected this change. Correct what is marked and save: it is sent again "
            "with the next sync."))
        self.rejection_notice.setWordWrap(True)
        self.rejection_notice.setStyleSheet("background: #ffebee; padding: 6px; border-radius: 3px;")

        current_values = dict(current.values) if current is not None else self._defaults()
        self.form = RecordForm(self.record_type, context.references, current_values)
        self.form.set_values(current_values)
        self.form.edited.connect(self._on_field_edited)

        self.lines_model: LinesModel | None = None
        self.lines_editor: LinesEditor | None = None
        if self.record_type.has_lines:
            self.lines_model = LinesModel(self.record_type, context.references, self)
            self.lines_model.set_lines(current.lines if current is not None else ())
            self.lines_model.edited.connect(self._on_lines_edited)
            self.lines_editor = LinesEditor(self.lines_model)

        self.general_errors = QLabel()
        self.general_errors.setObjectName("generalErrors")
        self.general_errors.setStyleSheet(ERROR_STYLE)
        self.general_errors.setWordWrap(True)
        self.general_errors.hide()

        self.save_button = QPushButton(translate("RecordEditor", "Save"))
        self.save_button.setDefault(True)
        self.save_button.setShortcut(QKeySequence.Save)
        self.save_button.setToolTip(translate("RecordEditor", "Save (Ctrl+S)"))
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton(translate("RecordEditor", "Cancel"))
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.rejection_notice)
        # Only now that it has a parent: a parentless widget made visible becomes a window.
        self.rejection_notice.setVisible(isinstance(saver, RetryRejection))
        layout.addWidget(self.form)
        if self.lines_editor is not None:
            lines_heading = QLabel(field_label("lines"))
            lines_heading.setStyleSheet("font-weight: bold; margin-top: 6px;")
            layout.addWidget(lines_heading)
            layout.addWidget(self.lines_editor, 1)
        else:
            layout.addStretch(1)
        layout.addWidget(self.general_errors)
        layout.addLayout(buttons)

        self._revalidate_timer = QTimer(self)
        self._revalidate_timer.setSingleShot(True)
        self._revalidate_timer.setInterval(REVALIDATE_AFTER_MS)
        self._revalidate_timer.timeout.connect(self.revalidate)
        if server_errors:
            self._show_errors(InvalidRecordData())

    # --- reading the form --------------------------------------------------------

    def values(self) -> dict[str, Any]:
        return self.form.values()

    def lines(self) -> list[dict[str, Any]] | None:
        return self.lines_model.lines_for_save() if self.lines_model is not None else None

    # --- saving --------------------------------------------------------------------

    def save(self) -> bool:
        """Save; on invalid input show why and stay open. Returns whether it saved."""
        return self._save(overwrite=False)

    def _save(self, *, overwrite: bool) -> bool:
        try:
            view = self.saver.save(self.context.store, self.values(), self.lines(), overwrite=overwrite)
        except InvalidRecordData as errors:
            self._check_as_typed = True
            self._show_errors(errors)
            self.form.focus_first_error()
            return False
        except RecordChanged:
            if prompts.confirm(
                self,
                translate("RecordEditor", "Changed meanwhile"),
                translate("RecordEditor", "This record was changed by a sync while you were editing it. Save your "
                          "version over it? (Cancel keeps the form open, so you can look at the list first.)"),
                action=translate("RecordEditor", "Save mine"),
            ):
                return self._save(overwrite=True)
            return False
        except services.NotFound:
            prompts.warn(self, translate("RecordEditor", "Record gone"), translate(
                "RecordEditor", "This record was deleted meanwhile (by a sync or in another window). "
                "Your edits cannot be saved to it."))
            self.dirty = False
            super().reject()
            return False
        self._remember_defaults()
        self.dirty = False
        self.context.notify_data_changed()
        self.saved.emit(view)
        self.accept()
        return True

    def revalidate(self) -> None:
        errors = self.saver.validate(self.context.store, self.values(), self.lines()) or InvalidRecordData()
        self._show_errors(errors)

    # --- closing -------------------------------------------------------------------

    def reject(self) -> None:
        if self.dirty and not prompts.confirm(
            self,
            translate("RecordEditor", "Unsaved changes"),
            translate("RecordEditor", "Close without saving your changes?"),
            action=translate("RecordEditor", "Discard changes"),
            destructive=True,
        ):
            return
        self.dirty = False
        super().reject()

    # --- helpers -------------------------------------------------------------------

    def _on_field_edited(self, name: str) -> None:
        self.dirty = True
        self._touched.add(name)
        if self._check_as_typed:
            self._revalidate_timer.start()

    def _on_lines_edited(self) -> None:
        self.dirty = True
        self._lines_touched = True
        if self._check_as_typed:
            self._revalidate_timer.start()
        elif self.lines_editor is not None:
            self.lines_editor.show_errors()

    def _show_errors(self, errors: InvalidRecordData) -> None:
        """Local reasons, plus the server's for what the person has not touched since."""
        fields = {name: list(items) for name, items in errors.fields.items()}
        for name, items in self._server_errors.fields.items():
            if name not in self._touched:
                fields.setdefault(name, []).extend(items)
        lines: dict[int, dict[str, list[str]]] = {i: dict(e) for i, e in errors.lines.items()}
        if not self._lines_touched:
            for index, line_errors in self._server_errors.lines.items():
                for name, items in line_errors.items():
                    lines.setdefault(index, {}).setdefault(name, []).extend(items)
        elsewhere = self.form.show_errors(fields)
        if self.lines_model is not None and self.lines_editor is not None:
            self.lines_model.set_errors(lines)
            self.lines_editor.show_errors()
        general = [f"{field_label(name)}: {message}"
                   for name, items in elsewhere.items() for message in translated_messages(items)]
        self.general_errors.setText("\n".join(general))
        self.general_errors.setVisible(bool(general))

    def _title(self) -> str:
        if self.current is None and not isinstance(self.saver, (UpdateRecord, RetryRejection)):
            return new_record_title(self.saver.record_type)
        values: Mapping[str, Any] = self.current.values if self.current is not None else {}
        return record_title(self.saver.record_type, values, self.context.references)

    def _defaults(self) -> dict[str, Any]:
        settings = self.context.settings
        defaults: dict[str, Any] = {}
        for name in REMEMBERED_FIELDS:
            remembered = settings.remembered(name)
            if name not in self.record_type.field_names or not remembered:
                continue
            if self.record_type.field(name).kind == catalogue.REF and not (
                self.context.references.is_known_person(remembered)
            ):
                continue  # someone from another server, or since removed
            defaults[name] = remembered
        return defaults

    def _remember_defaults(self) -> None:
        values = self.values()
        for name in REMEMBERED_FIELDS:
            if name in values:
                self.context.settings.remember(name, values[name])
