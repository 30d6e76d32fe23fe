"""What a scan needs to know about a label, kept in Redis beside the scan buffer.

With buffered scans (SUYUAN_SCAN_WRITE_MODE=buffered) the public scan makes
one Redis call (api/throttling.py): it counts the throttles, queues the
scan, raises the label's live scan count and reads these facts, so a scan
needs no database round trip at all. PostgreSQL stays the record: the flush
writes the queued scans there, and a label missing here is read from the
database and put back (`label_facts_entry`).

Labels are published when their print job is created, so the first scan of
a box finds them too. Anything that changes a label's status or clone flag
in the database calls `labels_forget`, and the next scan reads it again.
Entries expire after SUYUAN_SCAN_LABEL_CACHE_SECONDS (a season), and
`manage.py scan_cache_publish` puts labels back after Redis lost them.
"""

import datetime
import functools
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction

from labels.models import Label

KEY_PREFIX = "suyuan:scan-label:"
# The order of the facts in the Redis hash and in the gate's reply.
FIELDS = (
    "id",
    "batch_id",
    "status",
    "scan_count",
    "first_scanned_at",
    "first_scanned_city",
    "suspicious_since",
    "suspicious_reason",
)
_DATETIMES = {"first_scanned_at", "suspicious_since"}
_INTEGERS = {"id", "batch_id", "scan_count"}
PUBLISH_CHUNK = 5000


def label_key(serial: str) -> str:
    return KEY_PREFIX + serial


def facts_of(label: Label) -> list[str]:
    """Return the label's facts as the strings stored in Redis."""
    values = []
    for name in FIELDS:
        value = getattr(label, name)
        if value is None:
            value = ""
        elif isinstance(value, datetime.datetime):
            value = value.isoformat()
        values.append(str(value))
    return values


def label_from_facts(serial: str, facts: list) -> Label:
    """Return a Label holding the facts (other fields load on access)."""
    known = {"serial": serial}
    for name, raw in zip(FIELDS, facts, strict=True):
        value = raw.decode() if isinstance(raw, bytes) else raw
        if name in _INTEGERS:
            value = int(value)
        elif name in _DATETIMES:
            value = datetime.datetime.fromisoformat(value) if value else None
        known[name] = value
    names = [name for name in _model_order() if name in known]
    return Label.from_db(connection.alias, names, [known[name] for name in names])


@functools.cache
def _model_order() -> list[str]:
    """Field names in the model's order, which Model.from_db expects."""
    return [field.attname for field in Label._meta.concrete_fields]


def enabled() -> bool:
    """Return whether scans read label facts from Redis (buffered mode with the gate)."""
    return _client() is not None


def _client():
    from api.throttling import scan_gate_available, scan_gate_redis

    return scan_gate_redis() if scan_gate_available() else None


def labels_publish(labels: Iterable[Label]) -> int:
    """Put labels' facts into Redis (overwriting); return how many."""
    client = _client()
    if client is None:
        return 0
    seconds = settings.SUYUAN_SCAN_LABEL_CACHE_SECONDS
    published = 0
    pipe = client.pipeline(transaction=False)
    for label in labels:
        key = label_key(label.serial)
        pipe.delete(key)
        pipe.hset(key, mapping=dict(zip(FIELDS, facts_of(label), strict=True)))
        pipe.expire(key, seconds)
        published += 1
        if published % PUBLISH_CHUNK == 0:
            pipe.execute()
    pipe.execute()
    return published


def print_job_labels_publish(*, print_job_id: int) -> int:
    """Publish a print job's labels (after the job's transaction commits)."""
    labels = Label.objects.filter(print_job_id=print_job_id).only("serial", *FIELDS)
    return labels_publish(labels.iterator(chunk_size=PUBLISH_CHUNK))


def label_changed(sender, instance: Label, **kwargs) -> None:
    """Signal receiver: a label saved or deleted through the ORM is read again."""
    labels_forget([instance.serial])


def labels_forget(serials: Iterable[str]) -> None:
    """Drop labels' facts now and again when the transaction commits.

    The second drop covers a scan that read the old row between the write
    and the commit and put it back.
    """
    client = _client()
    if client is None:
        return
    keys = [label_key(serial) for serial in serials]
    if not keys:
        return

    def forget():
        for start in range(0, len(keys), PUBLISH_CHUNK):
            client.delete(*keys[start : start + PUBLISH_CHUNK])

    forget()
    transaction.on_commit(forget)
