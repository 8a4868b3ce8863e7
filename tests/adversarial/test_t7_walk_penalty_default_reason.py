"""T7 (new user's walk): the new penalty rule form refuses its own defaults.

docs/penalties.md: "Category O gets a default exemption reason when none is given",
and `set-penalty-rule` without `--exemption-reason` saves a rule in O. The screen
preselects O ("the usual case") and PenaltyRuleForm means to prefill the default
reason (`self.initial.setdefault("exemption_reason", DEFAULT_EXEMPTION_REASON)`),
but the ModelForm's initial already holds the instance's empty reason, so the field
comes empty and the walk's first save is refused: "category O needs an exemption
reason or a VATEX code (EN 16931 BR-O-10)"."""

from __future__ import annotations

from meterbill.invoicing.penalties import DEFAULT_EXEMPTION_REASON


def test_the_new_rule_form_offers_the_default_exemption_reason(manager, client_for):
    response = client_for(manager).get("/penalties/rules/new/")

    assert response.status_code == 200
    form = response.context["form"]
    assert form["vat_category"].value() == "O"
    assert form["exemption_reason"].value() == DEFAULT_EXEMPTION_REASON
