from django import template

from trace import access
from trace.choices import Role
from trace.models.certification import document_title as certification_document_title

register = template.Library()


@register.inclusion_tag("workbench/_nav.html", takes_context=True)
def workbench_nav(context):
    """Render the links of the signed-in user's role."""
    user = context["request"].user
    return {
        "operator": access.is_operator(user),
        "inspector": access.is_inspector(user) or access.is_administrator(user),
        "administrator": access.is_administrator(user),
        "office": access.is_administrator(user) or access.has_role(user, Role.OFFICE),
        "reporter": access.is_administrator(user)
        or access.has_role(user, *access.SUBMITTING_ROLES),
        "technician": access.has_role(user, Role.TECHNICIAN),
        "informant": access.has_role(user, Role.INFORMANT),
        "supervisor": access.has_role(user, Role.SUPERVISOR),
        "benefit_watch": access.may_watch_benefit(user),
        "purchase_point": access.has_role(user, Role.PURCHASE_POINT),
        "catalogue": access.role_of(user) is not None or access.is_administrator(user),
    }


@register.filter
def document_title(source: str) -> str:
    """Show a cited source as people cite it: its title, not a file reference."""
    return certification_document_title(source)
