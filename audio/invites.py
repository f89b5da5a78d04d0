"""Recording codes: who may record a language on the recording line, for how long.

A code is shown once (`flask audio invite`) and stored only as a keyed hash (HMAC with
HOTLINE_SECRET_KEY, as hotline.identity does for numbers): a copy of Redis gives no code. A code
opens one language on /voice/studio and nothing else. Wrong codes from one number are counted:
after MAX_TRIES in an hour that number is locked out, whatever it types.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from redis import Redis

from hotline import keys

#: Digits in a code: 10 digits are 10^10 codes; with 5 tries an hour per number, guessing is
#: hopeless.
CODE_DIGITS = 10
MAX_TRIES = 5
DEFAULT_DAYS = 7
MAX_DAYS = 60


def code_hash(secret: str, code: str) -> str:
    """The keyed hash a code is stored under (32 hex characters)."""
    digest = hmac.new(secret.encode(), b"studio-code:" + code.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class Invite:
    """A living code: its hash (the code itself is never kept), language, volunteer, expiry."""

    id: str  # the code's keyed hash
    lang: str
    name: str
    expires: datetime

    @property
    def short_id(self) -> str:
        return self.id[:8]


class Invites:
    def __init__(self, redis: Redis, secret: str):
        self.redis = redis
        self.secret = secret

    def create(self, lang: str, name: str, days: int, now: datetime) -> tuple[str, Invite]:
        """A new code (returned once, to print) and its invite."""
        if not 1 <= days <= MAX_DAYS:
            raise ValueError(f"a code lives 1 to {MAX_DAYS} days")
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        invite = Invite(code_hash(self.secret, code), lang, name, now + timedelta(days=days))
        key = keys.STUDIO_INVITE.format(code=invite.id)
        pipe = self.redis.pipeline()
        pipe.hset(key, mapping={"lang": lang, "name": name, "expires": invite.expires.isoformat()})
        pipe.expire(key, days * 24 * 60 * 60)
        pipe.sadd(keys.STUDIO_INVITES, invite.id)
        pipe.execute()
        return code, invite

    def get(self, invite_id: str) -> Invite | None:
        fields = self.redis.hgetall(keys.STUDIO_INVITE.format(code=invite_id))
        if not fields:
            return None
        value = {k.decode(): v.decode() for k, v in fields.items()}
        return Invite(
            invite_id, value["lang"], value["name"], datetime.fromisoformat(value["expires"])
        )

    def living(self) -> list[Invite]:
        """Every code not expired nor revoked (the others are pruned from the list)."""
        found = []
        for raw in sorted(self.redis.smembers(keys.STUDIO_INVITES)):
            invite = self.get(raw.decode())
            if invite is None:
                self.redis.srem(keys.STUDIO_INVITES, raw)
            else:
                found.append(invite)
        return sorted(found, key=lambda i: i.expires)

    def revoke(self, code_or_id: str) -> bool:
        """Revoke by the code itself or by the id `flask audio invites` shows."""
        candidates = [code_hash(self.secret, code_or_id)]
        candidates += [i.id for i in self.living() if i.short_id == code_or_id]
        for invite_id in candidates:
            if self.redis.delete(keys.STUDIO_INVITE.format(code=invite_id)):
                self.redis.delete(keys.STUDIO_DONE.format(code=invite_id))
                self.redis.srem(keys.STUDIO_INVITES, invite_id)
                return True
        return False

    def locked(self, caller: str) -> bool:
        tries = self.redis.get(keys.STUDIO_TRIES.format(caller=caller))
        return int(tries or 0) >= MAX_TRIES

    def redeem(self, code: str, caller: str) -> Invite | None:
        """The invite this code opens, unless the number is locked; a wrong code counts a try.

        ``caller`` is the number's keyed hash (or one shared bucket for withheld numbers)."""
        if self.locked(caller):
            return None
        invite = self.get(code_hash(self.secret, code)) if code.isdigit() else None
        if invite is None:
            key = keys.STUDIO_TRIES.format(caller=caller)
            pipe = self.redis.pipeline()
            # The hour starts at the first wrong code (Redis 6 has no EXPIRE NX).
            pipe.set(key, 0, ex=keys.STUDIO_TRIES_TTL, nx=True)
            pipe.incr(key)
            pipe.execute()
        return invite
