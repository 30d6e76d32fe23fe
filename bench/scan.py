#!/usr/bin/env python
"""Benchmark the public scan under wrk: JSON and HTML against a bare view.

usage: DATABASE_URL=postgres://... python bench/scan.py [--duration 2]
       [--rounds 12] [--connections 32] [--mode buffered|sync] [--port 8019]
       [--workers N] [--redis tcp|unix]

Needs bench/load.py's 1,000,000-label data set and the `wrk` tool. Starts
gunicorn (cores + 1 sync workers as the README recommends, config.wsgi,
DJANGO_DEBUG=0, production-style secrets, Redis cache DB 12, raised scan
rates, DJANGO_ROOT_URLCONF=bench.urls for the bare view) on 127.0.0.1.

On a shared machine the speed drifts by 3x within minutes, so one long run
per view compares different machines. Each round is therefore short and
interleaved: bare, JSON scan, bare, HTML page, bare, Redis floor, bare
(wrk -t2 -c32 --latency, bench/scan.lua picking random serials, each
request from a new phone through X-Forwarded-For). A run's share is its
rate over the mean of the bare runs either side of it, and the headline is
the median of the rounds' shares with their spread (min-max). The Redis
floor (bench/urls.py: the bare view plus one call of a script that does
nothing) is the most any gate that asks Redis once per scan can reach.
Afterwards the script drains the scan buffer (buffered mode) and checks
that every answered scan was recorded.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import DEFAULT_DATABASE_URL, ROOT, gunicorn, setup

# What wrk asks for: a path, or a prefix bench/scan.lua puts a serial after.
ENDPOINTS = {
    "bare view": "/bench/bare",
    "scan JSON": "/api/v1/scan/",
    "scan HTML": "/t/",
    "Redis floor": "/bench/redis-floor",
}
SCANS = ("scan JSON", "scan HTML")
COMPARED = (*SCANS, "Redis floor")
# The bench flushes this database: on a shared machine give each bench its own.
CACHE_URL = os.environ.get("SUYUAN_BENCH_CACHE_URL", "redis://127.0.0.1:6379/12")
REDIS_SOCKET = "/tmp/suyuan-bench-redis.sock"
SERIALS = "bench/data/serials.txt"  # bench/load.py's sample of active labels


def server_env(mode: str, cache_url: str = CACHE_URL) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench-secret-key-" + "x" * 40,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_ROOT_URLCONF="bench.urls",
        SUYUAN_ID_NUMBER_KEYS="xeWEVswJamiHd6BmoZNVYg6XZiOCx7rJzEIx6LvKknQ=",
        SUYUAN_ID_NUMBER_INDEX_KEY="bench-id-number-index-key",
        # bench/load.py made its serials under the development key.
        SUYUAN_SERIAL_KEY=os.environ.get(
            "SUYUAN_SERIAL_KEY", "development-label-serial-key"
        ),
        SUYUAN_CACHE_URL=cache_url,
        # Each wrk request names a new phone in X-Forwarded-For (bench/scan.lua),
        # so every scan counts, as a crowd of shoppers' would.
        SUYUAN_NUM_PROXIES="1",
        SUYUAN_SCAN_RATE_PER_CLIENT="100000000/min",
        SUYUAN_SCAN_RATE_PER_SERIAL="100000/min",
        SUYUAN_SCAN_WRITE_MODE=mode,
        SUYUAN_LOG_LEVEL="WARNING",
    )
    return env


def wrk(
    url: str, prefix: str, duration: int, connections: int, serials: str = SERIALS
) -> dict:
    """Run wrk with bench/scan.lua: GET `url`, or `prefix` + a serial from `serials`."""
    done = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-s",
            "bench/scan.lua",
            url,
            "--",
            prefix,
            serials,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    out = done.stdout

    def ms(label: str) -> float:
        value, unit = re.search(
            rf"^\s+{label}\s+([\d.]+)(us|ms|s)\b", out, re.M
        ).groups()
        return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50": ms("50%"),
        "p99": ms("99%"),
        "non2xx": int(bad.group(1)) if bad else 0,
        "errors": errors.group(1) if errors else "",
    }


def measure(base: str, name: str, duration: int, connections: int) -> dict:
    """Run wrk once against endpoint `name` (ENDPOINTS) of the server at `base`."""
    if name in SCANS:
        return wrk(base + "/", ENDPOINTS[name], duration, connections)
    return wrk(base + ENDPOINTS[name], "", duration, connections)


def facts_publish(env: dict, root: Path = ROOT) -> float:
    """Put every label's scan facts in the cache's Redis, as print jobs do; return seconds.

    Runs `root`'s own `manage.py scan_cache_publish` with `env`, so a checkout
    publishes the facts in the shape its gate reads.
    """
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "scan_cache_publish"],
        cwd=root,
        env=env,
        check=True,
    )
    return time.perf_counter() - started


def warm_up(base: str, name: str, duration: int, connections: int) -> list[dict]:
    """Run scan endpoint `name` until its rate stops rising; return the runs.

    Rising means more than 15 % over the run two before: early on, while
    the workers build the stories, one run may gain less than that.
    """
    runs = []
    while len(runs) < 3 or runs[-1]["rps"] > 1.15 * runs[-3]["rps"]:
        runs.append(measure(base, name, duration, connections))
        if len(runs) >= 30:
            break
    print(
        f"warm-up {name} ({base}): " + ", ".join(f"{run['rps']:,.0f}" for run in runs),
        flush=True,
    )
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=2, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--mode", default="buffered", choices=["buffered", "sync"])
    parser.add_argument("--port", type=int, default=8019)
    parser.add_argument(
        "--workers",
        type=int,
        default=(os.cpu_count() or 1) + 1,
        help="gunicorn sync workers for all three views (default: cores + 1)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=5,
        help="seconds per warm-up run (repeated until the scan rate stops rising)",
    )
    parser.add_argument(
        "--redis",
        default="tcp",
        choices=["tcp", "unix"],
        help="tcp: the machine's Redis on 127.0.0.1:6379 (DB 12); unix: a private "
        f"redis-server on {REDIS_SOCKET}, as a one-host deployment would connect",
    )
    args = parser.parse_args()
    cache_url = CACHE_URL
    private_redis = None
    if args.redis == "unix":
        private_redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                "0",
                "--unixsocket",
                REDIS_SOCKET,
                "--save",
                "",
                "--appendonly",
                "no",
                "--loglevel",
                "warning",
            ]
        )
        cache_url = f"unix://{REDIS_SOCKET}?db=12"
        for _ in range(50):
            if os.path.exists(REDIS_SOCKET):
                break
            time.sleep(0.1)
    try:
        run(args, cache_url)
    finally:
        if private_redis is not None:
            private_redis.terminate()
            private_redis.wait(timeout=30)


def run(args, cache_url: str) -> None:
    os.environ.update(
        {
            k: v
            for k, v in server_env(args.mode, cache_url).items()
            if k.startswith(("SUYUAN_CACHE", "SUYUAN_SCAN_WRITE_MODE"))
        }
    )
    setup()
    import redis

    from labels.models import Label, ScanEvent

    if Label.objects.count() < 1_000_000:
        sys.exit("run bench/load.py first (needs 1,000,000 labels)")
    redis.Redis.from_url(cache_url).flushdb()  # the database belongs to this bench
    server = gunicorn(
        port=args.port,
        workers=args.workers,
        env=dict(
            server_env(args.mode, cache_url),
            PYTHONPATH=str(Path(__file__).parent),
        ),
        ready_path=ENDPOINTS["bare view"],
    )
    # Started before publishing, so a port already in use is refused at once.
    with server as base:
        if args.mode == "buffered":
            # Every label's facts, the 1,000,000, not just the sample.
            seconds = facts_publish(server_env(args.mode, cache_url))
            memory = redis.Redis.from_url(cache_url).info("memory")["used_memory"]
            print(
                f"published 1,000,000 labels' scan facts in "
                f"{seconds:.0f} s; Redis uses {memory / 2**20:,.0f} MiB",
                flush=True,
            )
        scans_before = ScanEvent.objects.count()
        # Warm-up: each worker builds every batch's story once (500 batches
        # x 3 workers, tens of ms each), so run each scan endpoint until its
        # rate stops rising, then measure the steady state.
        warm_up_scans = warm_up_runs = 0
        wrk(base + ENDPOINTS["bare view"], "", 5, args.connections)
        for name in SCANS:
            runs = warm_up(base, name, args.warmup, args.connections)
            warm_up_scans += sum(run["requests"] for run in runs)
            warm_up_runs += len(runs)
        results = {name: [] for name in ENDPOINTS}
        shares = {name: [] for name in COMPARED}

        def run_once(name: str) -> dict:
            return measure(base, name, args.duration, args.connections)

        for round_ in range(args.rounds):
            bare_runs = [run_once("bare view")]
            for name in COMPARED:
                results[name].append(run_once(name))
                bare_runs.append(run_once("bare view"))
                around = (bare_runs[-2]["rps"] + bare_runs[-1]["rps"]) / 2
                shares[name].append(results[name][-1]["rps"] / around)
            results["bare view"].extend(bare_runs)
            print(
                f"round {round_ + 1:>2}: bare "
                + "/".join(f"{run['rps']:,.0f}" for run in bare_runs)
                + " req/s; "
                + "; ".join(
                    f"{name} {results[name][-1]['rps']:,.0f} ({shares[name][-1]:.0%})"
                    for name in COMPARED
                ),
                flush=True,
            )
    flushed, flush_seconds = 0, 0.0
    if args.mode == "buffered":
        from labels.scans import scan_buffer_flush

        started = time.perf_counter()
        flushed = scan_buffer_flush()
        flush_seconds = time.perf_counter() - started
    recorded = ScanEvent.objects.count() - scans_before
    answered = warm_up_scans + sum(
        r["requests"] for name in SCANS for r in results[name]
    )
    # wrk does not count a request still in flight when it stops, so the
    # server may record up to one more scan per connection and wrk run.
    runs = warm_up_runs + len(SCANS) * args.rounds
    lost = max(0, answered - recorded)

    print(
        f"\nmode {args.mode}, {args.rounds} rounds of "
        "bare/JSON/bare/HTML/bare/Redis floor/bare, "
        f"{args.duration} s per wrk run, {args.connections} connections, "
        f"{args.workers} sync gunicorn workers, Redis over {args.redis}\n"
    )
    print(
        "| endpoint | share of the bare view: median of rounds (min-max) "
        "| req/s (median) | p50 ms | p99 ms (median) | non-2xx |"
    )
    print("|---|---|---|---|---|---|")
    for name in ENDPOINTS:
        runs_of = results[name]
        rps = statistics.median(r["rps"] for r in runs_of)
        p50 = statistics.median(r["p50"] for r in runs_of)
        p99 = statistics.median(r["p99"] for r in runs_of)
        non2xx = sum(r["non2xx"] for r in runs_of)
        share = "-"
        if name in shares:
            values = shares[name]
            share = (
                f"**{statistics.median(values):.0%}** "
                f"({min(values):.0%}-{max(values):.0%})"
            )
        print(f"| {name} | {share} | {rps:,.0f} | {p50:.1f} | {p99:.1f} | {non2xx} |")
    print(
        f"\nscans answered (warm-up included) {answered:,}; new ScanEvent rows "
        f"{recorded:,} ({flushed:,} flushed from the buffer after the run); "
        f"lost {lost}; extra {recorded - answered} "
        f"(in-flight at wrk stop, at most {runs * args.connections})"
    )
    if flushed:
        print(
            f"the flush wrote {flushed:,} scans in {flush_seconds:.1f} s "
            f"({flushed / flush_seconds:,.0f} scans/s, one process, after the run)"
        )


if __name__ == "__main__":
    main()
