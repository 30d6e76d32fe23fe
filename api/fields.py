"""Serializer fields shared by every API module.

Declare datetimes and numbers with these, not DRF's own (a test reads the
API's modules for that); ModelSerializers get them through the field mapping
that `use_project_fields` installs. Text is held to the input policy by the
parsers (api/parsers.py), whatever field reads it.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from trace.validators import normalize_number_text


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


class NumberInputMixin:
    """Read a number typed in full-width digits as its ASCII twin; refuse ٣.

    trace.validators.normalize_number_text is the policy; DRF's own fields
    would read any Unicode digit as a number.
    """

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = normalize_number_text(data)
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.messages) from None
        return super().to_internal_value(data)


class IntegerField(NumberInputMixin, serializers.IntegerField):
    pass


class DecimalField(NumberInputMixin, serializers.DecimalField):
    pass


class FloatField(NumberInputMixin, serializers.FloatField):
    pass


PROJECT_FIELDS = {
    models.DateTimeField: DateTimeField,
    models.AutoField: IntegerField,
    models.BigAutoField: IntegerField,
    models.IntegerField: IntegerField,
    models.BigIntegerField: IntegerField,
    models.SmallIntegerField: IntegerField,
    models.PositiveIntegerField: IntegerField,
    models.PositiveBigIntegerField: IntegerField,
    models.PositiveSmallIntegerField: IntegerField,
    models.DecimalField: DecimalField,
    models.FloatField: FloatField,
}


def use_project_fields() -> None:
    """Make every ModelSerializer build datetimes and numbers from these fields."""
    serializers.ModelSerializer.serializer_field_mapping.update(PROJECT_FIELDS)
