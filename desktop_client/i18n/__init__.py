"""The window's translations: Qt Linguist ``.ts`` sources (committed) and the compiled
``.qm`` files Qt loads (built by ``python -m desktop_client.i18n.compile``, kept out of git).

English is the source language: the texts in the code are English, so English needs no file.
"""
from __future__ import annotations

from pathlib import Path

TRANSLATIONS_DIR = Path(__file__).resolve().parent
CATALOGUE = "site_sync"
SOURCE_LANGUAGE = "en"
TRANSLATED_LANGUAGES = ("ru",)
LANGUAGES = (SOURCE_LANGUAGE, *TRANSLATED_LANGUAGES)


def ts_path(language: str) -> Path:
    return TRANSLATIONS_DIR / f"{CATALOGUE}_{language}.ts"


def qm_path(language: str) -> Path:
    return TRANSLATIONS_DIR / f"{CATALOGUE}_{language}.qm"
