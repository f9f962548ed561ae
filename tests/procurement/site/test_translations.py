"""The English catalogue is complete, consistent and in step with the sources.

These tests read files only (no `app` fixture, no database). When one fails after you changed
user-facing text: run `make translations`, translate the new entries in
procurement/translations/en/LC_MESSAGES/messages.po (and drop their `#, fuzzy` flags).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
TRANSLATIONS = ROOT / "procurement" / "translations"
POT_PATH = TRANSLATIONS / "messages.pot"
EN_PO_PATH = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
BABEL_CFG = ROOT / "babel.cfg"
# The directories `make translations` extracts from, each one its own root for babel.cfg's patterns.
SOURCE_DIRS = ("procurement", "workflows", "templates")
# `_`, `gettext`, `ngettext`, `N_` (workflows' marker) are among Babel's defaults; the views and
# forms use `lazy_gettext as _l`.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
FIX_HINT = "Run `make translations` and translate procurement/translations/en/LC_MESSAGES/messages.po."

# A %-style conversion: `%(name)s`, `%d`, `%.2f`, `%%` ...
PLACEHOLDER_RE = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")
NAMED_PLACEHOLDER_RE = re.compile(r"%\([^)]*\)")


@dataclass
class Extraction:
    messages: dict[tuple[str, str | None], set[str]] = field(default_factory=dict)
    files_with_method: set[str] = field(default_factory=set)


def _load(path: Path) -> Catalog:
    with path.open("rb") as fileobj:
        return read_po(fileobj, abort_invalid=True)


def _forms(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _key(message: Message) -> tuple[str, str | None]:
    return _forms(message.id)[0], message.context


def _describe(msgids: object) -> str:
    return "\n".join(f"  - {msgid!r}" for msgid in sorted(msgids, key=str))


@pytest.fixture(scope="module")
def en_catalog() -> Catalog:
    return _load(EN_PO_PATH)


@pytest.fixture(scope="module")
def extraction() -> Extraction:
    """Extract exactly as `make translations` does: babel.cfg's mapping over each source dir."""
    with BABEL_CFG.open(encoding="utf-8") as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, str(BABEL_CFG))
    result = Extraction()
    for source_dir in SOURCE_DIRS:
        # Babel reports file names relative to the directory it walks.
        def seen(
            filename: str, method: str, options: dict[str, object], source_dir: str = source_dir
        ) -> None:
            result.files_with_method.add(f"{source_dir}/{filename}")

        for filename, lineno, message, _comments, context in extract_from_dir(
            ROOT / source_dir, method_map, options_map, keywords=KEYWORDS, callback=seen
        ):
            msgid = _forms(message)[0]
            result.messages.setdefault((msgid, context), set()).add(f"{source_dir}/{filename}:{lineno}")
    return result


def test_po_header_is_english_utf8_with_english_plural_forms(en_catalog: Catalog) -> None:
    assert en_catalog.locale_identifier == "en"
    assert en_catalog.charset.lower() in {"utf-8", "utf8"}
    assert en_catalog.num_plurals == 2
    assert en_catalog.plural_expr == "(n != 1)"


def test_every_message_is_translated_and_none_is_fuzzy(en_catalog: Catalog) -> None:
    messages = [message for message in en_catalog if message.id]
    assert messages, "the English catalogue is empty"
    untranslated = [
        message.id for message in messages if not all(form.strip() for form in _forms(message.string))
    ]
    fuzzy = [message.id for message in messages if message.fuzzy]
    problems = []
    if untranslated:
        problems.append(
            f"{len(untranslated)} message(s) without English translation:\n" + _describe(untranslated)
        )
    if fuzzy:
        problems.append(
            f"{len(fuzzy)} fuzzy message(s), check them and remove `#, fuzzy`:\n" + _describe(fuzzy)
        )
    assert not problems, "\n".join(problems)


def test_translations_keep_the_placeholders(en_catalog: Catalog) -> None:
    mismatched = []
    for message in en_catalog:
        if not message.id:
            continue
        ids, strings = _forms(message.id), _forms(message.string)
        if not (message.python_format or any(NAMED_PLACEHOLDER_RE.search(form) for form in strings)):
            continue
        expected = {placeholder for form in ids for placeholder in PLACEHOLDER_RE.findall(form)}
        found = {placeholder for form in strings for placeholder in PLACEHOLDER_RE.findall(form)}
        if expected != found:
            mismatched.append(f"{message.id!r}: msgid has {sorted(expected)}, msgstr has {sorted(found)}")
    assert not mismatched, "placeholders differ between msgid and msgstr:\n" + "\n".join(mismatched)
    # Babel's own checkers (python-format, number of plural forms), as `pybabel compile` runs them.
    problems = [f"{message.id!r}: {'; '.join(map(str, errors))}" for message, errors in en_catalog.check()]
    assert not problems, "\n".join(problems)


def test_extraction_covers_every_source_file_and_template(extraction: Extraction) -> None:
    # babel.cfg's patterns are relative to each source dir: a pattern that matches nothing would
    # silently leave a whole kind of file untranslatable.
    expected = {
        path.relative_to(ROOT).as_posix()
        for source_dir in SOURCE_DIRS
        for path in (ROOT / source_dir).rglob("*")
        if path.suffix in {".py", ".html", ".txt"} and "__pycache__" not in path.parts
    }
    assert expected, "no source files found"
    missed = sorted(expected - extraction.files_with_method)
    assert not missed, "babel.cfg maps no extraction method to:\n" + _describe(missed)
    extracted_from = {where.rsplit(":", 1)[0] for wheres in extraction.messages.values() for where in wheres}
    marked_but_empty = sorted(
        path
        for path in expected
        if path.endswith((".html", ".txt"))
        and "_(" in (ROOT / path).read_text(encoding="utf-8")
        and path not in extracted_from
    )
    assert not marked_but_empty, "templates with _() but no extracted message:\n" + _describe(
        marked_but_empty
    )


def test_pot_is_up_to_date_with_the_sources(extraction: Extraction) -> None:
    pot_keys = {_key(message) for message in _load(POT_PATH) if message.id}
    missing = {key: extraction.messages[key] for key in extraction.messages.keys() - pot_keys}
    stale = pot_keys - extraction.messages.keys()
    assert not missing, (
        f"messages.pot lacks {len(missing)} message(s) from the sources. {FIX_HINT}\n"
        + "\n".join(f"  - {msgid!r} ({', '.join(sorted(where))})" for (msgid, _), where in missing.items())
    )
    assert not stale, f"messages.pot has message(s) no longer in the sources. {FIX_HINT}\n" + _describe(
        msgid for msgid, _ in stale
    )


def test_every_source_message_is_in_the_english_catalogue(
    extraction: Extraction, en_catalog: Catalog
) -> None:
    missing = {
        (msgid, context): where
        for (msgid, context), where in extraction.messages.items()
        if en_catalog.get(msgid, context=context) is None
    }
    assert not missing, (
        f"{len(missing)} user-facing message(s) have no English entry. {FIX_HINT}\n"
        + "\n".join(f"  - {msgid!r} ({', '.join(sorted(where))})" for (msgid, _), where in missing.items())
    )
