"""Values derived from settings, worked out once instead of on every request.

The public scan reads a dozen settings per request; each read through
`django.conf.settings` costs a lazy-object lookup. A function decorated with
`from_settings` is computed once and forgotten whenever a setting changes
(override_settings and pytest-django's `settings` fixture send
`setting_changed`), so tests that change settings still see the new values.
"""

import functools

from django.core.signals import setting_changed
from django.dispatch import receiver

_DERIVED = []


def from_settings(function):
    """Cache a function of no arguments until the next setting change."""
    cached = functools.cache(function)
    _DERIVED.append(cached)
    return cached


@receiver(setting_changed)
def _forget(**kwargs) -> None:
    for cached in _DERIVED:
        cached.cache_clear()
