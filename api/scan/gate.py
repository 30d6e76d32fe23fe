"""The gate every public scan passes: throttles, the label, and the scan's record.

`scan_pass` is the one pipeline of both endpoints (the page and its JSON
twin), in the two write modes of labels/scans.py:

- sync (embedded): the scan throttles count in the cache
  (api/throttling.py), the label is read from the database and
  `labels.scans.scan_record` writes the scan in the request;
- buffered (the Redis gate): one call of a Lua script registered with
  redis-py (`register_script`, called with the process's client,
  labels.scans.redis_client) counts both limits, reads the label's facts
  and the batch's story generation and, if the scan counts, queues it and
  raises the live count. A label Redis does not know yet is read from the
  database and handed over in a second call.

Either way the answer is a `Passage`: seconds to wait if over a limit, the
label (a Label, or the facts Redis holds) or None for an unknown code, and
the batch's story generation if the gate read it.
"""

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from api.throttling import (
    ScanClientThrottle,
    ScanSerialThrottle,
    client_ident,
    scan_throttle_wait,
)
from labels import codes, scans
from labels.choices import LabelStatus
from labels.selectors import label_find_for_scan
from trace.public_cache import KEY_PREFIX as STORY_KEY_PREFIX


@dataclass
class Passage:
    """What the gate answered for one scan request."""

    wait: float | None = None  # seconds to wait: over a limit
    label: object = None  # Label or labels.scans.ScanLabel; None: unknown
    generation: int | None = None  # the batch's story generation, if read


def client_city(request) -> str:
    """Return a coarse city the reverse proxy or the page supplied, if any."""
    meta = request.META
    city = meta.get("HTTP_X_SUYUAN_CITY") or (
        meta.get("QUERY_STRING") and request.GET.get("city")
    )
    return city.strip()[:64] if city else ""


