"""API permissions; kept apart from base.py because DRF imports the default one early."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions


class PolicyPermission(permissions.BasePermission):
    """Asks one question of an app's policy (`may_…(actor)`): the door's 403, before the
    service asks it again."""

    message = _("Only the secretariat may do this.")

    def __init__(self, may):
        self.may = may

    def has_permission(self, request, view):
        return self.may(request.user)


def has_no_handler(request, view) -> bool:
    """The resource has no such method: DRF then answers 405 with `Allow`, whoever asks.

    Permissions are checked before the method is looked up; without this, an anonymous
    DELETE on a read-only resource would be told to sign in (401) for a request that can
    never succeed. Which methods exist is public (the schema), so nothing is disclosed.
    """
    method = request.method.lower()
    return method not in view.http_method_names or getattr(view, method, None) is None


class ReadsForAll(permissions.BasePermission):
    """Anyone may read (the queryset decides what they see); writing needs a login."""

    # Read by the schema (forums/api/schema.py): these methods declare that no
    # credentials are needed.
    anonymous_methods = frozenset(permissions.SAFE_METHODS)

    def has_permission(self, request, view):
        return (
            request.method in permissions.SAFE_METHODS
            or has_no_handler(request, view)
            or bool(request.user and request.user.is_authenticated)
        )
