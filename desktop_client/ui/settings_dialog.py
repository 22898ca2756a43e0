"""Settings: the server, connecting this computer (by logging in or with a connection
code from the office), how often to sync, and the language.

The token the server gives is stored in the node's database by the core and never
shown: there is no field for it, and the connection code (which carries it) is typed
into a hidden field and cleared once used. Connecting and testing run off the GUI
thread (``SyncController``); this dialog only shows their outcome.
"""
from __future__ import annotations

import socket

from desktop_client import services
from desktop_client.qt import (
    QComboBox,
    QCoreApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_client.sync.transport import normalize_server_url
from desktop_client.ui.app_settings import LANGUAGE_SYSTEM, SYNC_INTERVAL_RANGE
from desktop_client.ui.context import AppContext
from desktop_client.ui.core_messages import fill
from desktop_client.ui.language import LANGUAGE_NAMES, system_language
from desktop_client.ui.sync_controller import ConnectionCheck, SyncController
from desktop_client.ui.sync_texts import error_text
from desktop_client.ui.sync_worker import CodeRegistration, PasswordRegistration

translate = QCoreApplication.translate

OK_STYLE = "color: #2e7d32;"
ERROR_STYLE = "color: #c62828;"


class SettingsDialog(QDialog):
    language_changed = Signal(str)  # the new choice, after OK

    def __init__(self, context: AppContext, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.controller = controller
        self._registering = False
        self._checking: str | None = None
        self.setObjectName("settingsDialog")
        self.setWindowTitle(translate("SettingsDialog", "Settings"))
        self.setMinimumWidth(640)

        layout = QVBoxLayout(self)
        layout.addWidget(self._server_group())
        layout.addWidget(self._connect_group())
        layout.addWidget(self._preferences_group())
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText(translate("SettingsDialog", "OK"))
        self.buttons.button(QDialogButtonBox.Cancel).setText(translate("SettingsDialog", "Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        controller.registered.connect(self._on_registered)
        controller.registration_failed.connect(self._on_registration_failed)
        controller.connection_checked.connect(self._on_connection_checked)
        self.refresh_connection()

    # --- building ------------------------------------------------------------------

    def _server_group(self) -> QGroupBox:
        group = QGroupBox(translate("SettingsDialog", "Server"))
        form = QFormLayout(group)
        self.connection_label = QLabel()
        self.connection_label.setObjectName("connectionLabel")
        self.connection_label.setWordWrap(True)
        form.addRow(self.connection_label)
        self.server_address = QLineEdit()
        self.server_address.setObjectName("serverAddress")
        self.server_address.setPlaceholderText("https://sync.example.com")
        self.test_button = QPushButton(translate("SettingsDialog", "Test connection"))
        self.test_button.clicked.connect(self.test_connection)
        row = QHBoxLayout()
        row.addWidget(self.server_address, 1)
        row.addWidget(self.test_button)
        form.addRow(translate("SettingsDialog", "Server address:"), row)
        self.test_result = QLabel()
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        form.addRow("", self.test_result)
        return group

    def _connect_group(self) -> QGroupBox:
        group = QGroupBox(translate("SettingsDialog", "Connect this computer"))
        box = QVBoxLayout(group)
        self.connect_tabs = QTabWidget()

        login = QWidget()
        login_form = QFormLayout(login)
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.Password)
        self.computer_name = QLineEdit()
        self.computer_name.setObjectName("computerName")
        self.computer_name.setText(socket.gethostname() or "")
        self.login_button = QPushButton(translate("SettingsDialog", "Log in and connect"))
        self.login_button.clicked.connect(self.connect_with_password)
        self.password.returnPressed.connect(self.connect_with_password)
        login_form.addRow(translate("SettingsDialog", "Username:"), self.username)
        login_form.addRow(translate("SettingsDialog", "Password:"), self.password)
        login_form.addRow(translate("SettingsDialog", "This computer's name:"), self.computer_name)
        login_form.addRow("", self.login_button)
        self.connect_tabs.addTab(login, translate("SettingsDialog", "Log in"))

        code = QWidget()
        code_form = QFormLayout(code)
        hint = QLabel(translate("SettingsDialog", "An administrator can add this computer in the office and give "
                                "you a connection code. Paste it here; the server address is inside it."))
        hint.setWordWrap(True)
        self.connection_code = QLineEdit()
        self.connection_code.setObjectName("connectionCode")
        self.connection_code.setEchoMode(QLineEdit.Password)  # it carries the computer's key
        self.code_button = QPushButton(translate("SettingsDialog", "Connect with the code"))
        self.code_button.clicked.connect(self.connect_with_code)
        code_form.addRow(hint)
        code_form.addRow(translate("SettingsDialog", "Connection code:"), self.connection_code)
        code_form.addRow("", self.code_button)
        self.connect_tabs.addTab(code, translate("SettingsDialog", "Connection code"))

        box.addWidget(self.connect_tabs)
        self.register_result = QLabel()
        self.register_result.setObjectName("registerResult")
        self.register_result.setWordWrap(True)
        box.addWidget(self.register_result)
        return group

    def _preferences_group(self) -> QGroupBox:
        group = QGroupBox(translate("SettingsDialog", "Preferences"))
        form = QFormLayout(group)
        self.interval = QSpinBox()
        self.interval.setObjectName("syncInterval")
        self.interval.setRange(*SYNC_INTERVAL_RANGE)
        self.interval.setSuffix(translate("SettingsDialog", " min"))
        self.interval.setValue(self.context.settings.sync_interval_minutes)
        form.addRow(translate("SettingsDialog", "Sync every:"), self.interval)
        self.language = QComboBox()
        self.language.setObjectName("language")
        self.language.addItem(
            fill(translate("SettingsDialog", "As the system (%1)"), LANGUAGE_NAMES[system_language()]),
            LANGUAGE_SYSTEM)
        for code, name in LANGUAGE_NAMES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(self.language.findData(self.context.settings.language), 0))
        form.addRow(translate("SettingsDialog", "Language:"), self.language)
        return group

    # --- connection ----------------------------------------------------------------

    def refresh_connection(self) -> None:
        status = services.sync_status(self.context.store)
        if not self.server_address.text() and status.server_url:
            self.server_address.setText(status.server_url)
        if status.node_name and not self.computer_name.isModified():
            self.computer_name.setText(status.node_name)
        if not status.registered:
            text = translate("SettingsDialog", "This computer is not connected to a server yet.")
        elif status.revoked:
            text = fill(translate("SettingsDialog", "An administrator revoked this computer's access to %1. "
                                  "Connect it again below; your data and unsent changes are kept."),
                        status.server_url)
        elif status.node_name:
            text = fill(translate("SettingsDialog", "Connected to %1 as “%2”."), status.server_url, status.node_name)
        else:
            text = fill(translate("SettingsDialog", "Connected to %1."), status.server_url)
        self.connection_label.setText(text)

    def test_connection(self) -> None:
        address = self.server_address.text().strip()
        try:
            normalize_server_url(address)
        except ValueError as error:
            self._show(self.test_result, error_text(error), ok=False)
            return
        self._checking = address
        self.test_button.setEnabled(False)
        self._show(self.test_result, translate("SettingsDialog", "Testing…"), ok=None)
        self.controller.check_connection(address)

    def connect_with_password(self) -> None:
        address = self.server_address.text().strip()
        missing = [name for name, widget in ((translate("SettingsDialog", "server address"), self.server_address),
                                             (translate("SettingsDialog", "username"), self.username),
                                             (translate("SettingsDialog", "password"), self.password))
                   if not widget.text().strip()]
        if missing:
            self._show(self.register_result, fill(translate("SettingsDialog", "Fill in: %1."), ", ".join(missing)),
                       ok=False)
            return
        try:
            server_url = normalize_server_url(address)
        except ValueError as error:
            self._show(self.register_result, error_text(error), ok=False)
            return
        self._start_registration(PasswordRegistration(
            server_url=server_url,
            username=self.username.text().strip(),
            password=self.password.text(),
            node_name=self.computer_name.text().strip() or socket.gethostname() or "desktop",
        ))

    def connect_with_code(self) -> None:
        code = self.connection_code.text().strip()
        if not code:
            self._show(self.register_result, translate("SettingsDialog", "Paste the connection code first."),
                       ok=False)
            return
        address = self.server_address.text().strip()
        server_url = None
        if address:
            try:
                server_url = normalize_server_url(address)
            except ValueError as error:
                self._show(self.register_result, error_text(error), ok=False)
                return
        self._start_registration(CodeRegistration(code=code, server_url=server_url))

    def _start_registration(self, request: PasswordRegistration | CodeRegistration) -> None:
        self._registering = True
        self._set_connect_enabled(False)
        self._show(self.register_result, translate("SettingsDialog", "Connecting…"), ok=None)
        self.controller.register(request)

    def _on_registered(self, identity) -> None:
        if not self._registering:
            return
        self._registering = False
        self._set_connect_enabled(True)
        self.password.clear()
        self.connection_code.clear()
        self.server_address.setText(identity.server_url)
        self._show(self.register_result, translate("SettingsDialog", "Connected. The first sync starts now."), ok=True)
        self.refresh_connection()

    def _on_registration_failed(self, error: Exception) -> None:
        if not self._registering:
            return
        self._registering = False
        self._set_connect_enabled(True)
        self._show(self.register_result, error_text(error), ok=False)

    def _on_connection_checked(self, check: ConnectionCheck) -> None:
        if check.server_url != self._checking:
            return
        self._checking = None
        self.test_button.setEnabled(True)
        if check.ok:
            self._show(self.test_result, translate("SettingsDialog", "The server answers."), ok=True)
        else:
            self._show(self.test_result, error_text(check.error), ok=False)

    def _set_connect_enabled(self, enabled: bool) -> None:
        self.login_button.setEnabled(enabled)
        self.code_button.setEnabled(enabled)

    @staticmethod
    def _show(label: QLabel, text: str, *, ok: bool | None) -> None:
        label.setText(text)
        label.setStyleSheet("" if ok is None else OK_STYLE if ok else ERROR_STYLE)

    # --- closing -------------------------------------------------------------------

    def accept(self) -> None:
        settings = self.context.settings
        if self.interval.value() != settings.sync_interval_minutes:
            settings.sync_interval_minutes = self.interval.value()
            self.controller.set_interval_minutes(self.interval.value())
        language = self.language.currentData()
        changed_language = language != settings.language
        settings.language = language
        settings.sync()
        super().accept()
        if changed_language:
            self.language_changed.emit(language)

    def done(self, result: int) -> None:
        # The controller outlives the dialog: stop listening to it.
        for signal, slot in ((self.controller.registered, self._on_registered),
                             (self.controller.registration_failed, self._on_registration_failed),
                             (self.controller.connection_checked, self._on_connection_checked)):
            try:
                signal.disconnect(slot)
            except TypeError:
                pass
        super().done(result)
