"""Compile Qt Linguist ``.ts`` files into the ``.qm`` files ``QTranslator`` loads.

Why not ``lrelease``: PyQt5's wheels ship ``pylupdate5`` (which extracts the texts) but
not ``lrelease``, and Debian's comes with a whole Qt development toolchain. The part of
the ``.qm`` format that plain texts need is small and stable since Qt 4, so it is written
here, with the standard library only (no Qt: this runs in ``make setup``).

The file is what ``lrelease`` writes in its "save everything" mode: the magic number,
then tagged sections (tag byte, big-endian 32-bit length, bytes):

- ``Language``: the target language as UTF-8;
- ``Hashes``: pairs (ELF hash of source text + comment, offset into ``Messages``), sorted,
  which ``QTranslator`` searches by binary search;
- ``Messages``: per message, the translation (UTF-16BE, as ``QDataStream`` writes a
  QString), the comment, source text and context (UTF-8 byte strings), then an end tag.

Plural forms (``numerus="yes"``) are refused rather than written wrongly: the window's
texts are phrased without them ("Not sent: 3").

    python -m desktop_client.i18n.compile            # every .ts here, when out of date
    python -m desktop_client.i18n.compile --force    # all of them again
"""
from __future__ import annotations

import argparse
import struct
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from desktop_client.i18n import TRANSLATED_LANGUAGES, qm_path, ts_path

QM_MAGIC = bytes(
    [0x3C, 0xB8, 0x64, 0x18, 0xCA, 0xEF, 0x9C, 0x95, 0xCD, 0x21, 0x1C, 0xBF, 0x60, 0xA1, 0xBD, 0xDD]
)
# Section tags.
SECTION_HASHES = 0x42
SECTION_MESSAGES = 0x69
SECTION_LANGUAGE = 0xA7
# Message tags.
TAG_END = 1
TAG_TRANSLATION = 3
TAG_SOURCE_TEXT = 6
TAG_CONTEXT = 7
TAG_COMMENT = 8

SKIPPED_TYPES = {"obsolete", "vanished"}  # texts the code no longer has


class TranslationSourceError(ValueError):
    """A .ts file this compiler cannot turn into a correct .qm file."""


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    comment: str
    translation: str
    finished: bool


def read_ts(path: Path) -> tuple[str, list[Message]]:
    """The target language and every current message of a .ts file (empty translations included)."""
    root = ElementTree.parse(path).getroot()
    if root.tag != "TS":
        raise TranslationSourceError(f"{path}: not a Qt Linguist file (root element <{root.tag}>).")
    language = root.get("language") or ""
    messages = []
    for context in root.iter("context"):
        context_name = context.findtext("name") or ""
        for message in context.iter("message"):
            if message.get("numerus") == "yes":
                raise TranslationSourceError(
                    f"{path}: {message.findtext('source')!r} uses plural forms, which this compiler does not write."
                )
            translation = message.find("translation")
            kind = translation.get("type") if translation is not None else "unfinished"
            if kind in SKIPPED_TYPES:
                continue
            messages.append(
                Message(
                    context=context_name,
                    source=message.findtext("source") or "",
                    comment=message.findtext("comment") or "",
                    translation=(translation.text or "") if translation is not None else "",
                    finished=kind != "unfinished",
                )
            )
    return language, messages


def elf_hash(data: bytes) -> int:
    """The hash QTranslator looks messages up by (Qt's ``elfHash``); never 0."""
    value = 0
    for byte in data:
        value = ((value << 4) + byte) & 0xFFFFFFFF
        high = value & 0xF0000000
        if high:
            value ^= high >> 24
        value &= ~high & 0xFFFFFFFF
    return value or 1


def qm_bytes(language: str, messages: Iterable[Message]) -> bytes:
    """The .qm file for ``messages``; untranslated ones are left out, so Qt shows the source."""
    translated = sorted(
        {(m.context, m.source, m.comment): m for m in messages if m.translation}.values(),
        key=lambda m: (m.context.encode(), m.source.encode(), m.comment.encode()),
    )
    message_section = bytearray()
    offsets = []
    for message in translated:
        offsets.append((elf_hash((message.source + message.comment).encode("utf-8")), len(message_section)))
        message_section += _message_bytes(message)
    hash_section = b"".join(struct.pack(">II", hash_, offset) for hash_, offset in sorted(offsets))
    out = bytearray(QM_MAGIC)
    if language:
        out += _section(SECTION_LANGUAGE, language.encode("utf-8"))
    if translated:
        out += _section(SECTION_HASHES, hash_section)
        out += _section(SECTION_MESSAGES, bytes(message_section))
    return bytes(out)


def _message_bytes(message: Message) -> bytes:
    translation = message.translation.encode("utf-16-be")
    parts = [struct.pack(">BI", TAG_TRANSLATION, len(translation)), translation]
    for tag, text in ((TAG_COMMENT, message.comment), (TAG_SOURCE_TEXT, message.source),
                      (TAG_CONTEXT, message.context)):
        encoded = text.encode("utf-8")
        parts += [struct.pack(">BI", tag, len(encoded)), encoded]
    parts.append(struct.pack(">B", TAG_END))
    return b"".join(parts)


def _section(tag: int, payload: bytes) -> bytes:
    return struct.pack(">BI", tag, len(payload)) + payload


def compile_ts(source: Path, target: Path) -> int:
    """Write ``target`` from ``source``; return how many translated messages it holds."""
    language, messages = read_ts(source)
    data = qm_bytes(language, messages)
    temporary = target.with_suffix(".qm.tmp")
    temporary.write_bytes(data)
    temporary.replace(target)  # a half-written file is never loaded
    return sum(1 for message in messages if message.translation)


def is_stale(language: str) -> bool:
    target = qm_path(language)
    return not target.exists() or target.stat().st_mtime < ts_path(language).stat().st_mtime


def compile_translations(*, force: bool = False, languages: Sequence[str] = TRANSLATED_LANGUAGES) -> list[Path]:
    """Compile every language whose .qm is missing or older than its .ts; the files written."""
    written = []
    for language in languages:
        if force or is_stale(language):
            compile_ts(ts_path(language), qm_path(language))
            written.append(qm_path(language))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop_client.i18n.compile", description=__doc__.split("\n")[0])
    parser.add_argument("--force", action="store_true", help="compile even when the .qm file is up to date")
    args = parser.parse_args(argv)
    try:
        for path in compile_translations(force=args.force):
            print(f"compiled {path}")
    except (OSError, ElementTree.ParseError, TranslationSourceError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
