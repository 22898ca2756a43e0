"""Choosing and installing the window's language: our texts, Qt's own (standard buttons,
context menus), and the locale that numbers and dates are written in."""
from __future__ import annotations

import logging

from desktop_client.i18n import LANGUAGES, SOURCE_LANGUAGE, TRANSLATED_LANGUAGES, qm_path, ts_path
from desktop_client.i18n.compile import compile_translations, is_stale
from desktop_client.qt import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from desktop_client.ui.app_settings import LANGUAGE_SYSTEM

logger = logging.getLogger(__name__)

# Shown in the language's own words, so a person who cannot read the current language
# still finds theirs.
LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}

_LOCALES = {"ru": (QLocale.Russian, QLocale.Russia)}


def system_language() -> str:
    """The first of the computer's preferred languages this window speaks; else English."""
    for name in QLocale.system().uiLanguages():
        code = name.replace("_", "-").split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return SOURCE_LANGUAGE


def resolve_language(choice: str) -> str:
    return system_language() if choice == LANGUAGE_SYSTEM or choice not in LANGUAGES else choice


def locale_for(language: str) -> QLocale:
    if language in _LOCALES:
        return QLocale(*_LOCALES[language])
    system = QLocale.system()
    # Keep the computer's own English conventions (en_GB, en_US...) when it has some.
    return system if system.language() == QLocale.English else QLocale(QLocale.English)


class Translations:
    """The translators installed in the application; ``install`` replaces them."""

    def __init__(self, app: QCoreApplication) -> None:
        self._app = app
        self._installed: list[QTranslator] = []
        self.language = SOURCE_LANGUAGE

    def install(self, choice: str) -> str:
        """Install the language ``choice`` (or the system's); return the language used."""
        language = resolve_language(choice)
        self.uninstall()
        QLocale.setDefault(locale_for(language))
        self.language = language
        if language == SOURCE_LANGUAGE:
            return language
        ours = QTranslator(self._app)
        if _ensure_compiled(language) and ours.load(str(qm_path(language))):
            self._install(ours)
        else:
            logger.warning("No compiled translation for %s; run `make setup`. Texts stay in English.", language)
        qt_own = QTranslator(self._app)
        if qt_own.load(f"qtbase_{language}", QLibraryInfo.location(QLibraryInfo.TranslationsPath)):
            self._install(qt_own)
        return language

    def uninstall(self) -> None:
        """Take back what ``install`` did (for a program that goes on without this window)."""
        for translator in self._installed:
            self._app.removeTranslator(translator)
        self._installed = []
        QLocale.setDefault(QLocale.system())
        self.language = SOURCE_LANGUAGE

    def _install(self, translator: QTranslator) -> None:
        self._app.installTranslator(translator)
        self._installed.append(translator)


def _ensure_compiled(language: str) -> bool:
    """A checkout run without ``make setup`` compiles its translations on first use."""
    if language not in TRANSLATED_LANGUAGES or not ts_path(language).exists():
        return qm_path(language).exists()
    if is_stale(language):
        try:
            compile_translations(languages=[language])
        except OSError:  # an installation without write access keeps what it shipped
            logger.warning("Could not compile the %s translation", language, exc_info=True)
    return qm_path(language).exists()
