"""The API's parsers: DRF's, with a bound on nesting and the input policy.

`[` repeated 100,000 times makes the standard library's parser raise
RecursionError (a 500). No request of this API nests deeper than a few
levels (an inspection with its result items is three), so a body nested
deeper than MAX_DEPTH is refused with a 400 before anything reads it.

Every text that arrives in a body, whatever serializer reads it later, is
held to the project's input policy (trace.validators.text_is_unsafe): a
control or bidirectional control character is a 400 naming the field, so
no resource can forget the check.
"""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.settings import api_settings

from trace.validators import text_is_unsafe, unsafe_text_message

MAX_DEPTH = 32


def _depth(value) -> int:
    """Return how deeply lists and objects nest in a parsed value (iteratively)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        pending.extend((child, level + 1) for child in children)
    return deepest


def _holds_unsafe_text(value) -> bool:
    """Return whether a parsed value holds unsafe text anywhere (iteratively)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if text_is_unsafe(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def refuse_unsafe_text(items) -> None:
    """Raise a 400 naming each field whose value holds unsafe text.

    `items` are (field name, value) pairs; a value may be nested.
    """
    errors = {}
    for name, value in items:
        unsafe_name = isinstance(name, str) and text_is_unsafe(name)
        if unsafe_name or _holds_unsafe_text(value):
            # The field's name as sent, without the characters refused in it.
            key = (
                "".join(c for c in name if not text_is_unsafe(c))
                if isinstance(name, str)
                else api_settings.NON_FIELD_ERRORS_KEY
            )
            errors[key or api_settings.NON_FIELD_ERRORS_KEY] = [unsafe_text_message()]
    if errors:
        raise ValidationError(errors)


def _pairs(data):
    if isinstance(data, dict):
        if hasattr(data, "lists"):  # QueryDict: every value of a repeated key
            return list(data.lists())
        return list(data.items())
    return [(None, data)]


class JSONParser(parsers.JSONParser):
    """Parse JSON: nesting bounded by MAX_DEPTH, text held to the policy."""

    def parse(self, stream, media_type=None, parser_context=None):
        too_deep = ParseError(
            _("JSON 嵌套层数过多（最多 %(max)s 层）。") % {"max": MAX_DEPTH}
        )
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if _depth(data) > MAX_DEPTH:
            raise too_deep
        refuse_unsafe_text(_pairs(data))
        return data


class FormParser(parsers.FormParser):
    """Parse a URL-encoded form, text held to the policy."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        refuse_unsafe_text(_pairs(data))
        return data


class MultiPartParser(parsers.MultiPartParser):
    """Parse a multipart form, text held to the policy (file names included)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        refuse_unsafe_text(_pairs(parsed.data))
        refuse_unsafe_text(
            (name, [upload.name or "" for upload in uploads])
            for name, uploads in parsed.files.lists()
        )
        return parsed
