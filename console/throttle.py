"""Login throttling: after too many failures in 15 minutes, an account, or an address, is refused
until the window passes (even with the right password: a guesser learns nothing).

Per account, so one operator's password cannot be guessed from many addresses; per address, so
one address cannot try many accounts. Addresses are kept as keyed hashes, for 15 minutes.
"""

from __future__ import annotations

import hashlib
import hmac

from redis import Redis

from hotline import keys

MAX_FAILS_PER_ACCOUNT = 5
MAX_FAILS_PER_ADDRESS = 20


class LoginThrottle:
    def __init__(
        self,
        redis: Redis,
        secret: str,
        per_account: int = MAX_FAILS_PER_ACCOUNT,
        per_address: int = MAX_FAILS_PER_ADDRESS,
    ):
        self.redis = redis
        self.secret = secret.encode()
        self.per_account = per_account
        self.per_address = per_address

    def _keys(self, name: str, address: str) -> tuple[str, str]:
        digest = hmac.new(self.secret, b"console-address:" + address.encode(), hashlib.sha256)
        return (
            keys.LOGIN_FAILS_ACCOUNT.format(name=name[:64]),
            keys.LOGIN_FAILS_ADDRESS.format(address=digest.hexdigest()[:32]),
        )

    def blocked(self, name: str, address: str) -> bool:
        account, place = self._keys(name, address)
        fails = self.redis.mget(account, place)
        return int(fails[0] or 0) >= self.per_account or int(fails[1] or 0) >= self.per_address

    def failed(self, name: str, address: str) -> None:
        with self.redis.pipeline(transaction=False) as pipe:
            for key in self._keys(name, address):
                pipe.incr(key)
                pipe.expire(key, keys.LOGIN_FAILS_TTL)
            pipe.execute()

    def succeeded(self, name: str) -> None:
        self.redis.delete(keys.LOGIN_FAILS_ACCOUNT.format(name=name[:64]))
