"""Fixtures of the window's tests: offscreen Qt (pytest-qt), a node database and window
preferences of the test's own, and the window built on them.

Qt warnings fail these tests (``qt_log_level_fail``) with one exception: the offscreen
platform does not implement ``propagateSizeHints`` and says so whenever a window with
size limits is shown. That is about the test platform, not the window.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

# Before any QApplication exists: Qt warns when the runtime folder is missing.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if not os.environ.get("XDG_RUNTIME_DIR"):
    os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="site-sync-runtime-")

from desktop_client.qt import QSettings  # noqa: E402
from desktop_client.store import Store, open_store  # noqa: E402
from desktop_client.sync import RetryPolicy  # noqa: E402
from desktop_client.ui import prompts  # noqa: E402
from desktop_client.ui.app import DesktopApp  # noqa: E402
from desktop_client.ui.app_settings import AppSettings  # noqa: E402
from tests.ui.driving import PromptAnswers  # noqa: E402

UI_TESTS = Path(__file__).resolve().parent
# A failed exchange fails the sync at once: these tests wait for outcomes, not backoffs.
NO_RETRIES = RetryPolicy(retries=0)
OFFSCREEN_LIMITATION = "This plugin does not support propagateSizeHints"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if UI_TESTS in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_LIMITATION))


@pytest.fixture
def node_store(tmp_path) -> Store:
    store = open_store(tmp_path / "node.sqlite3")
    yield store
    store.close()


@pytest.fixture
def ui_settings(tmp_path) -> AppSettings:
    settings = AppSettings(QSettings(str(tmp_path / "window.ini"), QSettings.IniFormat))
    settings.language = "en"
    return settings


@pytest.fixture(autouse=True)
def answers(monkeypatch) -> PromptAnswers:
    """Questions the window asks are answered from the test's script; an unexpected one
    fails the test instead of blocking it."""
    scripted = PromptAnswers()
    monkeypatch.setattr(prompts, "confirm", scripted.confirm)
    monkeypatch.setattr(prompts, "warn", scripted.warn)
    monkeypatch.setattr(prompts, "inform", scripted.inform)
    return scripted


@pytest.fixture
def make_desktop(qapp, qtbot, node_store, ui_settings) -> Callable[..., DesktopApp]:
    """Build the window on the test's database; its sync thread is stopped afterwards and
    the translations it installed are taken back."""
    made: list[DesktopApp] = []

    def make(*, transport_factory=None, language: str = "en", sync_at_once: bool = False,
             retry_policy: RetryPolicy = NO_RETRIES) -> DesktopApp:
        ui_settings.language = language
        extra = {"transport_factory": transport_factory} if transport_factory is not None else {}
        desktop = DesktopApp(qapp, node_store, ui_settings, retry_policy=retry_policy, **extra)
        made.append(desktop)
        desktop.start(sync_at_once=sync_at_once)
        qtbot.waitExposed(desktop.window)
        return desktop

    yield make
    for desktop in made:
        desktop.shutdown()
        # Closed here rather than by qtbot: a change of language replaces (and deletes) the window.
        desktop.window.close()
        desktop.window.deleteLater()
        desktop.translations.uninstall()
