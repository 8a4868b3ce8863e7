"""Who may call an API endpoint: the web's roles, through ``web.access``.

A view names the action each HTTP method needs (``required_actions``); an anonymous
caller gets 401, a caller whose roles lack the action gets 403. Which rows the caller
sees is decided by ``web.access.scope`` in every view's queryset.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from meterbill.web.access import can


class RoleAction(BasePermission):
    """Grants a request when the user's roles allow the view's action for the
    method: ``view.required_actions`` maps "GET"/"POST"/… to a permission name of
    ``web.access.ROLE_PERMISSIONS``; a method it does not name is refused."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        action = getattr(view, "required_actions", {}).get(method)
        return action is not None and can(user, action)
