"""What a scan needs to know about a label, kept in Redis beside the scan buffer.

With buffered scans (SUYUAN_SCAN_WRITE_MODE=buffered) the public scan makes
one Redis call (api/throttling.py): it counts the throttles, queues the
scan, raises the label's live scan count and reads these facts, so a scan
needs no database round trip at all. PostgreSQL stays the record: the flush
writes the queued scans there, and a label missing here is read from the
database and put back (api.scan.gate_scan).

Labels are published when their print job renders, so the first scan of a
box finds them too. Anything that changes a label's status or clone flag
in the database calls `labels_forget`, and the next scan reads it again.
Entries expire after SUYUAN_SCAN_LABEL_CACHE_SECONDS (a season), and
`manage.py scan_cache_publish` puts labels back after Redis lost them.
"""

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from config.derived import from_settings
from labels.models import Label
from trace.models import Batch

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


@dataclass
class ScanLabel:
    """The facts of a label a scan shows, read from Redis (not a model instance).

    A Label instance costs more to build than the whole Redis call; the
    scan views only read these attributes (and `batch`, for a linkset).
    """

    serial: str
    id: int
    batch_id: int
    status: str
    scan_count: int
    first_scanned_at: datetime.datetime | None
    first_scanned_city: str
    suspicious_since: datetime.datetime | None
    suspicious_reason: str

    @property
    def pk(self) -> int:
        return self.id

    @functools.cached_property
    def batch(self) -> Batch:
        return Batch.objects.select_related("product_line").get(pk=self.batch_id)


def label_from_facts(serial: str, facts: list) -> ScanLabel:
    """Return the label's facts as the gate's reply holds them (FIELDS order)."""
    raw = {
        name: value.decode() if isinstance(value, bytes) else value
        for name, value in zip(FIELDS, facts, strict=True)
    }
    first_at, since = raw["first_scanned_at"], raw["suspicious_since"]
    return ScanLabel(
        serial=serial,
        id=int(raw["id"]),
        batch_id=int(raw["batch_id"]),
        status=raw["status"],
        scan_count=int(raw["scan_count"]),
        first_scanned_at=datetime.datetime.fromisoformat(first_at)
        if first_at
        else None,
        first_scanned_city=raw["first_scanned_city"],
        suspicious_since=datetime.datetime.fromisoformat(since) if since else None,
        suspicious_reason=raw["suspicious_reason"],
    )


@from_settings
def enabled() -> bool:
    """Return whether scans read label facts from Redis (buffered mode with the gate).

    Asked on every scan, so the answer is kept until a setting changes.
    """
    return _client() is not None


def _client():
    """Return the buffer's Redis if scans read label facts there, else None.

    That is buffered mode with the buffer in the cache's Redis: the public
    scan's one Redis call (api/throttling.py) counts throttles in the cache
    and queues scans and reads facts in the buffer, so both must be one server.
    """
    from labels.services import _scan_buffer_client, scan_buffer_url

    cache = settings.CACHES["default"]
    url = scan_buffer_url()
    if (
        settings.SUYUAN_SCAN_WRITE_MODE != "buffered"
        or cache["BACKEND"] != "django.core.cache.backends.redis.RedisCache"
        or not url
        or url != cache["LOCATION"]
    ):
        return None
    return _scan_buffer_client(url)


# Only where Redis has nothing yet: facts already there carry live scan counts.
_PUBLISH_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], unpack(ARGV, 2))
  redis.call('EXPIRE', KEYS[1], ARGV[1])
end
"""


def labels_publish(labels: Iterable[Label], *, replace: bool = False) -> int:
    """Put labels' facts into Redis where it has none; return how many were offered.

    `replace` overwrites what is there, live counts included: for when the
    database is the truth again (after running with sync scan writes).
    """
    client = _client()
    if client is None:
        return 0
    seconds = settings.SUYUAN_SCAN_LABEL_CACHE_SECONDS
    script = client.register_script(_PUBLISH_SCRIPT)
    published = 0
    pipe = client.pipeline(transaction=False)
    for label in labels:
        pairs = [
            item for pair in zip(FIELDS, facts_of(label), strict=True) for item in pair
        ]
        if replace:
            pipe.delete(label_key(label.serial))
        script(keys=[label_key(label.serial)], args=[seconds, *pairs], client=pipe)
        published += 1
        if published % PUBLISH_CHUNK == 0:
            pipe.execute()
    pipe.execute()
    return published


def print_job_labels_publish(*, print_job_id: int) -> int:
    """Publish a print job's labels (the print-job worker, before rendering)."""
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
