"""What the register pages share: who keeps a row, its trail, the save loop."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from trace import access
from trace.models import Region
from trace.personal_data import mask_id_number
from workbench.forms import apply_service_errors
from workbench.registers.forms import region_label


def user_keeps(user, region: Region) -> bool:
    return access.may_manage_register(user, region)


def keeps_any(user) -> bool:
    return access.is_administrator(user) or bool(access.register_regions(user))


def require_keeper(user, region: Region) -> None:
    """Edit pages exist only for the office that keeps the row's region."""
    if not user_keeps(user, region):
        raise Http404


def history_of(row) -> list[dict]:
    """Return the row's audit trail, newest first: when, who, what, why."""
    records = list(row.history.all()[:30])
    users = {
        user.pk: user
        for user in get_user_model()
        .objects.filter(pk__in={record.history_user_id for record in records})
        .select_related("suyuan_role")
    }
    kinds = {"+": _("登记"), "~": _("修改"), "-": _("删除")}
    rows = []
    for record in records:
        user = users.get(record.history_user_id)
        role = getattr(user, "suyuan_role", None) if user else None
        rows.append(
            {
                "at": record.history_date,
                "who": (role.real_name if role and role.real_name else None)
                or (user.get_username() if user else _("系统")),
                "what": kinds.get(record.history_type, record.history_type),
                "why": record.history_change_reason or "",
            }
        )
    return rows


def save_page(request, form, save, *, title, back, template="form.html", extra=None):
    """Validate, call the service, re-render with errors or go back to the list.

    A refusal of the user (the service's who-may) is a 404, as for any row
    outside the user's scope; other errors stay next to their fields.
    """
    if request.method == "POST" and form.is_valid():
        try:
            save(form.service_fields())
        except access.Refused:
            raise Http404 from None
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect(f"{back}?saved=1")
    return render(
        request,
        f"workbench/registers/{template}",
        {
            "form": form,
            "title": title,
            "back": back,
            "saved": request.GET.get("saved") == "1",
            **(extra or {}),
        },
        status=400 if request.method == "POST" else 200,
    )


def household_row(user, household) -> dict:
    keeps = user_keeps(user, household.village)
    return {
        "household": household,
        "keeps": keeps,
        "name": household.head_name if keeps else household.masked_name,
        "id_number": mask_id_number(household.id_number()),
        "village": region_label(household.village),
    }
