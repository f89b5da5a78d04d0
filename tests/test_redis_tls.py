"""Redis over TLS as managed services provide it: rediss:// with a provider's own CA
(REDIS_CA_FILE), against a real redis-server speaking TLS only. Verification is never off."""

from __future__ import annotations

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from hotline.settings import Settings, SettingsError
from tests.tls_redis import TlsRedis, make_certificates
from wiring.connections import connect_redis
from wiring.worker import build_worker, build_worker_parts

PRODUCTION = {
    "TWILIO_AUTH_TOKEN": "token",
    "HOTLINE_SECRET_KEY": "k" * 40,
}


@pytest.fixture(scope="module")
def tls_redis(tmp_path_factory):
    server = TlsRedis(tmp_path_factory.mktemp("tls-redis")).start()
    yield server
    server.stop()


def settings_for(server: TlsRedis) -> Settings:
    return Settings.from_env(
        {**PRODUCTION, "REDIS_URL": server.url, "REDIS_CA_FILE": str(server.certificates.ca)}
    )


def test_the_hotline_talks_to_a_tls_redis_through_its_ca_file(tls_redis):
    client = connect_redis(settings_for(tls_redis))
    client.set("hl:tls-probe", "yes", ex=60)
    assert client.get("hl:tls-probe") == b"yes"
    assert client.connection_pool.connection_kwargs["ssl_cert_reqs"] == "required"


def test_a_certificate_from_another_ca_is_refused(tls_redis, tmp_path):
    stranger = make_certificates(tmp_path / "other", name="Someone else's CA")
    with pytest.raises(RedisConnectionError) as refused:
        connect_redis(Settings(redis_url=tls_redis.url, redis_ca_file=stranger.ca)).ping()
    assert "certificate verify failed" in str(refused.value)
    # And without any CA file, the system's CAs do not know the provider's: refused as well.
    with pytest.raises(RedisConnectionError):
        connect_redis(Settings(redis_url=tls_redis.url)).ping()


def test_the_plain_port_does_not_exist(tls_redis):
    # The server speaks TLS only: a redis:// client to the same port gets no answer it can read.
    with pytest.raises(RedisConnectionError):
        Redis(host="127.0.0.1", port=tls_redis.port, socket_timeout=2).ping()


def test_the_worker_runs_a_job_over_tls_with_the_production_wiring(tls_redis):
    parts = build_worker_parts(settings_for(tls_redis))
    worker = build_worker(parts, kind="simple")
    job = worker.queues[0].enqueue("builtins.len", "four", job_id="tls-job")
    worker.work(burst=True)
    assert job.latest_result().return_value == 4
    assert worker.connection.connection_pool.connection_kwargs["ssl_ca_certs"] == str(
        tls_redis.certificates.ca
    )


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"REDIS_URL": "redis://localhost:6379/0", "REDIS_CA_FILE": "/etc/hostname"}, "rediss://"),
        ({"REDIS_URL": "rediss://localhost:6380/0", "REDIS_CA_FILE": "/no/such.pem"}, "not a"),
    ],
)
def test_a_ca_file_setting_that_cannot_work_stops_the_process(env, problem):
    with pytest.raises(SettingsError) as error:
        Settings.from_env({**PRODUCTION, **env})
    assert any("REDIS_CA_FILE" in p and problem in p for p in error.value.problems)
