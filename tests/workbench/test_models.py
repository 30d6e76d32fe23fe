"""PrinterSettings: one row per user, offsets within a centimetre."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from workbench.models import PrinterSettings

pytestmark = pytest.mark.django_db


def test_printer_settings_default_to_no_offset(world):
    row = PrinterSettings.objects.create(user=world.operator_a)
    assert (row.offset_x_mm, row.offset_y_mm) == (0, 0)
    assert "operator_a" in str(row)


def test_printer_offsets_are_limited(world):
    row = PrinterSettings(user=world.operator_a, offset_y_mm=Decimal("-10.5"))
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert "offset_y_mm" in error.value.message_dict


def test_printer_settings_in_the_admin(client, world):
    client.force_login(world.admin)
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    PrinterSettings.objects.create(user=world.operator_a)
    response = client.get("/admin/workbench/printersettings/")
    assert response.status_code == 200 and "operator_a" in response.content.decode()
