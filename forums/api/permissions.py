"""API permissions; kept apart from base.py because DRF imports the default one early."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from forums.access import audience_of


class IsSecretariat(permissions.BasePermission):
    message = _("Only the secretariat may do this.")

    def has_permission(self, request, view):
        return audience_of(request.user).is_secretariat


class ReadsForAll(permissions.BasePermission):
    """Anyone may read (the queryset decides what they see); writing needs a login."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or bool(
            request.user and request.user.is_authenticated
        )
