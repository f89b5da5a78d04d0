"""/metrics under gunicorn as the Procfile runs it, two workers, PROMETHEUS_MULTIPROC_DIR set:
every scrape, whichever worker answers it, sums the counts of both workers."""

from __future__ import annotations

import re

import requests

from bench.servers import Gunicorn, free_port, web_command
from bench.webhooks import AUTH_TOKEN, server_env
from tests.caller import Caller

TOKEN = "metrics-token-for-gunicorn-0123"
CALLS = 12


def test_every_scrape_sums_every_worker(redis_server, redis, tmp_path):
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    port = free_port()
    env = server_env(redis_server.url, port) | {
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "METRICS_TOKEN": TOKEN,
        "WEB_CONCURRENCY": "2",
    }
    server = Gunicorn("hotline", port, web_command(port, "app:app", env), env, tmp_path / "log")
    server.start()
    try:
        server.wait_ready("/healthz", timeout=60)
        url = f"http://127.0.0.1:{port}"
        for n in range(CALLS):
            Caller(url, AUTH_TOKEN, {}, number=f"+3361234{n:04d}").dial()
        seen = set()
        for _ in range(8):  # new connections: both workers answer some scrapes
            answer = requests.get(
                url + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
            )
            assert answer.status_code == 200
            found = re.search(r"^hotline_call_started_total (\S+)$", answer.text, re.M)
            assert found, answer.text[:500]
            seen.add(float(found.group(1)))
        assert seen == {float(CALLS)}
        assert list(metrics_dir.glob("counter_*.db"))
    finally:
        server.stop()
