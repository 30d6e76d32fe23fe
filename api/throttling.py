"""Throttles of the public scan: per client address and per serial.

Counters live in the shared cache (Redis in production), so they add up
across gunicorn workers; `NUM_PROXIES` decides which X-Forwarded-For entry
is the client, so a forged header cannot reset a limit.

Fixed-window counters (one `incr` per request) instead of DRF's default
history list: the history of a busy client is a list of every request time
in the window, read, unpickled and written back on each request, which
made a NAT address at scan rates the slowest part of the page
(bench/scan.py).
"""

import functools
import hashlib
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import hiredis
import redis
from django.conf import settings
from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import (
    AnonRateThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)

from config.derived import from_settings
from trace import access
from trace.choices import Role


class AnonymousThrottle(AnonRateThrottle):
    """Anonymous API clients, per address (the rate is read per request)."""

    def get_rate(self) -> str:
        return settings.SUYUAN_API_RATE_ANONYMOUS


class UserThrottle(UserRateThrottle):
    """Signed-in users, per user, at their role's rate.

    An inspector syncing a day of offline records and an office exporting
    reports need more than a bookkeeper; each role's rate is a setting.
    """

    def get_rate(self) -> str:
        return settings.SUYUAN_API_RATE_USER

    def allow_request(self, request, view) -> bool:
        self.rate = role_rate(request.user)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


def role_rate(user) -> str:
    """Return the API rate of a signed-in user's role (the user rate by default)."""
    binding = access.role_of(user)
    role = (
        Role.ADMINISTRATOR
        if access.is_administrator(user)
        else binding.role
        if binding
        else ""
    )
    return settings.SUYUAN_API_RATES_PER_ROLE.get(role) or settings.SUYUAN_API_RATE_USER


