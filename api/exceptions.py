"""Map domain errors to HTTP: Django's ValidationError becomes a 400 with field messages."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(error, context):
    if isinstance(error, DjangoValidationError):
        if hasattr(error, "error_dict"):
            detail = {
                field: [str(message) for message in messages]
                for field, messages in error.message_dict.items()
            }
            # Django's model-wide errors are keyed "__all__"; DRF calls them non_field_errors.
            if "__all__" in detail:
                detail["non_field_errors"] = detail.pop("__all__")
        else:
            detail = {"non_field_errors": [str(message) for message in error.messages]}
        error = exceptions.ValidationError(detail=detail)
    return drf_exception_handler(error, context)
