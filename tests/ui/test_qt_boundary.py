"""Where Qt may be imported, and how the window is started."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
PACKAGE = REPOSITORY / "desktop_client"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_the_qt_module_imports_pyqt():
    importers = sorted(
        str(path.relative_to(REPOSITORY)) for path in PACKAGE.rglob("*.py")
        if any(name.split(".")[0] in ("PyQt5", "PyQt6", "PySide2", "PySide6") for name in _imported_modules(path))
    )
    assert importers == ["desktop_client/qt.py"]


def test_widgets_reach_data_only_through_the_services():
    """No SQL, HTTP or store internals in the window: it calls ``desktop_client.services``
    (and the sync worker wraps the engine)."""
    allowed_core = {"desktop_client.services", "desktop_client.store", "desktop_client.sync",
                    "desktop_client.sync.transport", "desktop_client.sync.engine"}
    offenders = {}
    for path in (PACKAGE / "ui").rglob("*.py"):
        if path.name in ("screenshot_data.py",):
            continue
        for name in _imported_modules(path):
            top = name.split(".")[0]
            core = name.startswith(("desktop_client.store", "desktop_client.sync", "desktop_client.services"))
            if top in ("sqlalchemy", "requests", "sqlite3", "urllib", "http") or (core and name not in allowed_core):
                offenders.setdefault(str(path.relative_to(REPOSITORY)), []).append(name)
    assert offenders == {}


def test_python_m_desktop_client_without_a_command_opens_the_window(tmp_path):
    probe = textwrap.dedent(f"""
        import sys
        from desktop_client.qt import QApplication, QTimer
        from desktop_client.ui import app as window_app

        started = window_app.DesktopApp.start

        def start_and_report(self, **options):
            started(self, sync_at_once=False)

            def report():
                print("window:", self.window.objectName(), self.window.isVisible(), self.window.windowTitle())
                QApplication.quit()

            QTimer.singleShot(0, report)

        window_app.DesktopApp.start = start_and_report
        from desktop_client.cli import main
        sys.exit(main(["--db", {str(tmp_path / "node.sqlite3")!r}]))
    """)
    environment = os.environ | {"QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
                                "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_RUNTIME_DIR": str(tmp_path),
                                "LANGUAGE": "en", "LC_ALL": "C.UTF-8"}
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPOSITORY, env=environment, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "window: mainWindow True Site sync" in done.stdout
    assert (tmp_path / "node.sqlite3").exists()
