"""The sentences of the core and the server, in the window's language.

Validation messages come from ``sync_protocol.codecs``, the services and the server in
English, and the window shows them beside the field they are about. The known ones are
recognised by pattern here and said again in the window's language (and, in English,
in the words of a form rather than of the wire format: 'Enter a number' instead of
'a decimal number written as a string'). A sentence not recognised is shown as it came:
better English than nothing.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from desktop_client.qt import QCoreApplication

translate = QCoreApplication.translate


def fill(template: str, *values: object) -> str:
    """Qt's ``%1``, ``%2`` placeholders (the translator may reorder them)."""
    for number, value in reversed(list(enumerate(values, start=1))):
        template = template.replace(f"%{number}", str(value))
    return template


def _required(match: re.Match) -> str:
    return translate("CoreMessages", "Fill in this field.")


def _too_long(match: re.Match) -> str:
    return fill(translate("CoreMessages", "Use at most %1 characters."), match[1])


def _not_a_number(match: re.Match) -> str:
    return translate("CoreMessages", "Enter a number, such as 12.5.")


def _not_whole(match: re.Match) -> str:
    return translate("CoreMessages", "Enter a whole number.")


def _places_after(match: re.Match) -> str:
    return fill(translate("CoreMessages", "Use at most %1 digits after the decimal point."), match[1])


def _places_before(match: re.Match) -> str:
    return fill(translate("CoreMessages", "The number is too large: at most %1 digits before the decimal point."),
                match[1])


def _at_least(match: re.Match) -> str:
    return fill(translate("CoreMessages", "Must be at least %1."), match[1])


def _at_most(match: re.Match) -> str:
    return fill(translate("CoreMessages", "Must be at most %1."), match[1])


def _not_a_date(match: re.Match) -> str:
    return translate("CoreMessages", "Enter a valid date.")


def _choice(match: re.Match) -> str:
    return translate("CoreMessages", "Choose one of the offered values.")


def _missing_reference(match: re.Match) -> str:
    if match[1] == "user":
        return translate("CoreMessages", "This person is not on this computer; choose another or sync first.")
    return translate("CoreMessages", "This work item is not on this computer; choose another or sync first.")


def _line_elsewhere(match: re.Match) -> str:
    return translate("CoreMessages", "This line belongs to another record.")


def _duplicate_line(match: re.Match) -> str:
    return translate("CoreMessages", "Another line of this record has the same id.")


def _exists_here(match: re.Match) -> str:
    return translate("CoreMessages", "A record with this id already exists.")


def _taken_on_server(match: re.Match) -> str:
    return translate("CoreMessages", "Another record on the server already has this value.")


def _refused_by_database(match: re.Match) -> str:
    return translate("CoreMessages", "The server's database refused this record.")


_PATTERNS: tuple[tuple[re.Pattern, Callable[[re.Match], str]], ...] = tuple(
    (re.compile(pattern), handler)
    for pattern, handler in (
        (r"^This field is required\.$", _required),
        (r"^This field may not be null\.$", _required),
        (r"^This field may not be blank\.$", _required),
        (r"^This field cannot be (?:blank|null)\.$", _required),
        (r"^Must have at most (\d+) characters\.$", _too_long),
        (r"^Ensure this value has at most (\d+) characters.*$", _too_long),
        (r"^Must be a decimal number.*$", _not_a_number),
        (r"^Must be a whole number\.$", _not_whole),
        (r"^Must have at most (\d+) digits after the decimal point\.$", _places_after),
        (r"^Must have at most (\d+) digits before the decimal point\.$", _places_before),
        (r"^Must be at least (\S+?)\.$", _at_least),
        (r"^Ensure this value is greater than or equal to (\S+?)\.$", _at_least),
        (r"^Must be at most (\S+?)\.$", _at_most),
        (r"^Ensure this value is less than or equal to (\S+?)\.$", _at_most),
        (r"^Must be a (?:real calendar )?date written as YYYY-MM-DD\.$", _not_a_date),
        (r"^Must be one of: .*$", _choice),
        (r"^There is no (.+) with this id on this computer\.$", _missing_reference),
        (r"^This line belongs to another record\.$", _line_elsewhere),
        (r"^Another line of this record has the same id\.$", _duplicate_line),
        (r"^A record with this id already exists\.$", _exists_here),
        (r"^(.+) with this (.+) already exists\.$", _taken_on_server),
        (r"^The database refused this record\.$", _refused_by_database),
    )
)


def translated_message(text: str) -> str:
    for pattern, handler in _PATTERNS:
        match = pattern.match(text)
        if match:
            return handler(match)
    return text


def translated_messages(texts: list[str] | tuple[str, ...]) -> list[str]:
    return [translated_message(str(text)) for text in texts]
