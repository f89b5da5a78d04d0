"""/healthz: every process with the age of its last heartbeat, 503 when one is down or late; and
`flask jobs failed`, which lists, requeues and deletes what /healthz counts."""

from __future__ import annotations

import threading
import time

from rq import SimpleWorker, Worker
from rq.registry import FailedJobRegistry
from rq.serializers import JSONSerializer

from app import create_app
from hotline import heartbeat
from tests.conftest import make_settings
from wiring.web import web_parts
from workers import clock as clock_process


def checks_of(response) -> dict[str, dict]:
    return {check["name"]: check for check in response.json["checks"]}


def alive_worker(queue) -> Worker:
    """A worker registered the way `rq worker` registers itself (birth and heartbeat)."""
    worker = Worker([queue], connection=queue.connection, serializer=JSONSerializer)
    worker.register_birth()
    return worker


def test_nothing_but_the_web_app_running_is_a_503_that_says_what_is_missing(client):
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["status"] == "failing"
    checks = checks_of(response)
    assert [c["name"] for c in response.json["checks"]] == [
        "web",
        "redis",
        "worker",
        "clock",
        "failed_jobs",
        "quarantine",
    ]
    assert checks["web"]["ok"] and checks["redis"]["ok"]
    assert checks["worker"] == {
        "name": "worker",
        "ok": False,
        "count": 0,
        "detail": "no worker is running",
    }
    assert not checks["clock"]["ok"] and "never started" in checks["clock"]["detail"]


def test_a_live_worker_and_a_ticking_clock_make_it_200(client, hotline):
    worker = alive_worker(hotline.outbound.queue)
    stop = threading.Event()
    thread = threading.Thread(target=clock_process.run, args=(hotline.outbound.queue, stop))
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while heartbeat.last_beat(hotline.redis, "clock") is None:
            assert time.monotonic() < deadline, "the clock wrote no heartbeat"
            time.sleep(0.02)
        response = client.get("/healthz")
    finally:
        stop.set()
        thread.join(timeout=5)
        worker.register_death()
    assert response.status_code == 200, response.json
    checks = checks_of(response)
    assert checks["worker"]["ok"] and checks["worker"]["count"] == 1
    assert 0 <= checks["worker"]["age_seconds"] < 5
    assert checks["clock"]["ok"] and 0 <= checks["clock"]["age_seconds"] < 5
    assert checks["failed_jobs"] == {"name": "failed_jobs", "ok": True, "count": 0}


def test_a_worker_whose_heartbeat_is_older_than_the_threshold_is_late(redis_server, redis, clock):
    app = create_app(
        make_settings(redis_server.url, worker_late_seconds=1, clock_late_seconds=1), clock=clock
    )
    hotline = web_parts(app)
    worker = alive_worker(hotline.outbound.queue)
    heartbeat.beat(hotline.redis, "clock", time.time())
    try:
        assert app.test_client().get("/healthz").status_code == 200
        time.sleep(1.3)  # no heartbeat since: both are late now
        response = app.test_client().get("/healthz")
    finally:
        worker.register_death()
    assert response.status_code == 503
    checks = checks_of(response)
    assert not checks["worker"]["ok"] and checks["worker"]["age_seconds"] > 1
    assert "late" in checks["worker"]["detail"] and "late" in checks["clock"]["detail"]


def test_failed_jobs_are_counted_listed_requeued_and_deleted(app, hotline):
    queue = hotline.outbound.queue
    for n in range(3):
        queue.enqueue("builtins.int", "not a number", job_id=f"doomed-{n}")
    SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(burst=True)
    assert checks_of(app.test_client().get("/healthz"))["failed_jobs"]["count"] == 3

    runner = app.test_cli_runner()
    listed = runner.invoke(args=["jobs", "failed"])
    assert listed.exit_code == 0
    assert "3 failed job(s)" in listed.output
    assert "doomed-0  hotline  builtins.int" in listed.output and "ValueError" in listed.output

    requeued = runner.invoke(args=["jobs", "failed", "--requeue", "doomed-0"])
    assert requeued.exit_code == 0 and queue.job_ids == ["doomed-0"]
    deleted = runner.invoke(args=["jobs", "failed", "--delete", "doomed-1"])
    assert deleted.exit_code == 0 and not queue.connection.exists("rq:job:doomed-1")
    assert FailedJobRegistry(queue=queue).get_job_ids() == ["doomed-2"]

    unknown = runner.invoke(args=["jobs", "failed", "--delete", "doomed-1"])
    assert unknown.exit_code != 0 and "no failed job doomed-1" in unknown.output
    everything = runner.invoke(args=["jobs", "failed", "--requeue-all"])
    assert everything.exit_code == 0 and "requeued doomed-2" in everything.output
    assert FailedJobRegistry(queue=queue).count == 0 and "doomed-2" in queue.job_ids
