"""DRF permissions; each asks trace.access, the one module that decides."""

from django.http import Http404
from rest_framework.permissions import SAFE_METHODS, BasePermission

from trace import access


class RegisterPermission(BasePermission):
    """Signed-in users read the office's registers; administrators write them."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or access.may_manage_register(
            request.user
        )


class AdministratorOnly(BasePermission):
    """Administrators only; others are told the resource does not exist (404)."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if not access.is_administrator(request.user):
            raise Http404
        return True
