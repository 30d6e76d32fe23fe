"""Real PostgreSQL (and pgbouncer) processes for the deployment tests.

The suite itself runs on SQLite or CI's PostgreSQL; these tests start their
own primary and streaming replica (deploy/postgres.sh) on free loopback
ports under a temporary directory, and run the cases that need them
(`*_cases.py` beside this file) in a child pytest whose DATABASE_URL and
DATABASE_REPLICA_URL point there. Without PostgreSQL's server binaries they
skip; under CI=true they fail.
"""

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import missing

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_SCRIPT = ROOT / "deploy" / "postgres.sh"
PGBOUNCER_SCRIPT = ROOT / "deploy" / "pgbouncer.sh"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_as_postgres(*command: str) -> list[str]:
    """The command as the postgres OS user when we are root (servers refuse root)."""
    return (
        ["runuser", "-u", "postgres", "--", *command]
        if os.geteuid() == 0
        else list(command)
    )


@dataclass
class PostgresPair:
    """A primary and its streaming replica in `directory`."""

    directory: Path
    primary_port: int
    replica_port: int

    def url(self, port: int, name: str = "suyuan") -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{name}"

    def script(self, command: str) -> None:
        subprocess.run(
            [str(POSTGRES_SCRIPT), command, str(self.directory)],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def stop(self) -> None:
        subprocess.run(
            [str(PGBOUNCER_SCRIPT), "stop", str(self.directory / "pgbouncer")],
            capture_output=True,
            timeout=60,
        )
        self.script("stop")
        shutil.rmtree(self.directory, ignore_errors=True)


def start_postgres_pair() -> PostgresPair:
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        missing("PostgreSQL server binaries are not installed (Debian: postgresql-15)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        missing("runuser is needed to start PostgreSQL as the postgres user")
    directory = Path(tempfile.mkdtemp(prefix="suyuan-pg-"))
    pair = PostgresPair(directory, free_port(), free_port())
    started = subprocess.run(
        [
            str(POSTGRES_SCRIPT),
            "start",
            str(directory),
            str(pair.primary_port),
            str(pair.replica_port),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=os.environ | {"SUYUAN_PG_FAST": "1"},
    )
    if started.returncode != 0:
        pair.stop()
        raise AssertionError(f"deploy/postgres.sh start failed: {started.stderr}")
    return pair


def start_pgbouncer(pair: PostgresPair, *, pool_size: int = 2) -> int:
    """Start pgbouncer (transaction mode) before the pair's primary; return its port."""
    if shutil.which("pgbouncer") is None:
        missing("pgbouncer is not installed (Debian: pgbouncer)")
    port = free_port()
    subprocess.run(
        [
            str(PGBOUNCER_SCRIPT),
            "start",
            str(pair.directory / "pgbouncer"),
            str(port),
            str(pair.primary_port),
        ],
        check=True,
        capture_output=True,
        timeout=60,
        env=os.environ | {"POOL_SIZE": str(pool_size)},
    )
    return port


def clean_environment() -> dict[str, str]:
    """This process's environment without the project's settings."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SUYUAN_", "DATABASE_", "CELERY_"))
    }


def run_cases(module: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run `tests/deploy/<module>` in a child pytest with `env` added."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(Path(__file__).parent / module),
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "python_files=*_cases.py",
            # The pair lives for the session: the test database is made and
            # migrated by the first child run, reused by the next.
            "--reuse-db",
        ],
        cwd=ROOT,
        env=clean_environment() | env,
        capture_output=True,
        text=True,
        timeout=600,
    )
