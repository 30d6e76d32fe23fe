#!/usr/bin/env python
"""Benchmark this checkout's public scan against another checkout's, side by side.

usage: DATABASE_URL=postgres://... python bench/compare.py OTHER_CHECKOUT
       [--rounds 8] [--duration 2] [--connections 32] [--workers N]

"Did a change keep the speed?" needs both versions measured on the same
machine in the same minutes: on a shared machine the speed drifts by 3x
within minutes, so two runs of bench/scan.py an hour apart compare two
machines. This starts two gunicorns on the same database (bench/load.py's
data set), this checkout's on 127.0.0.1:8021 and OTHER_CHECKOUT's (a
`git worktree add --detach ../old REV`, run with this checkout's
virtualenv) on :8022, each with its own Redis database (11 and 12, which
this script flushes), publishes every label's facts in each with its own
`manage.py scan_cache_publish`, warms both up, and then measures rounds of
bare/JSON/bare/HTML/bare on one server and then the other, alternating
which goes first. A scan's share is its rate over the mean of its own
server's bare runs either side of it, as in bench/scan.py; the headline is
the median of the rounds' shares (min-max) for each version, and the
median of the per-round differences.

Both run in buffered mode. Checkouts from before issue 23 read the scan
buffer's Redis from SUYUAN_SCAN_BUFFER_URL; it is set for both. Scans are
not flushed to the database (bench/scan.py checks that none is lost).
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

import redis
from common import ROOT, gunicorn
from scan import SCANS, facts_publish, measure, server_env, warm_up

SIDES = {
    "this": (8021, "redis://127.0.0.1:6379/11"),
    "other": (8022, "redis://127.0.0.1:6379/12"),
}


def side_env(root: Path, cache_url: str) -> dict:
    return dict(
        server_env("buffered", cache_url),
        SUYUAN_SCAN_BUFFER_URL=cache_url,
        PYTHONPATH=str(root / "bench"),
    )


def flush_sides() -> None:
    """Empty both sides' Redis databases: they belong to this bench."""
    for _, cache_url in SIDES.values():
        redis.Redis.from_url(cache_url).flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("other", type=Path, help="the other checkout's directory")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--duration", type=int, default=2, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    args = parser.parse_args()
    roots = {"this": ROOT, "other": args.other.resolve()}
    if not (roots["other"] / "manage.py").exists():
        sys.exit(f"{roots['other']} is not a checkout of this project")
    flush_sides()

    def serve(side: str):
        port, cache_url = SIDES[side]
        return gunicorn(
            port=port,
            workers=args.workers,
            env=side_env(roots[side], cache_url),
            root=roots[side],
        )

    with serve("this") as this_base, serve("other") as other_base:
        bases = {"this": this_base, "other": other_base}
        for side, root in roots.items():
            seconds = facts_publish(side_env(root, SIDES[side][1]), root)
            print(f"{side}: published the facts in {seconds:.0f} s")
        for base in bases.values():
            measure(base, "bare view", 5, args.connections)
            for name in SCANS:
                warm_up(base, name, 5, args.connections)

        shares = {(side, name): [] for side in bases for name in SCANS}
        rates = {(side, name): [] for side in bases for name in SCANS}

        def rate(side: str, name: str) -> float:
            return measure(bases[side], name, args.duration, args.connections)["rps"]

        for round_ in range(args.rounds):
            order = ["this", "other"] if round_ % 2 == 0 else ["other", "this"]
            line = []
            for side in order:
                bare = [rate(side, "bare view")]
                for name in SCANS:
                    scan = rate(side, name)
                    rates[side, name].append(scan)
                    bare.append(rate(side, "bare view"))
                    shares[side, name].append(scan / ((bare[-2] + bare[-1]) / 2))
                line.append(
                    f"{side}: bare {statistics.median(bare):,.0f} req/s, "
                    + ", ".join(
                        f"{name} {shares[side, name][-1]:.0%}" for name in SCANS
                    )
                )
            print(f"round {round_ + 1:>2}: " + "; ".join(line), flush=True)
    flush_sides()

    print(
        f"\n{args.rounds} rounds, {args.duration} s per wrk run, {args.connections} "
        f"connections, {args.workers} sync gunicorn workers each; this = {ROOT}, "
        f"other = {roots['other']}\n"
    )
    print(
        "| endpoint | this: median share (min-max) | other: median share (min-max) "
        "| this - other, median of rounds (min-max) | this / other scans per second, median of rounds (min-max) |"
    )
    print("|---|---|---|---|---|")
    for name in SCANS:
        this, other = shares["this", name], shares["other", name]
        gaps = [a - b for a, b in zip(this, other, strict=True)]
        # The bare views differ between checkouts (their middleware), so the
        # scans' own rates, taken in the same round, are compared too.
        ratios = [
            a / b
            for a, b in zip(rates["this", name], rates["other", name], strict=True)
        ]
        print(
            f"| {name} | **{statistics.median(this):.0%}** ({min(this):.0%}-{max(this):.0%}) "
            f"| **{statistics.median(other):.0%}** ({min(other):.0%}-{max(other):.0%}) "
            f"| **{statistics.median(gaps) * 100:+.0f}** points "
            f"({min(gaps) * 100:+.0f} to {max(gaps) * 100:+.0f}) "
            f"| **{statistics.median(ratios):.2f}** ({min(ratios):.2f}-{max(ratios):.2f}) |"
        )


if __name__ == "__main__":
    main()
