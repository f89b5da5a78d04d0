"""Console operators in Redis: a name, an Argon2id password hash, and a session stamp.

The stamp is a random value kept in every session cookie of that operator: `reset` and `remove`
change or delete it, which ends every session at once (cookies are signed, not stored).
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from redis import Redis

from hotline import keys

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
MIN_PASSWORD_LENGTH = 12
#: Verified against when the account does not exist, so a wrong name takes as long as a
#: wrong password (no telling which names exist by timing).
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


class OperatorError(ValueError):
    """A name or password that cannot be used, in words for the person at the command line."""


@dataclass(frozen=True)
class Operator:
    name: str
    stamp: str
    created: int


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise OperatorError(
            "a name is 2 to 32 lowercase letters, digits, '.', '_' or '-', starting with a "
            "letter or digit"
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise OperatorError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    return password


class OperatorStore:
    def __init__(self, redis: Redis, hasher: PasswordHasher = _HASHER):
        self.redis = redis
        self.hasher = hasher

    def add(self, name: str, password: str, now: float | None = None) -> None:
        check_name(name)
        fields = {
            "hash": self.hasher.hash(check_password(password)),
            "stamp": secrets.token_urlsafe(16),
            "created": int(now or time.time()),
        }
        key = keys.OPERATOR.format(name=name)
        if not self.redis.hsetnx(key, "hash", fields["hash"]):
            raise OperatorError(f"{name} already exists (flask operators reset {name})")
        with self.redis.pipeline() as pipe:
            pipe.hset(key, mapping=fields)
            pipe.sadd(keys.OPERATORS, name)
            pipe.execute()

    def reset(self, name: str, password: str) -> None:
        """A new password; every session of the operator ends."""
        key = keys.OPERATOR.format(name=check_name(name))
        if not self.redis.exists(key):
            raise OperatorError(f"no operator named {name}")
        self.redis.hset(
            key,
            mapping={
                "hash": self.hasher.hash(check_password(password)),
                "stamp": secrets.token_urlsafe(16),
            },
        )

    def remove(self, name: str) -> bool:
        with self.redis.pipeline() as pipe:
            pipe.delete(keys.OPERATOR.format(name=name))
            pipe.srem(keys.OPERATORS, name)
            deleted, _ = pipe.execute()
        return bool(deleted)

    def get(self, name: str) -> Operator | None:
        if not NAME.match(name):
            return None
        raw = self.redis.hmget(keys.OPERATOR.format(name=name), "stamp", "created")
        if raw[0] is None:
            return None
        return Operator(name, raw[0].decode(), int(raw[1] or 0))

    def names(self) -> list[str]:
        return sorted(n.decode() for n in self.redis.smembers(keys.OPERATORS))

    def verify(self, name: str, password: str) -> Operator | None:
        """The operator if the password is theirs; None otherwise (same cost either way)."""
        stored = (
            self.redis.hget(keys.OPERATOR.format(name=name), "hash") if NAME.match(name) else None
        )
        try:
            self.hasher.verify(stored.decode() if stored else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        if stored is None:
            return None
        if self.hasher.check_needs_rehash(stored.decode()):
            self.redis.hset(keys.OPERATOR.format(name=name), "hash", self.hasher.hash(password))
        return self.get(name)
