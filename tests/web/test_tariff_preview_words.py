"""The tariff screens' words and numbers: the preview's trace rows in the user's
language (web/engine_texts.py names every trace key and rule text the engine
writes) with no Python value on screen, and unit prices as stored (up to 6
decimals), not rounded to the cent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.utils import translation

from builders import preview_get
from meterbill.engine import components as engine
from meterbill.engine.components import (
    STANDARD_NAMES,
    BlockPrice,
    ExciseTax,
    FixedCharge,
    FormulaCharge,
    MaximumCharge,
    MinimumCharge,
    SeasonalPrice,
    TariffVersion,
    UnitPrice,
    Usage,
    VatRates,
    rate_period,
)
from meterbill.engine.contract_charges import MONTHLY_RULE, ONCE_RULE
from meterbill.engine.formula import compile_formula
from meterbill.web import engine_texts, tariff_preview
from meterbill.web.engine_texts import TRACE_KEYS, TRACE_PATTERNS, TRACE_TEXTS
from meterbill.web.tariff_preview import trace_rows
from meterbill.web.templatetags.meterbill import price

VAT = [VatRates(date(2025, 1, 1), {"S": D(19)})]
BLOCKS = ((D(3), D("1.5")), (D(6), D("2.1")), (None, D(3)))


def every_kind():
    """One component of each kind the preview rates without hourly load."""
    formula = compile_formula("area * 0.35", STANDARD_NAMES)
    return [
        FixedCharge("F", "Standing", amount_per_month=D(2)),
        FixedCharge("FM", "Per meter", amount_per_month=D(1), per="meter"),
        UnitPrice("U", "Water", unit_price=D("0.495")),
        ExciseTax("X", "Excise", unit_price=D("0.0012")),
        BlockPrice("B", "Blocks", blocks=BLOCKS),
        BlockPrice("BA", "Blocks", blocks=BLOCKS, basis="all_units"),
        SeasonalPrice("S", "Heat", prices_by_month=tuple(D(m) for m in range(1, 13))),
        FormulaCharge("FA", "Cleaning", formula=formula),
        FormulaCharge("FQ", "Waste", formula=formula, quantity=formula),
        MinimumCharge("MIN", "Minimum", amount_per_month=D(1000)),
        MaximumCharge("MAX", "Maximum", amount_per_month=D(1)),
    ]


def lines(components, quantity="20"):
    version = TariffVersion("T", date(2025, 1, 1), "RON", tuple(components))
    usage = Usage(
        date(2025, 6, 1),
        date(2025, 7, 31),
        D(quantity),
        {"area": D(50), "meters": D(2)},
    )
    return rate_period([version], VAT, usage).lines


def known(text):
    return text in TRACE_TEXTS or any(
        pattern.fullmatch(text) for pattern, _w in TRACE_PATTERNS
    )


def test_every_trace_key_and_rule_text_of_the_engine_has_an_entry():
    traces = [line.trace for line in lines(every_kind())]
    # min and max: one tops up (20 units are less than 1000 a month), one caps
    assert {t["component"] for t in traces} >= {"B", "BA", "MIN", "MAX", "FQ"}

    keys = {key for trace in traces for key in trace}
    rules = {trace["rule"] for trace in traces}

    assert keys - set(TRACE_KEYS) == set()
    assert [rule for rule in rules if not known(rule)] == []
    # the rule texts of the hourly and contract-charge traces too
    others = [engine.TOU_RULE, "URDB demand charge (SAM utilityrate5)"]
    assert [
        rule for rule in [*others, MONTHLY_RULE, ONCE_RULE] if not known(rule)
    ] == []


def test_every_row_of_a_trace_goes_through_the_catalogue(monkeypatch):
    # a catalogue that marks what it translated
    def marked(text):
        return f"«{text}»"

    monkeypatch.setattr(engine_texts, "gettext", marked)
    monkeypatch.setattr(tariff_preview, "_", marked)

    for line in lines(every_kind()):
        rows = trace_rows(line.trace)
        names = [name for name, _v in rows]
        # a formula's call rows keep the call as written after the name
        assert all(name.startswith("«") for name in names), names
        assert rows[0][1].startswith("«"), rows  # the rule


def test_it_words_the_block_patterns_with_their_number(monkeypatch):
    monkeypatch.setattr(engine_texts, "gettext", lambda text: "!" + text)
    text = engine_texts.trace_text

    assert text("block 2 (incremental), limits × months") == (
        "!block 2 (incremental), limits × months"
    )
    assert text("block 12 (all_units), limits × months") == (
        "!block 12 (all units), limits × months"
    )
    assert text("period 3") == "!period 3"
    assert text("flat") == "!flat"
    # a text not known is shown as it is
    assert text("block 2 (other), limits") == "block 2 (other), limits"


def test_the_open_last_block_has_no_limit_and_no_python_value_shows():
    [*_first, last] = lines([BlockPrice("B", "Blocks", blocks=BLOCKS)])

    rows = dict(trace_rows(last.trace))

    assert rows["block up to"] == "no limit"
    assert rows["rule"] == "block 3 (incremental), limits × months"
    assert not any(value in ("None", "") for value in rows.values())


def test_it_shows_dates_in_the_users_format_and_a_span_of_days_as_one():
    trace = {"month": date(2025, 6, 1), "days": [date(2025, 6, 1), date(2025, 6, 30)]}

    with translation.override("en"):
        rows = dict(trace_rows(trace))

    assert rows["month"] == "June 2025"
    assert rows["days"].count(" – ") == 1
    assert "datetime" not in rows["days"]
    assert tariff_preview.trace_value("block_from", None) == "–"


@pytest.mark.parametrize(
    ("value", "language", "currency", "shown"),
    [
        (D("0.495"), "en", "", "0.495"),
        (D("0.0012"), "en", "", "0.0012"),
        (D("0.001200"), "ro", "", "0,0012"),
        (D("5"), "en", "", "5.00"),
        (D("1234.5"), "ro", "", "1.234,50"),
        (D("0.123456"), "en", "RON", "0.123456 RON"),
        (D("0.495"), "ro", "RON", "0,495 RON"),
        (None, "en", "", "–"),
    ],
)
def test_a_unit_price_shows_as_stored(value, language, currency, shown):
    with translation.override(language):
        assert price(value, currency) == shown


@pytest.mark.django_db
def test_the_preview_page_leaves_no_trace_word_to_the_engine(
    small_building, alice, client_for, monkeypatch
):
    # a catalogue that words every trace text in its own way
    monkeypatch.setattr(engine_texts, "gettext", lambda text: "tradus")
    version = small_building["tariff"].versions.get()

    response = preview_get(
        client_for(alice),
        version,
        small_building["apartments"][0],
        "2026-11-01",
        "2026-11-30",
        consumption="10",
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<dt>tradus</dt>" in html
    assert "<code>tradus</code>" in html  # the rules
    assert "quantity × unit price" not in html
    assert "fixed charge per month × months" not in html
    assert "<dt>rule</dt>" not in html
