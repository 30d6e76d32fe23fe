#!/usr/bin/env python
"""Measure the scan's own CPU per request in one process, without HTTP or wrk.

usage: DATABASE_URL=postgres://... python bench/scan_cpu.py [--requests 3000]
       [--rounds 5] [--profile "scan JSON"|"scan HTML"] [--instructions]
       [--root OTHER_CHECKOUT]

bench/scan.py's shares move by ±5 points between runs on a shared machine,
more than most single changes to the gate are worth. This script calls the
WSGI application directly, as gunicorn's worker would, in buffered mode
with bench/scan.py's settings and Redis database (SUYUAN_BENCH_CACHE_URL),
and prints the process CPU time per request of the bare view, the JSON scan
and the page, interleaved round by round (median and spread). Redis's own
work is in another process and not counted here: bench/scan.py measures
the whole. `--profile` prints cProfile's top functions of one endpoint.

CPU time moves by half between runs here too. `--instructions` counts
instead: it runs the script under valgrind's callgrind twice per endpoint,
answering 100 and 600 requests after the same warm-up (the first 300
serials, every story built), and prints the difference per request. The
count agrees within 4 % between runs, however busy the machine is, so it
resolves a change of a few per cent; it leaves out the kernel and Redis.
`--root` measures another checkout (a `git worktree`, its facts published
in its own Redis database: SUYUAN_BENCH_CACHE_URL).

Needs bench/load.py's data set and the label facts published (bench/scan.py
publishes them; `manage.py scan_cache_publish` does it alone).
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django
from common import ROOT
from compare import side_env
from scan import CACHE_URL, ENDPOINTS, SCANS, SERIALS

INSTRUCTION_COUNTS = (100, 600)  # requests per callgrind run: their difference counts
MEASURED = ("bare view", *SCANS)


def path_for(name: str, serial: str) -> str:
    """Return the path wrk asks for endpoint `name` (a scan: of `serial`)."""
    return ENDPOINTS[name] + serial if name in SCANS else ENDPOINTS[name]


def environ_for(path: str, address: str) -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8019",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8019",
        "HTTP_USER_AGENT": "Mozilla/5.0 (iPhone) bench",
        "HTTP_X_FORWARDED_FOR": address,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def requests_for(name: str, count: int, serials: list[str]) -> list[dict]:
    return [
        environ_for(
            path_for(name, random.choice(serials)),
            f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}",
        )
        for _ in range(count)
    ]


def call_all(application, environs: list[dict]) -> float:
    """Answer every request; return the process CPU microseconds per request."""
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    started = time.process_time()
    for environ in environs:
        body = application(environ, start_response)
        for _chunk in body:
            pass
        body.close()
    spent = time.process_time() - started
    bad = [status for status in statuses if not status.startswith("200")]
    if bad:
        sys.exit(f"{len(bad)} answers were not 200, e.g. {bad[0]}")
    return spent / len(environs) * 1e6


def instructions(name: str, root: Path) -> int:
    """Return the instructions one request of `name` costs, counted by callgrind."""
    totals = []
    with tempfile.TemporaryDirectory() as scratch:
        for count in INSTRUCTION_COUNTS:
            output = Path(scratch) / f"callgrind.{count}"
            run = subprocess.run(
                [
                    "valgrind",
                    "--tool=callgrind",
                    f"--callgrind-out-file={output}",
                    sys.executable,
                    __file__,
                    "--only",
                    name,
                    "--requests",
                    str(count),
                    "--serials",
                    "300",
                    "--root",
                    str(root),
                ],
                capture_output=True,
                text=True,
            )
            if run.returncode != 0:
                sys.exit(f"{name}: the callgrind run failed:\n{run.stderr[-2000:]}")
            summary = re.search(r"^(?:summary|totals): (\d+)", output.read_text(), re.M)
            totals.append(int(summary.group(1)))
    return (totals[1] - totals[0]) // (INSTRUCTION_COUNTS[1] - INSTRUCTION_COUNTS[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", choices=SCANS)
    parser.add_argument(
        "--only",
        choices=MEASURED,
        help="answer --requests requests of one endpoint after a warm-up and exit"
        " (run under valgrind --tool=callgrind twice with two counts: the"
        " difference is the instructions per request; --instructions does it)",
    )
    parser.add_argument("--serials", type=int, default=0, help="use the first N only")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions per request with callgrind (about 8 minutes)",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=ROOT,
        help="the checkout whose Django to measure (another: a git worktree, its"
        " facts published in its own Redis database, SUYUAN_BENCH_CACHE_URL)",
    )
    args = parser.parse_args()
    if args.instructions:
        if shutil.which("valgrind") is None:
            sys.exit("--instructions needs valgrind (Debian: apt-get install valgrind)")
        for name in MEASURED:
            count = instructions(name, args.root.resolve())
            print(f"{name:10}  {count:>9,} instructions per request", flush=True)
        return

    serials = (ROOT / SERIALS).read_text().split()
    os.environ.update(side_env(args.root, CACHE_URL))
    os.chdir(args.root)
    sys.path[:0] = [str(args.root), str(args.root / "bench")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from config.wsgi import application

    if args.serials:
        serials = serials[: args.serials]
    random.seed(23)
    if args.only:
        for serial in serials:  # every batch's story built, as a warm server has
            call_all(
                application,
                [environ_for(path_for(args.only, serial), "10.0.0.1")],
            )
        call_all(application, requests_for(args.only, args.requests, serials))
        return
    # Build every batch's story once, as a warm server has.
    for name in MEASURED:
        call_all(application, requests_for(name, 2000, serials))

    if args.profile:
        profile = cProfile.Profile()
        environs = requests_for(args.profile, args.requests, serials)
        profile.enable()
        call_all(application, environs)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)
        return

    spent = {name: [] for name in MEASURED}
    for _round in range(args.rounds):
        for name in MEASURED:
            environs = requests_for(name, args.requests, serials)
            spent[name].append(call_all(application, environs))
    for name, values in spent.items():
        print(
            f"{name:10}  {statistics.median(values):6.0f} µs CPU per request"
            f"  ({min(values):.0f}–{max(values):.0f} over {args.rounds} rounds)"
        )


if __name__ == "__main__":
    main()
