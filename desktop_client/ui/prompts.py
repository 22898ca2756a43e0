"""Questions and messages that wait for an answer.

Every modal question of the window goes through here, so it reads the same everywhere
and tests can answer it (``monkeypatch.setattr(prompts, "confirm", ...)``) instead of
clicking a box that blocks the event loop.
"""
from __future__ import annotations

from desktop_client.qt import QCoreApplication, QMessageBox, QWidget

translate = QCoreApplication.translate


def confirm(parent: QWidget | None, title: str, text: str, *, action: str, destructive: bool = False) -> bool:
    """Ask before doing ``action`` (the button's text, e.g. "Delete"); Cancel is the
    default for destructive actions, so a hurried Enter changes nothing."""
    box = QMessageBox(QMessageBox.Warning if destructive else QMessageBox.Question, title, text,
                      QMessageBox.NoButton, parent)
    yes = box.addButton(action, QMessageBox.AcceptRole)
    cancel = box.addButton(translate("Prompts", "Cancel"), QMessageBox.RejectRole)
    box.setDefaultButton(cancel if destructive else yes)
    box.setEscapeButton(cancel)
    box.exec_()
    return box.clickedButton() is yes


def inform(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def warn(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)
