"""The generation of each batch's public story, in the shared cache.

The public scan caches a batch's story per worker (api/scan/story.py) under
the batch's generation. The services that change what the story shows call
`batch_story_changed` (hold, release, recall, trace events, contributions,
inspections) or `producer_story_changed` (certification, brand licences,
households): explicit calls, like the audit rows, and not model signals,
which a garbage-collected receiver silently stops (issue 19). Edits outside
the services (admin, raw SQL) show after SUYUAN_SCAN_STORY_CACHE_SECONDS.

The generation lives in the cache, so it is shared by every worker when the
cache is (Redis in production; DESIGN.md). A random integer, which Django's
Redis cache stores as plain digits, so the scan gate's Lua reads it too.
"""

import secrets

from django.core.cache import cache
from django.db import transaction

from trace.models import Batch

KEY_PREFIX = "suyuan:story:"


def batch_story_key(batch_id: int) -> str:
    return f"{KEY_PREFIX}{batch_id}"


def batch_story_generation(batch_id: int) -> int:
    """Return the batch's current generation; a cleared cache starts a new one."""
    key = batch_story_key(batch_id)
    token = cache.get(key)
    if not isinstance(token, int):
        cache.add(key, secrets.randbits(62), timeout=None)
        token = cache.get(key)
        if not isinstance(token, int):  # another format under the key
            token = secrets.randbits(62)
            cache.set(key, token, timeout=None)
    return token


def batch_story_changed(*batch_ids: int) -> None:
    """Give the batches a new generation now and again when the transaction commits.

    The second bump covers a reader that rebuilt the story from the old rows
    between the write and the commit.
    """
    keys = [batch_story_key(batch_id) for batch_id in batch_ids]
    if not keys:
        return

    def bump() -> None:
        cache.set_many({key: secrets.randbits(62) for key in keys}, timeout=None)

    bump()
    transaction.on_commit(bump)


def producer_story_changed(producer_id: int) -> None:
    """Give every batch of a producer a new generation (see batch_story_changed)."""
    batch_story_changed(
        *Batch.objects.filter(producer_id=producer_id).values_list("pk", flat=True)
    )
