"""Which HOTLINE_SECRET_KEY sealed what: the key check every process makes at start, and the
current and previous keys during a rotation.

Every stored number is sealed, and every caller key is an HMAC of a number, under one secret. A
process started with another secret cannot open them and would compute other caller keys: it
would see every registration as unreadable and every caller as a stranger. So the first process
to start writes the key's id (``hl:secret:key-id``: an HMAC of a fixed label, which says nothing
about the key) and every later process compares its own: with neither the stored key nor, during
a rotation, the previous one, it refuses to start with one line saying so.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from redis import Redis

from hotline import keys
from hotline.identity import caller_key, open_number, seal_number


def key_id(secret: str) -> str:
    """A short public name for a secret: equal ids, equal keys; the id does not reveal the key."""
    return hmac.new(secret.encode(), b"hotline:key-id", hashlib.sha256).hexdigest()[:16]


class KeyMismatch(Exception):
    """This process's HOTLINE_SECRET_KEY is not the one the stored data is sealed with."""


@dataclass(frozen=True)
class Keyring:
    """The key everything is sealed and keyed with now, and, while a rotation runs
    (HOTLINE_SECRET_KEY_PREVIOUS), the key it replaces."""

    current: str
    previous: str | None = None

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.current,) if self.previous is None else (self.current, self.previous)

    def seal(self, number: str) -> str:
        return seal_number(self.current, number)

    def open(self, token: str) -> str:
        """The sealed number, under the current key or the previous one; ValueError if neither."""
        for secret in self.secrets:
            try:
                return open_number(secret, token)
            except ValueError:
                continue
        raise ValueError("not a number sealed with a known secret")

    def caller_keys(self, number: str | None) -> list[str]:
        """The number's caller key under each known secret (the current one first)."""
        found = (caller_key(secret, number) for secret in self.secrets)
        return list(dict.fromkeys(k for k in found if k is not None))

    def check(self, redis: Redis) -> str:
        """Record the current key's id at first start; raise KeyMismatch if the stored data is
        sealed with a key this process does not have. Returns the stored id."""
        mine = key_id(self.current)
        redis.set(keys.SECRET_KEY_ID, mine, nx=True)
        stored = (redis.get(keys.SECRET_KEY_ID) or b"").decode()
        if stored in {key_id(secret) for secret in self.secrets}:
            return stored
        raise KeyMismatch(
            f"HOTLINE_SECRET_KEY (key id {mine}) is not the key this Redis's data is sealed with "
            f"(key id {stored}): set the right key, or rotate (docs/deploy.md)"
        )

    def adopt(self, redis: Redis) -> None:
        """Declare everything sealed with the current key (the end of a rotation)."""
        redis.set(keys.SECRET_KEY_ID, key_id(self.current))
