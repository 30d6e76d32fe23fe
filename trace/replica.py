"""Reads off the primary: which queries a streaming replica may answer.

With DATABASE_REPLICA_URL set, settings add a "replica" database and
ReplicaRouter. The rule is explicit, not guessed from the model: a query
goes to the replica only inside `replica_reads()` (or a view wrapped by
`reads_from_replica`), which the read-only pages put around themselves:
the reports and exports, the dashboard, the recall trace and the public
catalogue. Everything else reads the primary, and every write goes to the
primary, even inside `replica_reads()`.

A replica can be behind, so the primary answers instead when:
- the request is not GET or HEAD, or it has written (pinned for the rest of
  the request: it reads its own write);
- the client wrote within the last SUYUAN_REPLICA_PIN_SECONDS (a cookie set
  by config.middleware.ReplicaPinMiddleware: the page after a POST reads
  what the POST wrote);
- a transaction on the primary is open (its reads must see its writes);
- the replica is down, not in recovery, or lags the primary by more than
  SUYUAN_REPLICA_MAX_LAG_SECONDS. That is checked at most every
  SUYUAN_REPLICA_CHECK_SECONDS per process, and logged once when the replica
  becomes unusable and once when it is back, not on every request.
"""

import contextvars
import functools
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD"})

_replica_reads = contextvars.ContextVar("suyuan_replica_reads", default=False)
_wrote = contextvars.ContextVar("suyuan_wrote", default=False)


@dataclass(frozen=True)
class ReplicaState:
    """What the last check found: usable or not, why, and the lag in seconds."""

    usable: bool
    reason: str
    lag_seconds: float | None
    checked_at: float


_state: ReplicaState | None = None


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads():
    """Let the queries inside read from the replica (when it is usable)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def reads_from_replica(view):
    """Wrap a view (function, or a class-based view's handler) in replica_reads.

    Only GET and HEAD requests read from the replica; any other method runs
    on the primary alone. Works for `view(request, ...)` and for methods
    `handler(self, request, ...)`.
    """

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        # A view's first argument is the request; a handler's is the view.
        request = args[0] if hasattr(args[0], "META") else args[1]
        if request.method not in SAFE_METHODS:
            return view(*args, **kwargs)
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped


@contextmanager
def request_scope(*, pinned: bool):
    """One request: forget the last request's write; `pinned` reads the primary."""
    token = _wrote.set(pinned)
    try:
        yield
    finally:
        _wrote.reset(token)


def wrote() -> bool:
    """Whether this request (or context) has written to the primary."""
    return _wrote.get()


def _measure() -> tuple[bool, str, float | None]:
    """Ask the replica and the primary how far the replica has replayed."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,"
                " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())"
            )
            in_recovery, replayed, since_last_replay = cursor.fetchone()
    except DatabaseError as error:
        connections[REPLICA].close()
        return False, f"down ({type(error).__name__})", None
    if not in_recovery:
        return False, "not a standby", None
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        # The primary's position against what the replica replayed: equal
        # means caught up, whatever the time since the last transaction.
        cursor.execute(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)", [replayed]
        )
        (behind_bytes,) = cursor.fetchone()
    lag = 0.0 if behind_bytes <= 0 else float(since_last_replay or 0.0)
    if lag > settings.SUYUAN_REPLICA_MAX_LAG_SECONDS:
        return False, f"lagging {lag:.1f} s", lag
    return True, "ok", lag


def replica_state(*, refresh: bool = False) -> ReplicaState:
    """Return the replica's state, measured at most every SUYUAN_REPLICA_CHECK_SECONDS."""
    global _state
    now = time.monotonic()
    if (
        not refresh
        and _state is not None
        and now - _state.checked_at < settings.SUYUAN_REPLICA_CHECK_SECONDS
    ):
        return _state
    usable, reason, lag = _measure()
    previous = _state
    _state = ReplicaState(usable, reason, lag, now)
    if not usable and (previous is None or previous.usable):
        logger.warning("read replica unusable (%s): reading from the primary", reason)
    elif usable and previous is not None and not previous.usable:
        logger.warning("read replica usable again: reads go back to it")
    return _state


def replica_forget_state() -> None:
    """Forget the last check (tests, and after reconfiguring the replica)."""
    global _state
    _state = None


def _read_alias() -> str | None:
    if not _replica_reads.get() or _wrote.get() or not replica_configured():
        return None
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return None
    return REPLICA if replica_state().usable else None


class ReplicaRouter:
    """Django's database router for the rule above (settings.DATABASE_ROUTERS)."""

    def db_for_read(self, model, **hints):
        return _read_alias() or DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        # An object read from the replica is saved to the primary all the
        # same, and what this request reads next is read there.
        _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
