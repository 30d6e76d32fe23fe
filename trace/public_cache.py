"""The generation token of everything the public scan story shows.

The scan page caches the batch part of its story (api/scan_story.py); any
change to a batch, its producer, certification, households, events,
inspections or product bumps this token, so no cached story outlives the
facts it shows. Model signals bump it (api/apps.py); services that write
with `QuerySet.update()` (no signals) call `public_story_changed()` too.
"""

import uuid

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "suyuan:public-story:generation"


def public_story_generation() -> str:
    """Return the current token; a cleared cache starts a fresh one."""
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        token = cache.get(GENERATION_KEY)
    return token


def _bump() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def public_story_changed() -> None:
    """Invalidate every cached story now and again when the transaction commits.

    The second bump covers a reader that rebuilt the story from the old rows
    between the write and the commit.
    """
    _bump()
    transaction.on_commit(_bump)
