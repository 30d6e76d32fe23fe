"""gunicorn settings of one app node (deploy/cluster.sh passes --bind and --pid).

Sync workers, as `make serve-prod`: WEB_WORKERS per node (CPU cores + 1 on a
node of its own). Behind nginx, which keeps connections to the node alive.
"""

import os

workers = int(os.environ.get("WEB_WORKERS", "2"))
timeout = 120
graceful_timeout = 20
keepalive = 5
# Recycle a worker now and then (a slow leak in a library stays bounded).
max_requests = 20000
max_requests_jitter = 2000
# nginx on this host sets X-Forwarded-*; Django trusts it (SUYUAN_NUM_PROXIES=1).
forwarded_allow_ips = "127.0.0.1"


def child_exit(server, worker):
    # A dead worker's live gauges leave the host's sum (config/metrics.py).
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