def scan_pass(
    request,
    serial: str,
    *,
    record: bool,
    count_limits: bool = True,
    gs1_key: bool = False,
) -> Passage:
    """Let one scan of `serial` through the gate; record it if `record`.

    `count_limits=False` skips the throttles (a second pass of a request
    already counted). `gs1_key`: the serial is a Digital Link's AI (21),
    the label only as printed, not as typed (labels.codes.serial_normalize).
    Redis and database errors propagate: the middleware answers them with a
    503 (api/scan/middleware.py).
    """
    plan = _plan_for(os.getpid())
    if plan is not None:
        return _redis_pass(
            plan,
            request,
            serial,
            record=record,
            count_limits=count_limits,
            gs1_key=gs1_key,
        )
    if count_limits:
        wait = scan_throttle_wait(request, serial)
        if wait is not None:
            return Passage(wait=wait)
    label = label_find_for_scan(serial=serial, gs1_key=gs1_key)
    if label is not None and record:
        scans.scan_record(
            label=label,
            client_address=client_ident(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            city=client_city(request),
        )
    return Passage(label=label)


# One call per scan. KEYS: client counter, serial counter, scan buffer, label
# facts. ARGV: 1 client limit, 2 client TTL, 3 serial limit, 4 serial TTL,
# 5 "1" to count the limits, 6 "1" to record, 7 client hash, 8 the record
# after the label id, 9 now (ISO), 10 city, 11 repeat window seconds, 12
# facts TTL, 13 repeat key prefix, 14 story generation key prefix, then
# field/value pairs to store if Redis has no facts for the label (read from
# the database after a miss). The repeat and generation keys are built from
# the facts, so they are not in KEYS: the gate needs one Redis, not a cluster.
_SCRIPT = """
local client, serial = 0, 0
if ARGV[5] == '1' then
  client = redis.call('INCR', KEYS[1])
  if client == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
  serial = redis.call('INCR', KEYS[2])
  if serial == 1 then redis.call('EXPIRE', KEYS[2], ARGV[4]) end
  if client > tonumber(ARGV[1]) or serial > tonumber(ARGV[3]) then
    return {client, serial, false, false}
  end
end
if #ARGV > 14 and redis.call('EXISTS', KEYS[4]) == 0 then
  redis.call('HSET', KEYS[4], unpack(ARGV, 15))
  redis.call('EXPIRE', KEYS[4], ARGV[12])
end
local facts = redis.call('HMGET', KEYS[4], %(fields)s)
if not facts[%(id)d] then
  return {client, serial, false, false}
end
local generation = redis.call('GET', ARGV[14] .. facts[%(batch_id)d]) or false
if ARGV[6] == '1' and facts[%(status)d] == '%(active)s' then
  local seen = ARGV[13] .. facts[%(id)d] .. ':' .. ARGV[7]
  if tonumber(ARGV[11]) <= 0 or redis.call('SET', seen, '1', 'NX', 'EX', ARGV[11]) then
    redis.call('RPUSH', KEYS[3], '[' .. facts[%(id)d] .. ARGV[8])
    facts[%(scan_count)d] = redis.call('HINCRBY', KEYS[4], 'scan_count', 1)
    if not facts[%(first_scanned_at)d] or facts[%(first_scanned_at)d] == '' then
      redis.call('HSET', KEYS[4], 'first_scanned_at', ARGV[9],
                 'first_scanned_city', ARGV[10])
      facts[%(first_scanned_at)d], facts[%(first_scanned_city)d] = ARGV[9], ARGV[10]
    end
  end
end
return {client, serial, generation, facts}
"""


@functools.cache
def _script_text() -> str:
    places = {name: place for place, name in enumerate(scans.FIELDS, start=1)}
    return _SCRIPT % {
        "fields": ", ".join(f"'{name}'" for name in scans.FIELDS),
        "active": LabelStatus.ACTIVE.value,
        **places,  # Lua counts from 1
    }


def _limit(rate: str | None) -> tuple[int, int]:
    """Return (requests, seconds) of a rate; no rate is a counter nobody checks."""
    if rate is None:
        return 2**62, 60
    return SimpleRateThrottle.parse_rate(None, rate)


@dataclass(frozen=True)
class _Plan:
    """What every buffered gate call needs from the settings, worked out once.

    Read on every scan, the settings, the cache's key function and the
    Redis client cost a third of the gate's own Python (bench/scan_cpu.py),
    so the plan is kept until a setting changes (`setting_changed`: tests)
    or the process forks (a worker needs its own connection).
    """

    redis: object  # labels.scans.redis_client()
    script: object  # the gate's script, registered with that client
    make_key: Callable[[str], str]  # the cache's own key function
    client: ScanClientThrottle
    serial: ScanSerialThrottle
    client_limit: int
    client_seconds: int
    serial_limit: int
    serial_seconds: int
    repeat_seconds: int
    facts_seconds: int
    story_prefix: str


@functools.cache
def _plan_for(pid: int) -> _Plan | None:
    """Return the process's gate plan in buffered mode; None in sync mode."""
    if scans.write_mode() != scans.BUFFERED:
        return None
    client_limit, client_seconds = _limit(settings.SUYUAN_SCAN_RATE_PER_CLIENT)
    serial_limit, serial_seconds = _limit(settings.SUYUAN_SCAN_RATE_PER_SERIAL)
    redis_client = scans.redis_client()
    return _Plan(
        redis=redis_client,
        # redis-py loads it again after NOSCRIPT.
        script=redis_client.register_script(_script_text()),
        make_key=cache.make_key,
        client=ScanClientThrottle(),
        serial=ScanSerialThrottle(),
        client_limit=client_limit,
        client_seconds=client_seconds,
        serial_limit=serial_limit,
        serial_seconds=serial_seconds,
        repeat_seconds=settings.SUYUAN_SCAN_REPEAT_SECONDS,
        facts_seconds=settings.SUYUAN_SCAN_LABEL_CACHE_SECONDS,
        story_prefix=cache.make_key(STORY_KEY_PREFIX),
    )


@receiver(setting_changed)
def _forget_plan(**kwargs) -> None:
    _plan_for.cache_clear()


def _evalsha(plan: _Plan, keys: list, args: list) -> list:
    """Call the gate's script and return its reply.

    redis-py's registered script (`Script.__call__`) sends EVALSHA, loads the
    script again after NOSCRIPT (Redis restarted), and the client retries a
    lost connection once (labels.scans.redis_client).
    """
    return plan.script(keys=keys, args=args, client=plan.redis)


def _redis_pass(
    plan: _Plan,
    request,
    serial: str,
    *,
    record: bool,
    count_limits: bool,
    gs1_key: bool,
) -> Passage:
    make_key = plan.make_key
    canonical = codes.serial_normalize(serial, gs1_key=gs1_key)
    now = timezone.now()
    ident = client_ident(request)
    hashed, tail, city = "", "", ""
    if record and canonical is not None:
        hashed, city = scans.client_hash(ident), client_city(request)
        tail = scans.scan_record_tail(
            now=now,
            hashed=hashed,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            city=city,
        )
    seconds = now.timestamp()
    # The same windows and cache keys as the throttle classes count.
    client_key, client_end = plan.client.window(
        plan.client.get_cache_key(request, None), seconds
    )
    serial_key, serial_end = plan.serial.window(plan.serial.key_for(serial), seconds)
    args = [
        plan.client_limit,
        plan.client_seconds + 1,
        plan.serial_limit,
        plan.serial_seconds + 1,
        "1" if count_limits else "0",
        "1" if tail else "0",
        hashed,
        tail,
        now.isoformat(),
        city,
        plan.repeat_seconds,
        plan.facts_seconds,
        scans.SEEN_KEY_PREFIX,
        plan.story_prefix,
    ]
    keys = [
        make_key(client_key),
        make_key(serial_key),
        scans.SCAN_BUFFER_KEY,
        scans.label_key(canonical or "-"),
    ]
    client_count, serial_count, generation, facts = _evalsha(plan, keys, args)
    waits = []
    if count_limits and client_count > plan.client_limit:
        waits.append(client_end - seconds)
    if count_limits and serial_count > plan.serial_limit:
        waits.append(serial_end - seconds)
    if waits:
        return Passage(wait=max(1.0, *waits))
    if canonical is None:
        return Passage()
    if not facts:
        label = label_find_for_scan(serial=canonical)
        if label is None:
            return Passage()
        stored = [
            item
            for pair in zip(scans.FIELDS, scans.facts_of(label), strict=True)
            for item in pair
        ]
        _count, _count, generation, facts = _evalsha(
            plan, keys, [*args[:4], "0", *args[5:], *stored]
        )
    return Passage(
        label=scans.label_from_facts(canonical, facts),
        generation=int(generation) if generation else None,
    )
