"""Redis over TLS as managed services provide it: rediss:// with a provider's own CA
(REDIS_CA_FILE), against a real redis-server speaking TLS only. Verification is never off."""

from __future__ import annotations

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue, SimpleWorker
from rq.serializers import JSONSerializer

from hotline.redis_connection import connect, url_with_options
from hotline.settings import Settings, SettingsError
from tests.tls_redis import TlsRedis, make_certificates

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
    settings = settings_for(tls_redis)
    client = connect(settings.redis_url, settings.redis_ca_file)
    client.set("hl:tls-probe", "yes", ex=60)
    assert client.get("hl:tls-probe") == b"yes"
    assert client.connection_pool.connection_kwargs["ssl_cert_reqs"] == "required"


def test_a_certificate_from_another_ca_is_refused(tls_redis, tmp_path):
    stranger = make_certificates(tmp_path / "other", name="Someone else's CA")
    with pytest.raises(RedisConnectionError) as refused:
        connect(tls_redis.url, stranger.ca).ping()
    assert "certificate verify failed" in str(refused.value)
    # And without any CA file, the system's CAs do not know the provider's: refused as well.
    with pytest.raises(RedisConnectionError):
        connect(tls_redis.url).ping()


def test_the_plain_port_does_not_exist(tls_redis):
    # The server speaks TLS only: a redis:// client to the same port gets no answer it can read.
    with pytest.raises(RedisConnectionError):
        Redis(host="127.0.0.1", port=tls_redis.port, socket_timeout=2).ping()


def test_rq_reads_the_same_options_from_the_url_and_runs_a_job_over_tls(tls_redis):
    settings = settings_for(tls_redis)
    url = url_with_options(settings.redis_url, settings.redis_ca_file)
    assert "ssl_ca_certs=" in url and "socket_timeout=2" in url
    client = Redis.from_url(url)  # what `rq worker -c workers.rq_config` does with REDIS_URL
    queue = Queue("tls-test", connection=client, serializer=JSONSerializer)
    job = queue.enqueue("builtins.len", "four", job_id="tls-job")
    SimpleWorker([queue], connection=client, serializer=JSONSerializer).work(burst=True)
    assert job.latest_result().return_value == 4
    assert isinstance(client.connection_pool.connection_kwargs.get("ssl_ca_certs"), str)


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
