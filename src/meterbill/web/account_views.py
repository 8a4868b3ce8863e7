"""The signed-in user's own settings: the interface language and the password.

Every user has these, whatever the role (customers too): they touch no branch's data,
only the user's own row, so no branch scope applies.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters

from meterbill.audit import trail
from meterbill.orgs.models import User


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language"), choices=settings.LANGUAGES
    )


@login_required
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
def account(request: HttpRequest) -> HttpResponse:
    """GET: both forms; POST with ``form=language`` or ``form=password``: that one."""
    user = request.user
    assert isinstance(user, User)  # login_required
    language_form = LanguageForm(initial={"language": user.language})
    password_form = PasswordChangeForm(user)
    if request.method == "POST":
        which = request.POST.get("form")
        if which == "language":
            language_form = LanguageForm(request.POST)
            if language_form.is_valid():
                before = user.language
                user.language = language_form.cleaned_data["language"]
                user.save(update_fields=["language"])
                trail.record(
                    "user.language",
                    user=user,
                    branch=user.branch,
                    obj=user,
                    before={"language": before},
                    after={"language": user.language},
                )
                translation.activate(user.language)
                messages.success(request, _("Language saved."))
                return redirect("web:account")
        elif which == "password":
            password_form = PasswordChangeForm(user, request.POST)
            if password_form.is_valid():
                password_form.save()
                update_session_auth_hash(request, password_form.user)
                trail.record(
                    "user.password_changed", user=user, branch=user.branch, obj=user
                )
                messages.success(request, _("Password changed."))
                return redirect("web:account")
    return render(
        request,
        "web/account.html",
        {"language_form": language_form, "password_form": password_form},
    )
