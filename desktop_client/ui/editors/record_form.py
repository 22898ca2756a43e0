"""The fields of a record (not its lines), each with its reasons shown right under it."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from desktop_client.qt import QFormLayout, QLabel, QVBoxLayout, QWidget, Signal
from desktop_client.ui.core_messages import translated_messages
from desktop_client.ui.editors.field_inputs import make_input
from desktop_client.ui.labels import field_label
from desktop_client.ui.references import ReferenceLookup
from sync_protocol import catalogue

ERROR_STYLE = "color: #c62828;"
INVALID_INPUT_STYLE = "border: 1px solid #c62828;"


class RecordForm(QWidget):
    edited = Signal(str)  # the field's name

    def __init__(self, record_type: catalogue.RecordType, references: ReferenceLookup,
                 current: Mapping[str, Any] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record_type = record_type
        self.inputs: dict[str, QWidget] = {}
        self.error_labels: dict[str, QLabel] = {}
        layout = QFormLayout(self)
        layout.setFieldGrowthPolicy(QFormLayout.ExpandingFieldsGrow)
        current = current or {}
        for field in record_type.fields:
            widget = make_input(field, references, current=current.get(field.name))
            widget.setObjectName(f"field_{field.name}")
            widget.edited.connect(lambda name=field.name: self.edited.emit(name))
            error = QLabel()
            error.setObjectName(f"error_{field.name}")
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            cell = QWidget()
            cell_layout = QVBoxLayout(cell)
            cell_layout.setContentsMargins(0, 0, 0, 0)
            cell_layout.setSpacing(2)
            cell_layout.addWidget(widget)
            cell_layout.addWidget(error)
            label = QLabel(field_label(field.name) + ":")
            label.setBuddy(widget)
            layout.addRow(label, cell)
            self.inputs[field.name] = widget
            self.error_labels[field.name] = error

    def values(self) -> dict[str, Any]:
        return {name: widget.field_value() for name, widget in self.inputs.items()}

    def set_values(self, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            if name in self.inputs:
                self.inputs[name].set_field_value(value)

    def show_errors(self, errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
        """Show each field's reasons under it; return those about no field of the form."""
        for name, label in self.error_labels.items():
            messages = translated_messages(errors.get(name, []))
            label.setText("\n".join(messages))
            label.setVisible(bool(messages))
            self.inputs[name].setStyleSheet(INVALID_INPUT_STYLE if messages else "")
        return {name: list(items) for name, items in errors.items() if name not in self.inputs}

    def error_text(self, name: str) -> str:
        label = self.error_labels[name]
        return label.text() if not label.isHidden() else ""

    def focus_first_error(self) -> None:
        for name, label in self.error_labels.items():
            if not label.isHidden():
                self.inputs[name].setFocus()
                return
