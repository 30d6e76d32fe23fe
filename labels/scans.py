"""Scans of labels: record one, buffer many, flush them, flag clones.

A scan is written in one of two modes (SUYUAN_SCAN_WRITE_MODE):

- "sync", the embedded default (SQLite or PostgreSQL, any cache):
  `scan_record` writes the ScanEvent and raises the label's count in the
  request.
- "buffered", the Redis gate (api/scan/gate.py): one Lua call in the
  cache's Redis counts the throttles, queues the scan in SCAN_BUFFER_KEY and
  raises the live count in the label's facts hash (`label_key`); the
  periodic `scan_buffer_flush` writes the queued scans to the database.
  It needs the cache to be Redis (`write_mode` raises ImproperlyConfigured
  otherwise, settings.py already at start-up).

Both modes count consumer scans, not page views: a label counts a client
once per SUYUAN_SCAN_REPEAT_SECONDS, a void label counts nothing, and the
views do not record scans by signed-in staff. The clone signal
(`clone_reason`) looks at distinct clients and cities, not the raw count.

"Facts" are the few values of a label a scan shows (FIELDS), kept in Redis
for the gate; PostgreSQL stays the record.
"""

import datetime
import functools
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import (
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import Case, Count, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy
from prometheus_client import Counter
from redis.backoff import NoBackoff
from redis.retry import Retry

from labels.choices import LabelStatus
from labels.models import Label, ScanEvent
from trace.models import Batch

logger = logging.getLogger(__name__)

# /metrics (config/metrics.py): scans written to the database, either mode.
SCANS_RECORDED = Counter("suyuan_scans_recorded", "Scans written to the database.")

SYNC, BUFFERED = "sync", "buffered"
REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
SCAN_BUFFER_KEY = "suyuan:scan-buffer"
SCAN_FLUSH_LOCK = "suyuan:scan-buffer:flush-lock"
SCAN_FLUSH_CHUNK = 2000
LABEL_KEY_PREFIX = "suyuan:scan-label:"
SEEN_KEY_PREFIX = "suyuan:scan-seen:"
PUBLISH_CHUNK = 5000
# The order of a label's facts in its Redis hash and in the gate's reply.
FIELDS = (
    "id",
    "batch_id",
    "status",
    "scan_count",
    "first_scanned_at",
    "first_scanned_city",
    "suspicious_since",
    "suspicious_reason",
    "voided_at",
    "void_reason",
)


# Mode and Redis.


def write_mode() -> str:
    """Return SUYUAN_SCAN_WRITE_MODE after checking it can work.

    Raise ImproperlyConfigured for an unknown mode, or for "buffered"
    without the cache in Redis: the gate counts, queues and reads facts in
    one call, so the buffer and the throttle counters share that server.
    """
    mode = settings.SUYUAN_SCAN_WRITE_MODE
    if mode == SYNC:
        return mode
    if mode != BUFFERED:
        raise ImproperlyConfigured(
            f"SUYUAN_SCAN_WRITE_MODE must be {SYNC!r} or {BUFFERED!r}, not {mode!r}."
        )
    if settings.CACHES["default"]["BACKEND"] != REDIS_CACHE:
        raise ImproperlyConfigured(
            "SUYUAN_SCAN_WRITE_MODE=buffered needs a shared Redis: set "
            "SUYUAN_CACHE_URL (the scan buffer lives in the cache's Redis)."
        )
    return mode


def redis_client() -> redis.Redis:
    """Return the client of the cache's Redis (buffered mode's one factory).

    One client per process, URL and options, holding one connection
    (redis-py's `single_connection_client`): a scan is one call, and taking a
    connection from a pool costs a poll of the socket and the pool's
    bookkeeping on every call (bench/BENCHMARKS.md). Calls from threads
    take turns on it. The timeouts are those of CACHES["default"]["OPTIONS"],
    and a dropped connection is retried once without backoff (a scan should
    answer 503 soon, not after seconds).
    """
    write_mode()
    config = settings.CACHES["default"]
    location = config["LOCATION"]
    if not isinstance(location, str):
        location = location[0]
    options = config.get("OPTIONS", {})
    return _client(
        location,
        options.get("socket_connect_timeout"),
        options.get("socket_timeout"),
        os.getpid(),
    )


@functools.lru_cache(maxsize=8)
def _client(location: str, connect_timeout, timeout, pid: int) -> redis.Redis:
    # Keyed by the process too: a forked worker must not share its parent's socket.
    return redis.Redis.from_url(
        location,
        socket_connect_timeout=connect_timeout,
        socket_timeout=timeout,
        retry=Retry(NoBackoff(), 1),
        single_connection_client=True,
    )


def client_hash(address: str) -> str:
    """Return a keyed, irreversible token for a client address (never stored raw)."""
    mac = _client_mac(settings.SECRET_KEY).copy()
    mac.update(address.encode())
    return mac.hexdigest()[:32]


@functools.lru_cache(maxsize=2)
def _client_mac(secret: str) -> hmac.HMAC:
    # Keyed once per key and copied per scan: keying costs twice a copy.
    return hmac.new(f"suyuan-scan-client:{secret}".encode(), digestmod=hashlib.sha256)


# Sync mode.


def scan_record(
    *,
    label: Label,
    client_address: str,
    user_agent: str = "",
    city: str = "",
) -> bool:
    """Record a consumer's scan of a label in the database; return whether it counted.

    A void label, or a client that scanned the label within
    SUYUAN_SCAN_REPEAT_SECONDS, records nothing (the check takes no lock:
    two simultaneous requests of one client may both count). Otherwise one ScanEvent is
    written, the count raised in the database (concurrent scans all count),
    and the clone signal applied; `label` shows the new values. A database
    connection dropped on the way is reopened and the write tried once more;
    a second failure is raised.
    """
    if label.status == LabelStatus.VOID:
        return False
    for attempt in (1, 2):
        try:
            recorded = _scan_write(
                label=label,
                hashed=client_hash(client_address),
                user_agent=user_agent[:255],
                city=city.strip()[:64],
            )
            if recorded:
                SCANS_RECORDED.inc()
            return recorded
        except (OperationalError, InterfaceError):
            if attempt == 2 or connection.in_atomic_block:
                raise
            logger.warning("scan record: database connection lost, reconnecting")
            connection.close()
    raise AssertionError("unreachable")


def _scan_write(*, label: Label, hashed: str, user_agent: str, city: str) -> bool:
    now = timezone.now()
    window = datetime.timedelta(seconds=settings.SUYUAN_SCAN_REPEAT_SECONDS)
    with transaction.atomic():
        repeated = window and (
            ScanEvent.objects.filter(
                label_id=label.pk, client_hash=hashed, scanned_at__gte=now - window
            ).exists()
        )
        if repeated:
            return False
        ScanEvent.objects.create(
            label_id=label.pk,
            scanned_at=now,
            client_hash=hashed,
            user_agent=user_agent,
            city=city,
        )
        # The one place a label's count is raised (the flush uses it too).
        _label_counts_add([(label.pk, 1, now, city)])
        count, first_at, first_city, suspicious = Label.objects.filter(
            pk=label.pk
        ).values_list(
            "scan_count", "first_scanned_at", "first_scanned_city", "suspicious_since"
        )[0]
        label.scan_count = count
        label.first_scanned_at = first_at
        label.first_scanned_city = first_city
        label.suspicious_since = suspicious
        if label.suspicious_since is None:
            flagged = labels_flag_clones(labels={label.pk: count}, now=now)
            if flagged:
                label.suspicious_since = now
                label.suspicious_reason = flagged[label.pk]
    return True


# The clone signal.


def clone_reason(*, clients: int, cities: int) -> str:
    """Return why a label scanned by `clients` in `cities` looks cloned, or "".

    A box is opened by a household, not by dozens of phones, and stays in
    one place: more than SUYUAN_SCAN_ALERT_CLIENTS distinct clients, or
    SUYUAN_SCAN_ALERT_CITIES cities from as many clients, is a clone signal.
    One phone rescanning, or changing its stated city, is not.
    """
    if clients > settings.SUYUAN_SCAN_ALERT_CLIENTS:
        return gettext_lazy("被 %(clients)s 个不同客户端扫码") % {"clients": clients}
    limit = settings.SUYUAN_SCAN_ALERT_CITIES
    if cities >= limit and clients >= limit:
        return gettext_lazy("在 %(cities)s 个不同城市被扫码") % {"cities": cities}
    return ""


def labels_flag_clones(
    *, labels: dict[int, int], now: datetime.datetime
) -> dict[int, str]:
    """Flag labels whose scans look cloned; return {label id: reason} of the new flags.

    `labels` maps label ids to their scan counts now; only labels counted
    often enough to meet a threshold are looked at (one grouped query).
    """
    least = min(
        settings.SUYUAN_SCAN_ALERT_CITIES, settings.SUYUAN_SCAN_ALERT_CLIENTS + 1
    )
    candidates = [pk for pk, count in labels.items() if count >= least]
    if not candidates:
        return {}
    seen = (
        ScanEvent.objects.filter(label_id__in=candidates)
        .values("label_id")
        .annotate(
            clients=Count("client_hash", distinct=True),
            cities=Count("city", distinct=True, filter=~Q(city="")),
        )
        .order_by()
    )
    flagged = {}
    for row in seen:
        reason = clone_reason(clients=row["clients"], cities=row["cities"])
        if reason and Label.objects.filter(
            pk=row["label_id"], suspicious_since__isnull=True
        ).update(suspicious_since=now, suspicious_reason=str(reason)):
            flagged[row["label_id"]] = str(reason)
    return flagged


# Buffered mode: facts in Redis, the buffer and its flush.


def label_key(serial: str) -> str:
    return LABEL_KEY_PREFIX + serial


def facts_of(label: Label) -> list[str]:
    """Return the label's facts as the strings stored in Redis (FIELDS order)."""
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
    """A label's facts as the gate read them from Redis (not a model instance).

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
    voided_at: datetime.datetime | None
    void_reason: str

    @property
    def pk(self) -> int:
        return self.id

    @functools.cached_property
    def batch(self) -> Batch:
        return Batch.objects.select_related("product_line").get(pk=self.batch_id)


def label_from_facts(serial: str, facts: list) -> ScanLabel:
    """Return a label from its facts as the gate's reply holds them (FIELDS order)."""
    raw = {
        name: value.decode() if isinstance(value, bytes) else (value or "")
        for name, value in zip(FIELDS, facts, strict=True)
    }

    def moment(text: str) -> datetime.datetime | None:
        return datetime.datetime.fromisoformat(text) if text else None

    return ScanLabel(
        serial=serial,
        id=int(raw["id"]),
        batch_id=int(raw["batch_id"]),
        status=raw["status"],
        scan_count=int(raw["scan_count"] or 0),
        first_scanned_at=moment(raw["first_scanned_at"]),
        first_scanned_city=raw["first_scanned_city"],
        suspicious_since=moment(raw["suspicious_since"]),
        suspicious_reason=raw["suspicious_reason"],
        voided_at=moment(raw["voided_at"]),
        void_reason=raw["void_reason"],
    )


def _buffered() -> bool:
    return settings.SUYUAN_SCAN_WRITE_MODE == BUFFERED and write_mode() == BUFFERED


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
    Nothing happens in sync mode.
    """
    if not _buffered():
        return 0
    client = redis_client()
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
    """Publish a print job's labels, so the first scan of a box finds them too."""
    labels = Label.objects.filter(print_job_id=print_job_id).only("serial", *FIELDS)
    return labels_publish(labels.iterator(chunk_size=PUBLISH_CHUNK))


def labels_forget(serials: Iterable[str]) -> None:
    """Drop labels' facts from Redis now and again when the transaction commits.

    The next scan reads the label from the database. The second drop covers
    a scan that read the old row between the write and the commit.
    """
    if not _buffered():
        return
    keys = [label_key(serial) for serial in serials]
    if not keys:
        return
    client = redis_client()

    def forget():
        for start in range(0, len(keys), PUBLISH_CHUNK):
            client.delete(*keys[start : start + PUBLISH_CHUNK])

    forget()
    transaction.on_commit(forget)


def label_changed(sender, instance: Label, **kwargs) -> None:
    """Signal receiver: a label saved or deleted through the ORM is read again."""
    labels_forget([instance.serial])


_RECORD_JSON = json.JSONEncoder(ensure_ascii=False)


def scan_record_tail(
    *, now: datetime.datetime, hashed: str, user_agent: str, city: str
) -> str:
    """Return a buffer record after its label id: `,"time","client","agent","city"]`.

    The gate puts `[label id` in front in Redis; `scans_record_many` reads
    the records as JSON lists [label id, ISO time, client hash, agent, city].
    """
    fields = [now.isoformat(), hashed, user_agent[:255], city]
    return "," + _RECORD_JSON.encode(fields)[1:]


def scan_buffer_flush(*, chunk: int | None = None) -> int:
    """Write every buffered scan to the database; return how many.

    Run by the periodic Celery task (labels.tasks) or `manage.py
    scan_buffer_flush`. Chunks are read, written in one transaction and only
    then trimmed from the list, so a crash loses no scan (at worst a chunk
    is written twice); a Redis lock keeps two flushers apart.
    """
    chunk = chunk or SCAN_FLUSH_CHUNK
    buffer = redis_client()
    lock = buffer.lock(SCAN_FLUSH_LOCK, timeout=300, blocking_timeout=60)
    if not lock.acquire():
        return 0
    written = 0
    try:
        while True:
            raw = buffer.lrange(SCAN_BUFFER_KEY, 0, chunk - 1)
            if not raw:
                return written
            scans_record_many(records=[json.loads(item) for item in raw])
            buffer.ltrim(SCAN_BUFFER_KEY, len(raw), -1)
            written += len(raw)
    finally:
        lock.release()


@transaction.atomic
def scans_record_many(*, records: list[list]) -> int:
    """Write queued scans [label id, ISO time, client hash, agent, city] in bulk.

    The same outcome as scan_record for each (the gate already left out
    repeats and void labels): one ScanEvent each, the counts raised in the
    database, the first scan's time and city kept, clone signals applied.
    """
    events = []
    by_label: dict[int, list] = {}
    for label_id, moment, hashed, agent, city in records:
        scanned_at = datetime.datetime.fromisoformat(moment)
        events.append(
            ScanEvent(
                label_id=label_id,
                scanned_at=scanned_at,
                client_hash=hashed,
                user_agent=agent,
                city=city,
            )
        )
        by_label.setdefault(label_id, []).append((scanned_at, city))
    ScanEvent.objects.bulk_create(events, batch_size=1000)
    counts = []
    for label_id, scans in sorted(by_label.items()):
        first_at, first_city = min(scans, key=lambda scan: scan[0])
        counts.append((label_id, len(scans), first_at, first_city))
    _label_counts_add(counts)
    unflagged = Label.objects.filter(
        pk__in=list(by_label), suspicious_since__isnull=True
    ).values_list("pk", "scan_count")
    flagged = labels_flag_clones(labels=dict(unflagged), now=timezone.now())
    if flagged:
        serials = Label.objects.filter(pk__in=list(flagged)).values_list(
            "serial", flat=True
        )
        labels_forget(list(serials))  # the next scan shows the warning
    transaction.on_commit(lambda: SCANS_RECORDED.inc(len(records)))
    return len(records)


def _label_counts_add(counts: list[tuple]) -> None:
    """Add (label id, scans, first time, first city) to the labels.

    The one place a label's count is raised in the database: a synchronous
    scan (`_scan_write`) and the buffer's flush both come here.

    On PostgreSQL one UPDATE ... FROM (VALUES ...) per 1,000 labels: one
    statement per label made the flush slower than the scans it drains
    (bench/scan.py). Elsewhere (SQLite) one UPDATE per label.
    """
    if connection.vendor != "postgresql":
        for label_id, scans, first_at, first_city in counts:
            Label.objects.filter(pk=label_id).update(
                scan_count=F("scan_count") + scans,
                first_scanned_at=Coalesce("first_scanned_at", Value(first_at)),
                first_scanned_city=Case(
                    When(first_scanned_at__isnull=True, then=Value(first_city)),
                    default=F("first_scanned_city"),
                ),
            )
        return
    from psycopg2.extras import execute_values

    table = connection.ops.quote_name(Label._meta.db_table)
    sql = (
        f"UPDATE {table} AS label SET scan_count = label.scan_count + counted.scans, "
        "first_scanned_at = COALESCE(label.first_scanned_at, counted.first_at), "
        "first_scanned_city = CASE WHEN label.first_scanned_at IS NULL "
        "THEN counted.first_city ELSE label.first_scanned_city END "
        "FROM (VALUES %s) AS counted (id, scans, first_at, first_city) "
        "WHERE label.id = counted.id"
    )
    with connection.cursor() as cursor, connection.wrap_database_errors:
        execute_values(
            cursor.cursor,
            sql,
            counts,
            template="(%s::bigint, %s::integer, %s::timestamptz, %s::varchar)",
            page_size=1000,
        )


# Resetting counts (the demo).


@transaction.atomic
def labels_scans_reset(*, labels) -> int:
    """Forget every scan of `labels` (a queryset): events, counts, clone flags.

    For demo data only (`seed_demo`): real scans are evidence of where a
    product went and are never deleted.
    """
    ids = list(labels.values_list("pk", flat=True))
    ScanEvent.objects.filter(label_id__in=ids).delete()
    Label.objects.filter(pk__in=ids).update(
        scan_count=0,
        first_scanned_at=None,
        first_scanned_city="",
        suspicious_since=None,
        suspicious_reason="",
    )
    labels_forget(Label.objects.filter(pk__in=ids).values_list("serial", flat=True))
    return len(ids)
