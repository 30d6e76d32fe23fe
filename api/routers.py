"""The API's router: object ids in URLs are numbers.

DRF's default lookup pattern accepts any text, so `/api/v1/sales/abc/…`
reached a lookup that raised on a non-numeric primary key (a 500, issue 34).
Matching ids as digits makes such a path what it is: a 404 from the URL
resolver, before any view runs. A viewset that looks up by another field
(labels by serial) or names its own `lookup_value_regex` keeps its pattern.
"""

from rest_framework.routers import DefaultRouter

NUMERIC_ID = "[0-9]+"


class NumericIdRouter(DefaultRouter):
    def get_lookup_regex(self, viewset, lookup_prefix: str = "") -> str:
        lookup_field = getattr(viewset, "lookup_field", "pk")
        if lookup_field in ("pk", "id") and not getattr(
            viewset, "lookup_value_regex", None
        ):
            kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
            return f"(?P<{lookup_prefix}{kwarg}>{NUMERIC_ID})"
        return super().get_lookup_regex(viewset, lookup_prefix)
