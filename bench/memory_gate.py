"""An experiment, never production: the scan gate answered from worker memory.

`bench/scan.py --gate memory` serves this module instead of config.wsgi. It
is config.wsgi with the gate's one Redis call replaced by a dictionary
lookup: each worker reads the facts of the 100,000 sample serials from Redis
once at start, and every scan then gets the same reply Redis would give
(not throttled, the same facts) without a round trip. Nothing is counted or
recorded, so the run checks no scans.

The difference between this run and the real one is what the round trip
costs. DESIGN.md keeps throttle counters and scan state in a shared cache
(stateless web processes), so production always pays it.
"""

from config.wsgi import application  # sets Django up; gunicorn serves it


def _install() -> None:
    import redis
    from django.conf import settings

    from api import throttling
    from labels.scan_cache import FIELDS, label_key

    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    serials = [line.strip() for line in open("bench/data/serials.txt")]
    pipe = client.pipeline(transaction=False)
    for serial in serials:
        pipe.hmget(label_key(serial), *FIELDS)
    known = {
        label_key(serial): facts
        for serial, facts in zip(serials, pipe.execute(), strict=True)
    }
    from trace.public_cache import public_story_generation

    generation = str(public_story_generation())  # made now if Redis was emptied

    def answer(redis_client, *args):
        # EVALSHA, sha, 5, client key, serial key, generation, buffer, label key, ...
        facts = known.get(args[7])
        return [0, 0, generation, facts if facts and facts[0] else None]

    throttling._GATE.call = answer
    throttling.scan_gate_send = lambda request, **gate: None  # no early send either


_install()
__all__ = ["application"]
