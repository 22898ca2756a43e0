"""Screenshots of the window in every language, for the README and docs.

    python -m desktop_client.ui.screenshots docs/screenshots

Each language gets a fresh database filled by ``screenshot_data`` through the real
sync worker, then the main window, an estimate editor, a new report refused with its
reasons, the settings and the review dialog (conflicts and rejections) are drawn with
``QWidget.grab()``. Runs offscreen; the Fusion style and the DejaVu font make the
pictures the same on every machine.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from desktop_client.i18n import LANGUAGES
from desktop_client.qt import QApplication, QEventLoop, QFont, QSettings, QTimer, QWidget
from desktop_client.store import open_store
from desktop_client.ui.app import DesktopApp
from desktop_client.ui.app_settings import AppSettings
from desktop_client.ui.screenshot_data import TEXTS, DemoStory, demo_server, prepare_demo
from desktop_client.ui.sync_controller import SyncController

WINDOW_SIZE = (1220, 720)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop_client.ui.screenshots", description=__doc__.split("\n")[0])
    parser.add_argument("output", type=Path, help="the folder to write the PNG files to")
    parser.add_argument("--language", choices=LANGUAGES, action="append", help="only these (default: all)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    app.setFont(QFont("DejaVu Sans", 10))
    args.output.mkdir(parents=True, exist_ok=True)
    for language in args.language or LANGUAGES:
        for path in take_screenshots(app, language, args.output):
            print(f"wrote {path}")
    return 0


def take_screenshots(app: QApplication, language: str, output: Path) -> list[Path]:
    with tempfile.TemporaryDirectory(prefix="site-sync-screens-") as scratch:
        store = open_store(Path(scratch) / "node.sqlite3")
        settings = AppSettings(QSettings(str(Path(scratch) / "settings.ini"), QSettings.IniFormat))
        settings.language = language
        server = demo_server(language)
        desktop = DesktopApp(app, store, settings, transport_factory=lambda url: server)
        try:
            desktop.controller.start(sync_at_once=False)
            story = prepare_demo(store, server, language, run_sync=lambda: _sync_and_wait(desktop.controller))
            return _draw(desktop, story, language, output)
        finally:
            desktop.shutdown()
            desktop.window.close()
            desktop.translations.uninstall()
            store.close()


def _draw(desktop: DesktopApp, story: DemoStory, language: str, output: Path) -> list[Path]:
    window = desktop.window
    desktop.context.notify_data_changed()
    window.resize(*WINDOW_SIZE)
    window.show()
    written = []

    def save(widget: QWidget, name: str) -> None:
        _settle()
        path = output / f"{name}-{language}.png"
        widget.grab().save(str(path))
        written.append(path)

    window.show_page("daily_report").select_record(story.new_report)
    save(window, "main-window")

    page = window.show_page("estimate")
    page.select_record(next(view.id for view in page.visible_records() if view.values["number"] == "E-101"))
    editor = window.edit_record()
    editor.resize(1100, 560)
    save(editor, "estimate-editor")
    editor.dirty = False
    editor.reject()

    window.show_page("daily_report")
    editor = window.new_record()
    editor.resize(1000, 620)
    editor.form.inputs["site"].setText(TEXTS[language]["sites"][1])
    editor.lines_editor.add_line()
    row = editor.lines_model.rowCount() - 1
    editor.lines_model.setData(editor.lines_model.index(row, _column(editor, "description")),
                               TEXTS[language]["line_notes"][0])
    editor.lines_model.setData(editor.lines_model.index(row, _column(editor, "quantity")), "12,5")
    editor.lines_model.setData(editor.lines_model.index(row, _column(editor, "hours")), "30")
    editor.save()
    # Without a selection the marked cells show their colour.
    editor.lines_editor.table.setCurrentIndex(editor.lines_model.index(-1, -1))
    editor.lines_editor.table.clearSelection()
    save(editor, "report-editor-errors")
    editor.dirty = False
    editor.reject()

    settings = window.open_settings()
    settings.computer_name.setText("FOREMAN-LAPTOP-07")
    settings.adjustSize()
    save(settings, "settings")
    settings.reject()

    review = window.open_review()
    save(review, "conflicts")
    review.tabs.setCurrentIndex(1)
    save(review, "rejected-changes")
    review.reject()
    return written


def _column(editor, name: str) -> int:
    return next(index for index, column in enumerate(editor.lines_model.columns) if column.name == name)


def _sync_and_wait(controller: SyncController, timeout_ms: int = 30_000) -> None:
    loop = QEventLoop()
    outcome: list[object] = []
    done: Callable[[object], None] = lambda result: (outcome.append(result), loop.quit())  # noqa: E731
    controller.sync_finished.connect(done)
    controller.sync_failed.connect(done)
    QTimer.singleShot(timeout_ms, loop.quit)
    controller.sync_now()
    loop.exec_()
    controller.sync_finished.disconnect(done)
    controller.sync_failed.disconnect(done)
    if not outcome or isinstance(outcome[0], Exception):
        raise RuntimeError(f"The demo sync did not finish: {outcome[0] if outcome else 'timed out'}")


def _settle() -> None:
    """Let layouts and deferred updates run before a picture is taken."""
    for _ in range(5):
        QApplication.processEvents()


if __name__ == "__main__":
    raise SystemExit(main())
