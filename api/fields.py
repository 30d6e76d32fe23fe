"""Serializer fields shared by every API module."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class DateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField, with a 400 for a time that overflows on conversion.

    A naive 0001-01-01T00:00:00 in Asia/Shanghai has no UTC equivalent:
    DRF's own check raises OverflowError (a 500) before any validator runs.
    """

    default_error_messages = {"overflow": _("时间超出可表示的范围。")}

    def enforce_timezone(self, value):
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")


def use_project_fields() -> None:
    """Make every ModelSerializer build its datetime fields from DateTimeField."""
    serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = (
        DateTimeField
    )
