"""The 扶贫产品目录's people and a walk through its procedure, for the tests.

Built on the `world` fixture: 古楼乡 (洞口县) has a 信息员 in 古楼村, a
监督员 for the township and the county office above; 邵东市 has its own
监督员 and office, who must never see 洞口县's entries.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from tests.factories import make_user
from trace.choices import CatalogueStatus, DeliveryMethod, Role, Season
from trace.models import CatalogueEntry, UserRole
from trace.services.catalogue import (
    catalogue_entry_apply,
    catalogue_entry_check,
    catalogue_entry_create,
    catalogue_entry_decide,
    catalogue_notices_close,
)


@dataclass
class Officers:
    informant: object
    supervisor: object
    office: object
    other_supervisor: object
    other_office: object


def make_officers(world) -> Officers:
    gulou_town = world.gulou_village.parent
    shaodong_town = world.shaodong_village.parent
    informant = make_user("informant_gl", Role.INFORMANT, regions=[world.gulou_village])
    binding = UserRole.objects.get(user=informant)
    binding.real_name, binding.phone = "杨信息", "13907390001"
    binding.save()
    informant.suyuan_role = binding
    return Officers(
        informant=informant,
        supervisor=make_user("supervisor_gl", Role.SUPERVISOR, regions=[gulou_town]),
        office=make_user("office_dk", Role.OFFICE, regions=[world.dongkou]),
        other_supervisor=make_user(
            "supervisor_lq", Role.SUPERVISOR, regions=[shaodong_town]
        ),
        other_office=make_user(
            "office_sd", Role.OFFICE, regions=[shaodong_town.parent]
        ),
    )


ENTRY_FIELDS = {
    "name": "古楼云雾茶",
    "category": "茶叶",
    "specification": "250克/盒",
    "unit": "盒",
    "price": Decimal("88.00"),
    "delivery_method": DeliveryMethod.COURIER,
    "season": Season.SPRING,
    "planned_quantity": Decimal("300"),
}


def draft_entry(world, **fields) -> CatalogueEntry:
    values = {
        **ENTRY_FIELDS,
        "product_line": world.batch_a.product_line,
        "households": [world.household_a],
        **fields,
    }
    return catalogue_entry_create(
        producer=world.producer_a, created_by=world.operator_a, **values
    )


def entry_in_notice(world, officers: Officers, **fields) -> CatalogueEntry:
    entry = draft_entry(world, **fields)
    catalogue_entry_apply(entry=entry, applied_by=world.operator_a)
    catalogue_entry_check(entry=entry, checked_by=officers.supervisor, passed=True)
    return catalogue_entry_decide(
        entry=entry, decided_by=officers.office, approved=True
    )


def end_notice(entry: CatalogueEntry, *, days_ago: int = 1) -> None:
    """Move the 公示 into the past, as if its days had gone by."""
    ended = timezone.localdate() - datetime.timedelta(days=days_ago)
    CatalogueEntry.objects.filter(pk=entry.pk).update(
        notice_starts_on=ended - datetime.timedelta(days=6), notice_ends_on=ended
    )
    entry.refresh_from_db()


def listed_entry(world, officers: Officers, **fields) -> CatalogueEntry:
    entry = entry_in_notice(world, officers, **fields)
    end_notice(entry)
    catalogue_notices_close()
    entry.refresh_from_db()
    assert entry.status == CatalogueStatus.LISTED
    return entry
