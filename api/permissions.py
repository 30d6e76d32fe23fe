"""DRF permissions; each asks trace.access, the one module that decides."""

from django.http import Http404
from rest_framework.permissions import SAFE_METHODS, BasePermission

from trace import access
from trace.choices import Role


class RegisterPermission(BasePermission):
    """Signed-in users read the office's registers; their keepers write them.

    Administrators and the offices may try a write; the service decides on
    the object (a county office within its county, trace.access).
    """

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return (
            request.method in SAFE_METHODS
            or access.is_administrator(request.user)
            or access.has_role(request.user, Role.OFFICE)
        )


class OfficesAndAdministrators(BasePermission):
    """Administrators and the offices (households, the review queue); others get 404."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if not (
            access.is_administrator(request.user)
            or access.has_role(request.user, Role.OFFICE)
        ):
            raise Http404
        return True


class AdministratorOnly(BasePermission):
    """Administrators only; others are told the resource does not exist (404)."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if not access.is_administrator(request.user):
            raise Http404
        return True
