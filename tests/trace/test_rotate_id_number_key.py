"""Rotating the ID-number key re-encrypts every household without loss."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from tests.factories import HouseholdFactory
from trace.models import Household

pytestmark = pytest.mark.django_db


def test_rotation_reencrypts_every_household_and_keeps_the_index(
    world, settings, capsys
):
    old_key = settings.SUYUAN_ID_NUMBER_KEYS[0]
    for index in range(7):
        HouseholdFactory(village=world.gulou_village, head_name=f"户主{index}")
    before = {
        household.pk: (household.id_number(), household.id_number_index)
        for household in Household.objects.all()
    }
    new_key = Fernet.generate_key().decode()
    settings.SUYUAN_ID_NUMBER_KEYS = [new_key, old_key]  # add the new key first

    call_command("rotate_id_number_key", "--batch-size", "3")
    assert f"checked {len(before)} household(s), re-encrypted {len(before)}" in (
        capsys.readouterr().out
    )
    call_command("rotate_id_number_key")  # idempotent: nothing left to do
    assert "re-encrypted 0" in capsys.readouterr().out

    settings.SUYUAN_ID_NUMBER_KEYS = [new_key]  # then remove the old key
    after = {
        household.pk: (household.id_number(), household.id_number_index)
        for household in Household.objects.all()
    }
    assert after == before


def test_rotation_reencrypts_the_members_too(world, settings, capsys):
    from tests.factories import make_administrator, make_id_number
    from trace.models import HouseholdMember
    from trace.services.households import household_member_add

    old_key = settings.SUYUAN_ID_NUMBER_KEYS[0]
    household = HouseholdFactory(village=world.gulou_village)
    member = household_member_add(
        household=household,
        added_by=make_administrator("rotate_admin"),
        name="王小芳",
        relation="女儿",
        id_number=(number := make_id_number()),
    )
    new_key = Fernet.generate_key().decode()
    settings.SUYUAN_ID_NUMBER_KEYS = [new_key, old_key]
    call_command("rotate_id_number_key")
    people = Household.objects.count() + 1
    assert f"re-encrypted {people}" in capsys.readouterr().out
    settings.SUYUAN_ID_NUMBER_KEYS = [new_key]
    assert HouseholdMember.objects.get(pk=member.pk).id_number() == number