class _WindowThrottle(SimpleRateThrottle):
    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.window_end = (window + 1) * self.duration
        key = f"{self.key}:{window}"
        cache.add(key, 0, timeout=self.duration + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: a new window
            return True
        return count <= self.num_requests

    def wait(self) -> float:
        return max(0.0, self.window_end - self.timer())

    def timer(self) -> float:
        return time.time()


class ScanClientThrottle(_WindowThrottle):
    scope = "scan-client"

    def get_ident(self, request) -> str:
        return client_ident(request)

    def get_rate(self) -> str:
        return settings.SUYUAN_SCAN_RATE_PER_CLIENT

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


class ScanSerialThrottle(_WindowThrottle):
    """Limit one serial, so a village NAT scanning many boxes is not blocked."""

    scope = "scan-serial"

    def get_rate(self) -> str:
        return settings.SUYUAN_SCAN_RATE_PER_SERIAL

    def get_cache_key(self, request, view) -> str:
        ident = serial_ident(str(view.kwargs.get("serial", "")))
        return self.cache_format % {"scope": self.scope, "ident": ident}


def serial_ident(serial: str) -> str:
    """Return the serial limit's key part for a path's serial.

    Hashed: a path may hold any character, a cache key may not.
    """
    return hashlib.sha256(serial[:80].upper().encode()).hexdigest()[:32]


SCAN_THROTTLES = (ScanClientThrottle, ScanSerialThrottle)
_CLIENT_IDENT = "suyuan.client_ident"


def client_ident(request) -> str:
    """Return the client address as DRF's throttles see it, worked out once per request.

    The same rule as SimpleRateThrottle.get_ident (NUM_PROXIES decides which
    X-Forwarded-For entry is the client), read from META: DRF's version
    builds `request.headers` from every header, which the scan, the busiest
    request, paid twice.
    """
    meta = request.META
    try:
        return meta[_CLIENT_IDENT]
    except KeyError:
        pass
    xff = meta.get("HTTP_X_FORWARDED_FOR")
    remote_addr = meta.get("REMOTE_ADDR")
    num_proxies = api_settings.NUM_PROXIES
    if num_proxies is not None:
        if num_proxies == 0 or xff is None:
            ident = remote_addr
        else:
            addresses = xff.split(",")
            ident = addresses[-min(num_proxies, len(addresses))].strip()
    else:
        ident = "".join(xff.split()) if xff else remote_addr
    meta[_CLIENT_IDENT] = ident
    return ident


@functools.cache
def _redis(location: str):
    return redis.Redis.from_url(location)


@from_settings
def _redis_for_cache():
    """Return a long-lived client of the cache's Redis, or None for other caches.

    Django's RedisCache builds a new client object on every call; one
    pipeline on a kept client counts both limits in one round trip.
    """
    config = settings.CACHES["default"]
    if config["BACKEND"] != "django.core.cache.backends.redis.RedisCache":
        return None
    location = config["LOCATION"]
    return _redis(location if isinstance(location, str) else location[0])


def scan_throttle_wait(request, view) -> float | None:
    """Return seconds to wait if a scan request is over a limit, else None."""
    throttles = [throttle_class() for throttle_class in SCAN_THROTTLES]
    client = _redis_for_cache()
    if client is None:
        waits = [
            throttle.wait() or 1
            for throttle in throttles
            if not throttle.allow_request(request, view)
        ]
        return max(waits) if waits else None
    now = time.time()
    pipe = client.pipeline(transaction=False)
    counted = []
    for throttle in throttles:
        if throttle.rate is None:
            continue
        window = int(now // throttle.duration)
        key = f"suyuan:{throttle.get_cache_key(request, view)}:{window}"
        pipe.incr(key)
        pipe.expire(key, throttle.duration + 1)
        counted.append((throttle, (window + 1) * throttle.duration))
    results = pipe.execute()
    waits = [
        max(1.0, window_end - now)
        for (throttle, window_end), count in zip(counted, results[::2], strict=True)
        if count > throttle.num_requests
    ]
    return max(waits) if waits else None


# One Redis call per scan: both limits, the story generation, the label's
# facts (labels/scan_cache.py) and, if allowed, the scan queued and counted.
# KEYS: client counter, serial counter, story generation, scan buffer, label facts.
# ARGV: client limit, client TTL, serial limit, serial TTL, "1" to count the
# limits, the record's tail after the label id ("" records nothing), now
# (ISO), city, facts TTL, then field/value pairs to store if Redis has no
# facts for the label (read from the database after a miss). The facts'
# names and places come from labels/scan_cache.FIELDS (_gate_script).
_GATE_TEMPLATE = """
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
if #ARGV > 9 and redis.call('EXISTS', KEYS[5]) == 0 then
  redis.call('HSET', KEYS[5], unpack(ARGV, 10))
  redis.call('EXPIRE', KEYS[5], ARGV[9])
end
local facts = redis.call('HMGET', KEYS[5], %(fields)s)
if not facts[%(id)d] then
  return {client, serial, redis.call('GET', KEYS[3]) or false, false}
end
if ARGV[6] ~= '' then
  redis.call('RPUSH', KEYS[4], '[' .. facts[%(id)d] .. ARGV[6])
  facts[%(scan_count)d] = redis.call('HINCRBY', KEYS[5], 'scan_count', 1)
  if facts[%(first_scanned_at)d] == '' then
    redis.call('HSET', KEYS[5], 'first_scanned_at', ARGV[7], 'first_scanned_city', ARGV[8])
    facts[%(first_scanned_at)d], facts[%(first_scanned_city)d] = ARGV[7], ARGV[8]
  end
end
return {client, serial, redis.call('GET', KEYS[3]) or false, facts}
"""


class _GateConnection(threading.local):
    """One Redis connection per thread for the gate, outside the pool.

    redis-py connects it (TCP or Unix socket, password, database); the gate
    then writes to and reads from the socket itself, with its own hiredis
    reader. The pool, its lock, the retry wrapper and redis-py's read and
    write layers cost more CPU per scan than the round trip's system calls
    (bench/scan.py). A dropped connection reconnects on the next command,
    and a failed call is retried once.
    """

    client = None  # the redis.Redis whose connection settings this uses
    connection = None
    sock = None
    reader = None
    buffer = None

    def call(self, client, *args):
        for attempt in (1, 2):
            try:
                self.send(client, args)
                return self.receive()
            except (redis.ConnectionError, redis.TimeoutError):
                self.discard()
                if attempt == 2:
                    raise
            except redis.exceptions.NoScriptError:
                if attempt == 2:
                    raise
                client.script_load(_gate_script())  # Redis restarted: scripts are gone
        raise AssertionError("unreachable")

    def send(self, client, args) -> None:
        command = hiredis.pack_command(tuple(args))
        if self.sock is None or self.client is not client:
            self._connect(client)
        try:
            self.sock.sendall(command)
        except OSError as error:
            self.discard()
            raise redis.ConnectionError(
                f"gate: writing to Redis failed ({error})"
            ) from error

    def receive(self):
        reply = self.reader.gets()
        while reply is False:
            try:
                size = self.sock.recv_into(self.buffer)
            except BlockingIOError as error:  # SO_RCVTIMEO ran out (_kernel_timeouts)
                self.discard()
                raise redis.TimeoutError(
                    "gate: Redis did not answer in time"
                ) from error
            except OSError as error:
                self.discard()
                raise redis.ConnectionError(
                    f"gate: reading from Redis failed ({error})"
                ) from error
            if not size:
                self.discard()
                raise redis.ConnectionError("gate: Redis closed the connection")
            self.reader.feed(self.buffer, 0, size)
            reply = self.reader.gets()
        if isinstance(reply, redis.ResponseError):
            if str(reply).startswith("NOSCRIPT"):
                raise redis.exceptions.NoScriptError(str(reply))
            raise reply
        return reply

    def _connect(self, client) -> None:
        self.discard()
        pool = client.connection_pool
        connection = pool.connection_class(**pool.connection_kwargs)
        connection.connect()
        _kernel_timeouts(connection)
        self.client, self.connection, self.sock = client, connection, connection._sock
        self.reader = hiredis.Reader(
            protocolError=redis.exceptions.InvalidResponse,
            replyError=redis.ResponseError,
        )
        self.buffer = bytearray(65536)

    def discard(self) -> None:
        """Drop the connection: a reply may be left unread on it."""
        if self.connection is not None:
            self.connection.disconnect()
        self.connection = self.sock = self.reader = None


_GATE = _GateConnection()


def _kernel_timeouts(connection) -> None:
    """Let the kernel time out the gate's socket instead of Python.

    A Python socket timeout (redis-py's default is 5 s) makes every send and
    receive a poll() and then the call: two more system calls per scan.
    SO_SNDTIMEO and SO_RCVTIMEO keep the same limit on a blocking socket;
    a timed-out call fails with EAGAIN, which the gate reports as a
    TimeoutError (retried once in _GateConnection.call).
    """
    sock = getattr(connection, "_sock", None)
    timeout = connection.socket_timeout
    if sock is None or not timeout:
        return
    seconds = int(timeout)
    timeval = struct.pack("ll", seconds, int((timeout - seconds) * 1_000_000))
    sock.settimeout(None)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval)


@functools.cache
def _gate_script() -> str:
    from labels.scan_cache import FIELDS

    places = {
        name: place for place, name in enumerate(FIELDS, start=1)
    }  # Lua counts from 1
    return _GATE_TEMPLATE % {
        "fields": ", ".join(f"'{name}'" for name in FIELDS),
        **places,
    }


@functools.cache
def _gate_sha() -> str:
    return hashlib.sha1(_gate_script().encode()).hexdigest()


@from_settings
def scan_gate_available() -> bool:
    """Return whether the one-call gate applies: Redis cache, buffered scans there."""
    from labels.scan_cache import enabled

    return enabled()


def _limit(rate: str | None) -> tuple[int, int]:
    """Return (requests, seconds) of a rate; no rate is a counter nobody checks."""
    if rate is None:
        return 2**62, 60
    return SimpleRateThrottle.parse_rate(None, rate)


@dataclass(frozen=True)
class _GatePlan:
    """What every gate call needs from the settings, read once (not per scan)."""

    client_prefix: str
    client_limit: int
    client_seconds: int
    serial_prefix: str
    serial_limit: int
    serial_seconds: int
    generation_key: str
    buffer_key: str
    label_key: Callable[[str], str]
    fields: tuple[str, ...]
    facts_seconds: int


@from_settings
def _gate_plan() -> _GatePlan:
    from labels.scan_cache import FIELDS, label_key
    from labels.services import SCAN_BUFFER_KEY
    from trace.public_cache import GENERATION_KEY

    def prefix(throttle_class) -> str:
        key = throttle_class.cache_format % {"scope": throttle_class.scope, "ident": ""}
        return f"suyuan:{key}"

    client_limit, client_seconds = _limit(settings.SUYUAN_SCAN_RATE_PER_CLIENT)
    serial_limit, serial_seconds = _limit(settings.SUYUAN_SCAN_RATE_PER_SERIAL)
    return _GatePlan(
        client_prefix=prefix(ScanClientThrottle),
        client_limit=client_limit,
        client_seconds=client_seconds,
        serial_prefix=prefix(ScanSerialThrottle),
        serial_limit=serial_limit,
        serial_seconds=serial_seconds,
        generation_key=cache.make_and_validate_key(GENERATION_KEY),
        buffer_key=SCAN_BUFFER_KEY,
        label_key=label_key,
        fields=FIELDS,
        facts_seconds=settings.SUYUAN_SCAN_LABEL_CACHE_SECONDS,
    )


@dataclass
class GateReply:
    wait: float | None  # seconds to wait if over a limit
    generation: int | None  # the story generation token
    facts: list | None  # the label's facts (labels/scan_cache.FIELDS order)


@dataclass
class _GateCall:
    """One gate command and what reading its reply needs."""

    args: list
    count: bool
    plan: _GatePlan
    now_seconds: float
    client_window: int
    serial_window: int

    def reply(self, raw) -> GateReply:
        client_count, serial_count, generation, facts = raw
        plan, now_seconds, waits = self.plan, self.now_seconds, []
        if self.count and client_count > plan.client_limit:
            waits.append((self.client_window + 1) * plan.client_seconds - now_seconds)
        if self.count and serial_count > plan.serial_limit:
            waits.append((self.serial_window + 1) * plan.serial_seconds - now_seconds)
        try:
            generation = int(generation) if generation else None
        except ValueError:  # another format: the story cache reads it itself
            generation = None
        wait = max(1.0, *waits) if waits else None
        return GateReply(wait, generation, facts or None)


def _gate_call(
    request,
    *,
    serial: str,
    canonical: str | None,
    record_tail: str = "",
    now: str = "",
    city: str = "",
    count: bool = True,
    store: list[str] | None = None,
) -> _GateCall:
    plan = _gate_plan()
    now_seconds = time.time()
    client_window = int(now_seconds // plan.client_seconds)
    serial_window = int(now_seconds // plan.serial_seconds)
    args = [
        "EVALSHA",
        _gate_sha(),
        5,
        f"{plan.client_prefix}{client_ident(request)}:{client_window}",
        f"{plan.serial_prefix}{serial_ident(serial)}:{serial_window}",
        plan.generation_key,
        plan.buffer_key,
        plan.label_key(canonical or "-"),
        plan.client_limit,
        plan.client_seconds + 1,
        plan.serial_limit,
        plan.serial_seconds + 1,
        "1" if count else "0",
        record_tail,
        now,
        city,
        plan.facts_seconds,
    ]
    if store is not None:
        args += [item for pair in zip(plan.fields, store, strict=True) for item in pair]
    return _GateCall(args, count, plan, now_seconds, client_window, serial_window)


def scan_gate(request, **gate) -> GateReply:
    """Count both limits and read the label's facts; queue the scan if allowed.

    `serial` is the path's serial as given (its limit is counted under it, as
    ScanSerialThrottle counts it) and `canonical` its canonical form or None
    (the label's facts are found under it); `record_tail` is the buffer
    record after the label id ("" for none); `store` puts the label's facts
    (read from the database) in place first; `count=False` skips the limits
    (the second call after a miss). The keys are those of ScanClientThrottle
    and ScanSerialThrottle.
    """
    call = _gate_call(request, **gate)
    return call.reply(_GATE.call(_redis_for_cache(), *call.args))


class GateInFlight:
    """A gate call sent ahead of the view (api.middleware.ScanGateEarlyMiddleware).

    The view reads its reply once (`reply`). If the view never asked, the
    middleware's `settle` drops the connection with the reply unread, so no
    later call on this connection reads it.
    """

    def __init__(self, call: _GateCall, gate: dict, *, record: bool):
        self.call = call
        self.gate = gate
        self.record = record
        self.pending = True

    def reply(self) -> GateReply | None:
        """Return the reply, or None if it could not be read (call again)."""
        self.pending = False
        try:
            return self.call.reply(_GATE.receive())
        except redis.RedisError:  # a lost connection, or scripts gone (NOSCRIPT)
            _GATE.discard()
            return None

    def settle(self) -> None:
        if self.pending:
            self.pending = False
            _GATE.discard()


def scan_gate_send(request, *, record: bool, **gate) -> GateInFlight | None:
    """Send a gate call now and read its reply later; None if it could not be sent."""
    call = _gate_call(request, **gate)
    try:
        _GATE.send(_redis_for_cache(), call.args)
    except redis.RedisError:
        _GATE.discard()
        return None
    return GateInFlight(call, gate, record=record)
