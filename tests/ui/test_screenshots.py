"""The screenshot script draws every picture the README shows, in both languages."""
from __future__ import annotations

import re
from pathlib import Path

from desktop_client.qt import QImage
from desktop_client.ui.screenshots import take_screenshots

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_language_gets_every_picture_with_real_content(qapp, tmp_path):
    written = take_screenshots(qapp, "en", tmp_path) + take_screenshots(qapp, "ru", tmp_path)
    names = sorted(path.name for path in written)
    assert names == sorted(f"{picture}-{language}.png" for language in ("en", "ru") for picture in (
        "main-window", "estimate-editor", "report-editor-errors", "settings", "conflicts", "rejected-changes"))
    for path in written:
        image = QImage(str(path))
        assert image.width() >= 500 and image.height() >= 400, path.name


def test_the_readme_shows_committed_screenshots():
    shown = re.findall(r"\(docs/screenshots/([\w-]+\.png)\)", README)
    assert shown
    missing = [name for name in shown if not (Path(__file__).resolve().parents[2] / "docs" / "screenshots" / name)
               .exists()]
    assert missing == []
