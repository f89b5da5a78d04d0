"""The embedded Redis `make run` starts keeps its data across restarts (append-only file)."""

from __future__ import annotations

from redis import Redis

from devtools.embedded_redis import EmbeddedRedis


def test_a_persisting_server_keeps_its_data_across_a_restart(tmp_path):
    first = EmbeddedRedis(tmp_path, persist=True).start()
    try:
        Redis.from_url(first.url).set("hl:reg:someone", "kept")
    finally:
        first.stop()
    second = EmbeddedRedis(tmp_path, persist=True).start()
    try:
        assert Redis.from_url(second.url).get("hl:reg:someone") == b"kept"
    finally:
        second.stop()


def test_a_server_left_running_is_shut_down_before_a_new_one_starts(tmp_path):
    # An earlier `make run` killed hard leaves its server running: two servers must never
    # write one append-only file.
    left_behind = EmbeddedRedis(tmp_path, persist=True).start()
    Redis.from_url(left_behind.url).set("hl:reg:someone", "kept")
    new = EmbeddedRedis(tmp_path, persist=True).start()
    try:
        assert left_behind.process.wait(timeout=10) == 0
        assert Redis.from_url(new.url).get("hl:reg:someone") == b"kept"
    finally:
        new.stop()
        left_behind.stop()
