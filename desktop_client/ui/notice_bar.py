"""A strip across the top of the window for what needs the person's action (not
connected yet, access revoked): visible without blocking work, unlike a message box."""
from __future__ import annotations

from collections.abc import Callable

from desktop_client.qt import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, Qt, QWidget
from desktop_client.ui.icons import badge_pixmap


class NoticeBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        self.setFrameShape(QFrame.StyledPanel)
        self.setStyleSheet("#noticeBar { background: #fff3e0; border: 1px solid #ffb74d; border-radius: 3px; }")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.icon = QLabel()
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.text.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        self.button = QPushButton()
        layout.addWidget(self.icon, 0, Qt.AlignTop)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button, 0, Qt.AlignVCenter)
        self._action: Callable[[], None] | None = None
        self.button.clicked.connect(self._run_action)
        self.hide()

    def show_notice(self, badge: str, text: str, action_text: str, action: Callable[[], None]) -> None:
        self.icon.setPixmap(badge_pixmap(badge, 18))
        self.text.setText(text)
        self.button.setText(action_text)
        self._action = action
        self.show()

    def clear(self) -> None:
        self._action = None
        self.hide()

    def _run_action(self) -> None:
        if self._action is not None:
            self._action()
