"""Russian and English: the .ts file has every text of the code, every text is translated,
the .qm compiler writes files Qt reads, and the window in Russian shows no English."""
from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from desktop_client.i18n import TRANSLATIONS_DIR, qm_path, ts_path
from desktop_client.i18n.compile import compile_translations, compile_ts, elf_hash, read_ts
from desktop_client.qt import (
    QAbstractButton,
    QAction,
    QCoreApplication,
    QLabel,
    QLocale,
    QTabWidget,
    QTranslator,
    QWidget,
)
from desktop_client.ui.formatting import format_decimal
from tests.ui.driving import seed_site

REPOSITORY = Path(__file__).resolve().parents[2]
PYLUPDATE = Path(shutil.which("pylupdate5") or REPOSITORY / ".venv/bin/pylupdate5")
PLACEHOLDER = re.compile(r"%\d")


def _messages(path: Path) -> set[tuple[str, str]]:
    root = ElementTree.parse(path).getroot()
    return {(context.findtext("name"), message.findtext("source"))
            for context in root.iter("context") for message in context.iter("message")
            if (message.find("translation").get("type") or "") not in ("obsolete", "vanished")}


def test_the_russian_file_lists_exactly_the_texts_of_the_code(tmp_path):
    """``make desktop-messages`` has been run since the texts last changed."""
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(path) for path in (REPOSITORY / "desktop_client" / "ui").rglob("*.py"))
    subprocess.run([str(PYLUPDATE), "-noobsolete", *sources, "-ts", str(fresh)], check=True, capture_output=True,
                   timeout=120)
    assert _messages(fresh) == _messages(ts_path("ru"))


def test_every_text_is_translated_into_russian_with_its_placeholders():
    language, messages = read_ts(ts_path("ru"))
    assert language == "ru" and messages
    untranslated = [m.source for m in messages if not m.finished or not m.translation.strip()]
    assert untranslated == []
    broken = [m.source for m in messages if sorted(PLACEHOLDER.findall(m.source)) != sorted(
        PLACEHOLDER.findall(m.translation))]
    assert broken == []


def test_the_compiled_file_gives_qt_every_translation(qapp, tmp_path):
    target = tmp_path / "site_sync_ru.qm"
    count = compile_ts(ts_path("ru"), target)
    translator = QTranslator()
    assert translator.load(str(target))
    assert translator.language() == "ru"
    _, messages = read_ts(ts_path("ru"))
    assert count == len(messages)
    qapp.installTranslator(translator)
    try:  # looked up the way the window looks them up (UTF-8 texts, through the application)
        wrong = [(m.context, m.source) for m in messages
                 if QCoreApplication.translate(m.context, m.source, m.comment or None) != m.translation]
    finally:
        qapp.removeTranslator(translator)
    assert wrong == []


def test_disambiguated_texts_and_hash_collisions_are_told_apart(tmp_path):
    source = tmp_path / "t.ts"
    source.write_text(
        '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" language="ru"><context><name>C</name>'
        '<message><source>Open</source><comment>verb</comment><translation>Открыть</translation></message>'
        '<message><source>Open</source><comment>state</comment><translation>Открыто</translation></message>'
        '<message><source>Empty</source><translation type="unfinished"></translation></message>'
        '</context></TS>', encoding="utf-8")
    compile_ts(source, tmp_path / "t.qm")
    translator = QTranslator()
    assert translator.load(str(tmp_path / "t.qm"))
    assert (translator.translate("C", "Open", "verb"), translator.translate("C", "Open", "state")) == (
        "Открыть", "Открыто")
    assert translator.translate("C", "Empty") == ""  # Qt falls back to the English text
    assert elf_hash(b"") == 1  # Qt never uses 0


def test_plural_forms_are_refused_rather_than_written_wrongly(tmp_path):
    source = tmp_path / "p.ts"
    source.write_text('<TS language="ru"><context><name>C</name><message numerus="yes"><source>%n rows</source>'
                      '<translation><numerusform>%n строка</numerusform></translation></message></context></TS>',
                      encoding="utf-8")
    with pytest.raises(ValueError, match="plural"):
        read_ts(source)


def test_missing_or_stale_files_are_compiled_and_fresh_ones_left_alone(tmp_path, monkeypatch):
    for path in (ts_path("ru"),):
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setattr("desktop_client.i18n.compile.ts_path", lambda language: tmp_path / f"site_sync_{language}.ts")
    monkeypatch.setattr("desktop_client.i18n.compile.qm_path", lambda language: tmp_path / f"site_sync_{language}.qm")
    assert compile_translations() == [tmp_path / "site_sync_ru.qm"]
    assert compile_translations() == []
    assert TRANSLATIONS_DIR == ts_path("ru").parent == qm_path("ru").parent


def _visible_texts(window: QWidget) -> list[str]:
    texts = []
    for widget in [window, *window.findChildren(QWidget)]:
        if not widget.isVisibleTo(window):
            continue
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
        if isinstance(widget, QTabWidget):
            texts.extend(widget.tabText(index) for index in range(widget.count()))
    texts.extend(action.text() for action in window.findChildren(QAction))
    return texts


# Words that stay as they are in a Russian window: data, addresses, units, key names.
_NOT_ENGLISH = re.compile(r"https?://\S+|\b(?:Ctrl|Shift|Del|F5)\b")


def test_the_russian_window_speaks_russian_numbers_included(qtbot, make_desktop, node_store):
    seed_site(node_store)
    window = make_desktop(language="ru").window
    assert QLocale().language() == QLocale.Russian
    assert window.tabs.tabText(0) == "Ежедневные отчёты"
    assert window.status.state_label.text() == "Не подключён"
    english = [text for text in _visible_texts(window) if re.search(r"[A-Za-z]{3,}", _NOT_ENGLISH.sub("", text))]
    assert english == []
    from decimal import Decimal

    assert format_decimal(Decimal("5400.5"), places=2) == "5\u00a0400,50"
    page = window.show_page("work_specification")
    assert page.model.index(0, 4).data() == "5\u00a0400,00"


def test_the_russian_dialogs_speak_russian_too(qtbot, make_desktop, node_store):
    seed_site(node_store)
    window = make_desktop(language="ru").window
    for dialog in (window.open_settings(), window.new_record(), window.open_review()):
        english = [text for text in _visible_texts(dialog) if re.search(r"[A-Za-z]{3,}", _NOT_ENGLISH.sub("", text))]
        assert english == [], type(dialog).__name__
        dialog.done(0)
