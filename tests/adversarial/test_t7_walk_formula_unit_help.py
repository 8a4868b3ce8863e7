"""T7 (new user's walk): the formula form promises the utility's unit code.

The formula component's "UN/ECE unit code" field says "Empty: the utility's unit
code." (the help text shared with unit price, excise, block and seasonal), but an
empty field gives a formula line the code C62 ("one", docs/tariffs.md): the walk's
formula `consumption * 2.15` priced per m3 with the quantity formula `consumption`
comes out in the preview (and on the invoice) as "10 C62", not "10 MTQ".

docs/tariffs.md documents C62 for a formula, with or without a quantity formula
(tariffs.compile._formula), so the help text now says so; the utility's code is
typed when the quantity is the consumption."""

from __future__ import annotations

from builders import preview_get
from meterbill.tariffs.models import TariffVersion


def test_the_formula_forms_unit_code_help_says_what_an_empty_field_gives(
    small_building, manager, client_for
):
    version = TariffVersion.objects.get(tariff=small_building["tariff"])
    client = client_for(manager)
    url = f"/config/versions/{version.pk}/components/new/?kind=formula"
    help_text = str(client.get(url).context["form"]["unit_code"].help_text)

    # a unit price by formula, the quantity the consumption, no unit code typed
    saved = client.post(
        url,
        {"code": "F1", "description": "Sewerage", "vat_category": "S",
         "formula": "2.15", "quantity": "consumption", "unit_code": ""},
    )  # fmt: skip
    assert saved.status_code == 302
    response = preview_get(
        client,
        version,
        small_building["apartments"][0],
        "2026-11-01",
        "2026-11-30",
        consumption="10",
    )
    [line] = [ln for ln, _t in response.context["lines"] if ln.component == "F1"]

    # the documented C62, and the help text says it (not the utility's code)
    assert line.unit_code == "C62"
    assert help_text.startswith("Empty: C62")
    assert "Empty: the utility's unit code" not in help_text

    # the utility's code typed in gives it
    typed = client.post(
        url,
        {"code": "F2", "description": "Sewerage", "vat_category": "S",
         "formula": "2.15", "quantity": "consumption", "unit_code": "mtq"},
    )  # fmt: skip
    assert typed.status_code == 302
    response = preview_get(
        client,
        version,
        small_building["apartments"][0],
        "2026-11-01",
        "2026-11-30",
        consumption="10",
    )
    [line] = [ln for ln, _t in response.context["lines"] if ln.component == "F2"]
    assert line.unit_code == "MTQ"


def test_the_other_kinds_keep_the_utilitys_unit_code_help(
    small_building, manager, client_for
):
    version = TariffVersion.objects.get(tariff=small_building["tariff"])
    url = f"/config/versions/{version.pk}/components/new/?kind=unit_price"
    form = client_for(manager).get(url).context["form"]

    assert str(form["unit_code"].help_text) == "Empty: the utility's unit code."
