"""Who may open a workbench page: for anyone else the page does not exist (404)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from trace import access
from trace.choices import Role


def operator_required(view):
    """Let operators in; for everyone else the page does not exist."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.is_operator(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def recorder_required(view):
    """Let inspectors and administrators in (they record checks)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (
            access.is_inspector(request.user) or access.is_administrator(request.user)
        ):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def role_required(role):
    """Let the holders of one of the 四员 roles in; for everyone else the page does not exist."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not access.has_role(request.user, role):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def office_required(view):
    """Let the offices (county, 市州, province) and administrators in."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (access.is_administrator(user) or access.has_role(user, Role.OFFICE)):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
