"""T7 (new user's walk): a formula cut short gets a garbled message.

On the component form the walk typed the formula `consumption * (2 +` and got, on
the field: "unexpected the end of the formula; expected '(', '+', '-', '[', None, a
name, a number, a quoted text at line 1, column 19". "None" is a Python value that
leaked into the list of what may follow (a terminal without a word in
_TERMINAL_WORDS), and "unexpected the end" is not English. The same text comes from
`set-penalty-rule --formula "days_late * 2 +"` and the penalty rule screen.

The grammar's keyword None (the last tier block's limit) stays in the list, quoted
as it is typed ('None') like the other keywords and signs; never bare."""

from __future__ import annotations

from meterbill.tariffs.models import TariffVersion


def test_a_formula_cut_short_names_what_may_follow_in_words(
    small_building, manager, client_for
):
    version = TariffVersion.objects.get(tariff=small_building["tariff"])

    response = client_for(manager).post(
        f"/config/versions/{version.pk}/components/new/?kind=formula",
        {"code": "F1", "description": "Formula", "vat_category": "S",
         "formula": "consumption * (2 +"},
    )  # fmt: skip

    assert response.status_code == 422
    [error] = response.context["form"].errors["formula"]
    assert "line 1, column 19" in error
    assert "None" not in error.replace("'None'", "")  # the keyword, quoted
    assert "unexpected the end" not in error
    assert "the formula ends too early; expected a number, a name" in error
