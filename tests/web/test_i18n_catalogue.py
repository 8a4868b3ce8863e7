"""The Romanian catalogues: every entry translated, none fuzzy, placeholders kept,
three plural forms, the committed .mo files compiled from the .po files, and an entry
for every engine text that screens translate when shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.utils import translation
from django.utils.translation import gettext, ngettext

import meterbill
from meterbill.engine.allocation import KEYS
from meterbill.engine.contract_charges import UNITS_BY_CODE as CHARGE_UNITS
from meterbill.engine.pricing import UNITS_BY_CODE as PRICED_UNITS
from meterbill.engine.validation import RULES
from meterbill.web.engine_texts import KEY_NAMES, UNIT_WORDS

PACKAGE = Path(meterbill.__file__).parent
# One catalogue per locale directory: web/ (LOCALE_PATHS, all apps but the portal)
# and portal/.
CATALOGUES = [
    PACKAGE / "web" / "locale" / "ro" / "LC_MESSAGES" / "django.po",
    PACKAGE / "portal" / "locale" / "ro" / "LC_MESSAGES" / "django.po",
]
# %(name)s, %(n)d, %(char)r, %%, {0}, {name}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[-#0 +]*\d*(?:\.\d+)?[sdrfi]|%%|\{[a-z_0-9]*\}")


def _catalogue(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def _entries(path: Path) -> list[Message]:
    return [m for m in _catalogue(path) if m.id]


def _key(value: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
    """A plural entry's texts as one tuple (the .mo reader gives lists)."""
    return value if isinstance(value, str) else tuple(value)


def _forms(message: Message) -> tuple[str, ...]:
    s = message.string
    return s if isinstance(s, tuple) else (s,)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_it_has_every_entry_translated_and_none_fuzzy(path):
    entries = _entries(path)

    untranslated = [m.id for m in entries if not all(_forms(m))]
    fuzzy = [m.id for m in entries if m.fuzzy]

    assert entries
    assert untranslated == [], f"{path}: untranslated msgids"
    assert fuzzy == [], f"{path}: fuzzy msgids"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_it_keeps_every_placeholder_of_the_english_text(path):
    wrong = []
    for m in _entries(path):
        english = m.id if isinstance(m.id, tuple) else (m.id,)
        wanted = sorted(PLACEHOLDER.findall(english[-1]))
        for form in _forms(m):
            if sorted(PLACEHOLDER.findall(form)) != wanted:
                wrong.append((m.id, form))

    assert wrong == [], f"{path}: placeholders changed"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_it_declares_three_romanian_plural_forms(path):
    catalogue = _catalogue(path)
    plurals = [m for m in _entries(path) if m.pluralizable]

    assert catalogue.num_plurals == 3
    assert all(len(m.string) == 3 for m in plurals)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_it_ships_a_mo_file_compiled_from_the_po_file(path):
    with path.with_suffix(".mo").open("rb") as f:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id}

    source = {_key(m.id): _key(m.string) for m in _entries(path)}

    # A stale .mo (compilemessages not run after an edit) differs here.
    assert compiled == source


def test_it_picks_the_romanian_plural_form_by_number():
    # Romanian: 1 → singular; 0 and 2..19 (also 102..119) → plural; 20 and more,
    # when n % 100 is 0 or from 20 up → "de" + plural.
    def invoices(n):
        return ngettext("%(n)d invoice", "%(n)d invoices", n) % {"n": n}

    with translation.override("ro"):
        words = [invoices(n) for n in (1, 0, 2, 19, 20, 100, 101, 119, 120)]

    assert words == [
        "1 factură",
        "0 facturi",
        "2 facturi",
        "19 facturi",
        "20 de facturi",
        "100 de facturi",
        "101 facturi",
        "119 facturi",
        "120 de facturi",
    ]


def test_it_translates_every_engine_text_that_screens_show():
    descriptions = [rule.description for rule in RULES.values()]
    names = [KEY_NAMES.get(key, key) for key in sorted(KEYS)]
    # Unit words, not symbols such as kWh.
    units = sorted(
        {u for u in [*PRICED_UNITS.values(), *CHARGE_UNITS.values()] if u.islower()}
    )

    with translation.override("ro"):
        english = [t for t in descriptions + names + units if gettext(t) == t]

    # An engine text without an entry in web/engine_texts.py stays English.
    assert english == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_it_writes_s_and_t_with_the_comma_below(path):
    # ş and ţ (cedilla) are the old, wrong code points for Romanian ș and ț.
    cedilla = [m.id for m in _entries(path) if re.search("[şţŞŢ]", "".join(_forms(m)))]

    assert cedilla == []


def test_it_lists_every_unit_word_of_the_engine():
    words = {u for u in [*PRICED_UNITS.values(), *CHARGE_UNITS.values()] if u.islower()}

    assert words <= set(UNIT_WORDS)
