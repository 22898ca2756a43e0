"""The window's status bar: the connection (icon, word, tooltip), a progress bar while a
sync takes long, the changes not yet sent, what waits for review, and the last sync."""
from __future__ import annotations

from desktop_client import services
from desktop_client.qt import (
    QCoreApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTimer,
    QWidget,
    Signal,
)
from desktop_client.sync import SyncProgress
from desktop_client.ui.context import AppContext
from desktop_client.ui.core_messages import fill
from desktop_client.ui.formatting import format_datetime
from desktop_client.ui.icons import badge_icon, badge_pixmap
from desktop_client.ui.sync_controller import ConnectionState, SyncController
from desktop_client.ui.sync_texts import error_text, state_explanation, state_text

translate = QCoreApplication.translate

# A sync shorter than this shows no progress bar: it would only flicker.
LONG_SYNC_AFTER_MS = 800


class SyncStatusBar(QWidget):
    review_requested = Signal()

    def __init__(self, context: AppContext, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._controller = controller
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(10)
        self.review_button = QPushButton()
        self.review_button.setFlat(True)
        self.review_button.clicked.connect(self.review_requested)
        self.pending_label = QLabel()
        self.last_sync_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 0)  # how much is left is not known in advance
        self.progress_bar.setMaximumWidth(140)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.hide()
        self.progress_label = QLabel()
        self.progress_label.hide()
        self.state_icon = QLabel()
        self.state_label = QLabel()
        for widget in (self.state_icon, self.state_label, _separator(), self.pending_label, self.review_button,
                       _separator(), self.last_sync_label, self.progress_bar, self.progress_label):
            layout.addWidget(widget)
        layout.addStretch(1)
        self._long_sync_timer = QTimer(self)
        self._long_sync_timer.setSingleShot(True)
        self._long_sync_timer.setInterval(LONG_SYNC_AFTER_MS)
        self._long_sync_timer.timeout.connect(self._show_progress)
        controller.state_changed.connect(self._on_state_changed)
        controller.progress_changed.connect(self._on_progress)
        context.data_changed.connect(self.refresh_counts)
        self._on_state_changed()
        self.refresh_counts()

    def refresh_counts(self) -> None:
        status = services.sync_status(self._context.store)
        pending = status.pending_changes
        self.pending_label.setText(fill(translate("StatusBar", "Not sent: %1"), pending))
        self.pending_label.setToolTip(translate("StatusBar", "Records changed on this computer that the server has "
                                                "not confirmed yet"))
        to_review = status.conflicts + status.rejections
        self.review_button.setVisible(to_review > 0)
        self.review_button.setIcon(badge_icon("conflict" if status.conflicts else "rejected"))
        self.review_button.setText(fill(translate("StatusBar", "To review: %1"), to_review))
        self.review_button.setToolTip(fill(translate("StatusBar", "Conflicts: %1, rejected changes: %2"),
                                           status.conflicts, status.rejections))
        if status.last_sync_at is None:
            self.last_sync_label.setText(translate("StatusBar", "Never synced"))
        else:
            self.last_sync_label.setText(fill(translate("StatusBar", "Last sync: %1"),
                                              format_datetime(status.last_sync_at)))

    # --- state ---------------------------------------------------------------------

    def _on_state_changed(self) -> None:
        state = self._controller.state
        self.state_icon.setPixmap(badge_pixmap(state.value, 16))
        self.state_label.setText(state_text(state))
        tooltip = state_explanation(state)
        if state in (ConnectionState.ERROR, ConnectionState.OFFLINE) and self._controller.last_error is not None:
            tooltip += "\n" + error_text(self._controller.last_error)
        self.state_icon.setToolTip(tooltip)
        self.state_label.setToolTip(tooltip)
        if state is ConnectionState.SYNCING:
            self.progress_label.clear()
            self._long_sync_timer.start()
        else:
            self._long_sync_timer.stop()
            self.progress_bar.hide()
            self.progress_label.hide()

    def _on_progress(self, progress: SyncProgress) -> None:
        if progress.retry_in is not None:
            text = fill(translate("StatusBar", "No answer; trying again in %1 s"), round(progress.retry_in))
        else:
            text = fill(translate("StatusBar", "Sent %1, received %2"), progress.sent, progress.received)
        self.progress_label.setText(text)
        # Pages still waiting on the server, or a retry, mean a long sync for sure.
        if progress.more_on_server or progress.retry_in is not None:
            self._show_progress()

    def _show_progress(self) -> None:
        if self._controller.state is not ConnectionState.SYNCING:
            return
        if not self.progress_label.text():
            self.progress_label.setText(translate("StatusBar", "Starting…"))
        self.progress_bar.show()
        self.progress_label.show()


def _separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.VLine)
    line.setFrameShadow(QFrame.Sunken)
    return line
