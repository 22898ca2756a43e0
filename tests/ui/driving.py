"""Using the window the way a person does: filling editors, answering its questions, and
the records a node has before a foreman starts (people and work items from the server)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from desktop_client.qt import QModelIndex, Qt
from desktop_client.store import Store
from desktop_client.ui.editors.record_editor import RecordEditorDialog
from tests.client import builders
from tests.client.store_actions import add_from_server


@dataclass
class PromptAnswers:
    """Scripted answers to the window's questions, in order; what was asked is kept."""

    confirmations: list[bool] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def confirm(self, parent, title, text, *, action, destructive=False) -> bool:
        self.asked.append(text)
        if not self.confirmations:
            raise AssertionError(f"The window asked a question the test did not expect: {text!r}")
        return self.confirmations.pop(0)

    def warn(self, parent, title, text) -> None:
        self.warnings.append(text)

    def inform(self, parent, title, text) -> None:
        self.warnings.append(text)


@dataclass(frozen=True)
class SiteData:
    foreman: str  # user ids
    worker: str
    concrete: str  # work item ids
    excavation: str


def seed_site(store: Store) -> SiteData:
    """People and work items as if the server had sent them."""
    foreman = add_from_server(store, builders.user(username="ivanov", full_name="Sergei Ivanov"), version=1)
    worker = add_from_server(store, builders.user(username="petrova", full_name="Anna Petrova"), version=2)
    concrete = add_from_server(store, builders.work_specification(
        code="CO-02", name="Concrete pour", unit="m3", unit_price=Decimal("5400.00")), version=3)
    excavation = add_from_server(store, builders.work_specification(
        code="EX-01", name="Excavation", unit="m3", unit_price=Decimal("650.00")), version=4)
    return SiteData(foreman=foreman.id, worker=worker.id, concrete=concrete.id, excavation=excavation.id)


def column(editor: RecordEditorDialog, name: str) -> int:
    assert editor.lines_model is not None
    return next(index for index, spec in enumerate(editor.lines_model.columns) if spec.name == name)


def set_cell(editor: RecordEditorDialog, row: int, name: str, value) -> None:
    """What typing into a cell (or choosing in its list) stores."""
    model = editor.lines_model
    assert model is not None
    assert model.setData(model.index(row, column(editor, name)), value, Qt.EditRole) or (
        model.index(row, column(editor, name)).data(Qt.EditRole) == value)


def add_line(editor: RecordEditorDialog, **values) -> int:
    assert editor.lines_editor is not None
    editor.lines_editor.add_line()
    editor.lines_editor.table.setCurrentIndex(QModelIndex())  # leave the cell editor, as clicking away does
    row = editor.lines_model.rowCount() - 1
    for name, value in values.items():
        set_cell(editor, row, name, value)
    return row


def cell_text(editor: RecordEditorDialog, row: int, name: str) -> str:
    return editor.lines_model.index(row, column(editor, name)).data(Qt.DisplayRole)


def choose(editor: RecordEditorDialog, field_name: str, value) -> None:
    """Pick the entry holding ``value`` in a list field."""
    widget = editor.form.inputs[field_name]
    index = widget.findData(value)
    assert index >= 0, f"{value!r} is not offered in {field_name}"
    widget.setCurrentIndex(index)
    widget.activated.emit(index)


def type_into(qtbot, editor: RecordEditorDialog, field_name: str, text: str) -> None:
    """Replace a text field's content by typing, key by key."""
    widget = editor.form.inputs[field_name]
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key_Delete)
    qtbot.keyClicks(widget, text)
