"""`make cluster` end to end: a scan over TLS through nginx, recorded once.

Starts the whole topology (deploy/cluster.sh) on free loopback ports in a
temporary directory: nginx with the self-signed CA's certificate, two
gunicorn nodes, pgbouncer, a PostgreSQL primary and replica, Redis, Celery
workers by queue and beat, with the demo data. Slow (about two minutes):
marked `cluster`; `make cluster-stop` removes it all afterwards.
"""

import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg2
import pytest

from tests.conftest import missing
from tests.deploy.clusters import ROOT, clean_environment, free_port

pytestmark = pytest.mark.cluster

PORTS = (
    "PRIMARY_PORT",
    "REPLICA_PORT",
    "PGBOUNCER_PORT",
    "REDIS_PORT",
    "NODE1_PORT",
    "NODE2_PORT",
    "HTTP_PORT",
    "HTTPS_PORT",
)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def processes_under(directory: Path) -> list[str]:
    """Command lines of the running processes that name `directory`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, UnicodeDecodeError):
            continue
        if str(directory) in command:
            found.append(command)
    return found


@pytest.fixture
def cluster():
    for tool in ("nginx", "pgbouncer", "redis-server", "openssl", "curl", "make"):
        if shutil.which(tool) is None:
            missing(f"{tool} is not installed (Debian: see .ci/run)")
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        missing("PostgreSQL server binaries are not installed (Debian: postgresql-15)")
    directory = Path(tempfile.mkdtemp(prefix="suyuan-cluster-"))
    directory.chmod(0o755)  # the postgres user reaches its data directories
    ports = {name: str(free_port()) for name in PORTS}
    env = (
        clean_environment()
        | ports
        | {
            "CLUSTER_DIR": str(directory),
            "SUYUAN_PG_FAST": "1",
            "SUYUAN_SCAN_FLUSH_SECONDS": "1",
        }
    )
    make = ["make", f"CLUSTER_PYTHON={sys.executable}"]
    try:
        started = subprocess.run(
            [*make, "cluster"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert started.returncode == 0, started.stdout[-3000:] + started.stderr[-3000:]
        yield directory, ports
    finally:
        stopped = subprocess.run(
            [*make, "cluster-stop"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert stopped.returncode == 0, stopped.stderr[-3000:]
        assert not directory.exists()
        assert not processes_under(directory), processes_under(directory)


def test_a_scan_over_tls_through_nginx_is_recorded_once(cluster):
    directory, ports = cluster
    https = f"https://127.0.0.1:{ports['HTTPS_PORT']}"
    tls = ssl.create_default_context(cafile=str(directory / "tls" / "ca.crt"))

    def get(path: str):
        with urllib.request.urlopen(
            f"{https}{path}", context=tls, timeout=15
        ) as response:
            return response.status, response.read().decode()

    status, body = get("/readyz")
    assert status == 200
    checks = json.loads(body)["checks"]
    assert all(check["ok"] for check in checks.values()), checks
    assert set(checks) == {"database", "replica", "cache", "broker"}

    # Plain HTTP is only a redirect to the TLS port.
    plain = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        plain.open(f"http://127.0.0.1:{ports['HTTP_PORT']}/healthz", timeout=10)
    assert redirect.value.code == 301
    assert redirect.value.headers["Location"] == f"{https}/healthz"

    primary = psycopg2.connect(
        host="127.0.0.1", port=ports["PRIMARY_PORT"], user="postgres", dbname="suyuan"
    )
    primary.autocommit = True

    def one(query: str, *params):
        with primary.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchone()

    serial, label_id = one(
        "SELECT serial, id FROM labels_label WHERE status = 'active' AND scan_count = 0"
        " ORDER BY id LIMIT 1"
    )
    for _ in range(2):  # the same client twice: one scan
        status, page = get(f"/t/{serial}")
        assert status == 200

    def recorded() -> int:
        return one(
            "SELECT count(*) FROM labels_scanevent WHERE label_id = %s", label_id
        )[0]

    deadline = time.monotonic() + 30
    while recorded() == 0 and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(3)  # a few more flushes: nothing written twice
    assert recorded() == 1
    assert one("SELECT scan_count FROM labels_label WHERE id = %s", label_id)[0] == 1
    primary.close()

    status, metrics = get("/metrics")
    assert re.search(r"^suyuan_scans_recorded_total 1\.0$", metrics, re.M), metrics[
        -2000:
    ]
    assert re.search(r"^suyuan_replica_usable 1\.0$", metrics, re.M)

    # nginx serves the static files itself, and never the private ones directly.
    status, css = get("/static/admin/css/base.css")
    assert status == 200 and "body" in css
    with pytest.raises(urllib.error.HTTPError) as private:
        get("/_protected/anything.pdf")
    assert private.value.code == 404

    # Node 1 dies: every GET is still answered (retried on node 2).
    node1 = int((directory / "run" / "node1.pid").read_text())
    os.kill(node1, signal.SIGQUIT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(node1, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    answered = [get("/healthz")[0] for _ in range(10)]
    answered += [get(f"/t/{serial}")[0] for _ in range(5)]
    assert answered == [200] * 15

    # The GS1 resolver's own links are https (its isHttps check).
    status, resolver = get("/.well-known/gs1resolver")
    assert f'"{https}' in resolver or https.replace("/", "\\/") in resolver, resolver
