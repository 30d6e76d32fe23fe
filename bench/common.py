"""Shared set-up of the benchmark scripts: Django on the benchmark database."""

import contextlib
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/suyuan_perf"


def setup(*, database_url: str | None = None) -> None:
    """Point Django at PostgreSQL (DATABASE_URL or the bench default) and start it."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", database_url or DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def median(values) -> float:
    return statistics.median(values)


@contextlib.contextmanager
def gunicorn(
    *,
    port: int,
    workers: int,
    env: dict,
    ready_path: str = "/bench/bare",
    root: Path = ROOT,
):
    """Serve `root`'s config.wsgi with gunicorn sync workers on 127.0.0.1:`port`; yield its URL.

    Refuses a port that already answers (the figures would be another
    server's), waits until `ready_path` answers, and stops the server when
    the block ends.
    """
    base = f"http://127.0.0.1:{port}"
    try:
        urllib.request.urlopen(base + ready_path, timeout=1)
        sys.exit(f"port {port} is already serving; stop that server first")
    except OSError:
        pass
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "config.wsgi",
        ],
        cwd=root,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + ready_path, timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit("gunicorn did not start")
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
