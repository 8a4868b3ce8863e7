"""URLs of the late-payment penalty screens, included under /penalties/ in the
``web`` namespace (web/penalty_views.py)."""

from django.urls import path

from . import penalty_views as p

urlpatterns = [
    path("", p.penalties, name="penalties"),
    path("assess/", p.assess, name="penalties_assess"),
    path("rules/new/", p.rule_edit, name="penalty_rule_new"),
    path("rules/<int:penalty_rule_id>/", p.rule_edit, name="penalty_rule"),
    path(
        "rules/<int:penalty_rule_id>/delete/",
        p.rule_delete,
        name="penalty_rule_delete",
    ),
]
