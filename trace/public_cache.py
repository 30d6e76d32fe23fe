"""The generation token of everything the public scan story shows.

The scan page caches the batch part of its story (api/scan_story.py); any
change to a batch, its producer, certification, households, events,
inspections or product bumps this token, so no cached story outlives the
facts it shows. Model signals bump it (api/apps.py); services that write
with `QuerySet.update()` (no signals) call `public_story_changed()` too.
"""

import secrets

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "suyuan:public-story:generation"


def public_story_generation() -> int:
    """Return the current token; a cleared cache starts a fresh one.

    A random integer, which Django's Redis cache stores as plain digits, so
    the scan's single Redis call (api/throttling.py) can read it too.
    """
    token = cache.get(GENERATION_KEY)
    if not isinstance(token, int):  # missing, or an older format
        cache.add(GENERATION_KEY, secrets.randbits(62), timeout=None)
        token = cache.get(GENERATION_KEY)
        if not isinstance(token, int):
            _bump()
            token = cache.get(GENERATION_KEY)
    return token


def _bump() -> None:
    cache.set(GENERATION_KEY, secrets.randbits(62), timeout=None)


def public_story_changed() -> None:
    """Invalidate every cached story now and again when the transaction commits.

    The second bump covers a reader that rebuilt the story from the old rows
    between the write and the commit.
    """
    _bump()
    transaction.on_commit(_bump)
