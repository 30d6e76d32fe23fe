"""The gate every public scan passes: throttles, the label, and the scan's record.

`scan_pass` is the one pipeline of both endpoints (the page and its JSON
twin), in the two write modes of labels/scans.py:

- sync (embedded): the scan throttles count in the cache
  (api/throttling.py), the label is read from the database and
  `labels.scans.scan_record` writes the scan in the request;
- buffered (the Redis gate): one call of a Lua script registered with
  redis-py (`register_script`, a connection from the client's pool) counts
  both limits, reads the label's facts and the batch's story generation
  and, if the scan counts, queues it and raises the live count. A label
  Redis does not know yet is read from the database and handed over in a
  second call.

Either way the answer is a `Passage`: seconds to wait if over a limit, the
label (a Label, or the facts Redis holds) or None for an unknown code, and
the batch's story generation if the gate read it.
"""

import functools
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from redis.exceptions import ConnectionError, NoScriptError, TimeoutError
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
    request, serial: str, *, record: bool, count_limits: bool = True
) -> Passage:
    """Let one scan of `serial` through the gate; record it if `record`.

    `count_limits=False` skips the throttles (a second pass of a request
    already counted). Redis and database errors propagate: the middleware
    answers them with a 503 (api/scan/middleware.py).
    """
    if scans.write_mode() == scans.BUFFERED:
        return _redis_pass(request, serial, record=record, count_limits=count_limits)
    if count_limits:
        wait = scan_throttle_wait(request, serial)
        if wait is not None:
            return Passage(wait=wait)
    label = label_find_for_scan(serial=serial)
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


@functools.lru_cache(maxsize=8)
def _script(client):
    # redis-py sends EVALSHA and loads the script again after NOSCRIPT.
    return client.register_script(_script_text())


def _evalsha(client, script, keys: list, args: list) -> list:
    """Call the gate's script on the client's one connection and return its reply.

    `send_command` and `read_response` are the connection's own methods
    (redis-py's socket, parser and timeouts). The client's call around them
    (script object, retry wrapper, metrics, reply callbacks) cost 131,000
    instructions per scan, 8 % of a JSON scan (bench/scan_cpu.py). After
    NOSCRIPT (Redis restarted) or a lost connection, the script's own call
    loads the script and tries again, as the client's retry did.
    """
    with client.single_connection_lock:
        connection = client.connection
        try:
            connection.send_command("EVALSHA", script.sha, len(keys), *keys, *args)
            return connection.read_response()
        except NoScriptError:
            pass
        except (ConnectionError, TimeoutError):
            connection.disconnect()
    return script(keys=keys, args=args, client=client)


def _limit(rate: str | None) -> tuple[int, int]:
    """Return (requests, seconds) of a rate; no rate is a counter nobody checks."""
    if rate is None:
        return 2**62, 60
    return SimpleRateThrottle.parse_rate(None, rate)


@dataclass(frozen=True)
class _Plan:
    """What every gate call needs from the settings, worked out once per value."""

    client: ScanClientThrottle
    serial: ScanSerialThrottle
    client_limit: int
    client_seconds: int
    serial_limit: int
    serial_seconds: int
    repeat_seconds: int
    facts_seconds: int
    story_prefix: str


@functools.lru_cache(maxsize=4)
def _plan(
    client_rate, serial_rate, repeat_seconds, facts_seconds, story_prefix
) -> _Plan:
    client_limit, client_seconds = _limit(client_rate)
    serial_limit, serial_seconds = _limit(serial_rate)
    return _Plan(
        ScanClientThrottle(),
        ScanSerialThrottle(),
        client_limit,
        client_seconds,
        serial_limit,
        serial_seconds,
        repeat_seconds,
        facts_seconds,
        story_prefix,
    )


def _current_plan() -> _Plan:
    return _plan(
        settings.SUYUAN_SCAN_RATE_PER_CLIENT,
        settings.SUYUAN_SCAN_RATE_PER_SERIAL,
        settings.SUYUAN_SCAN_REPEAT_SECONDS,
        settings.SUYUAN_SCAN_LABEL_CACHE_SECONDS,
        cache.make_key(STORY_KEY_PREFIX),
    )


def _redis_pass(request, serial: str, *, record: bool, count_limits: bool) -> Passage:
    client = scans.redis_client()
    script = _script(client)
    plan = _current_plan()
    canonical = codes.serial_normalize(serial)
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
        cache.make_key(client_key),
        cache.make_key(serial_key),
        scans.SCAN_BUFFER_KEY,
        scans.label_key(canonical or "-"),
    ]
    client_count, serial_count, generation, facts = _evalsha(client, script, keys, args)
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
            client, script, keys, [*args[:4], "0", *args[5:], *stored]
        )
    return Passage(
        label=scans.label_from_facts(canonical, facts),
        generation=int(generation) if generation else None,
    )
