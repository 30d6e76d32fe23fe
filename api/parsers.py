"""The API's JSON parser: DRF's, with a bound on nesting.

`[` repeated 100,000 times makes the standard library's parser raise
RecursionError (a 500). No request of this API nests deeper than a few
levels (an inspection with its result items is three), so a body nested
deeper than MAX_DEPTH is refused with a 400 before anything reads it.
"""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

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


class JSONParser(parsers.JSONParser):
    """Parse JSON, refusing bodies nested deeper than MAX_DEPTH with a 400."""

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
        return data
