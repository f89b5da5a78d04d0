"""The language a phone number last chose, by call or by SMS, for replies and reminders.

Stored under the keyed hash of the number, never the number, and forgotten after some months.
"""

from __future__ import annotations

from redis import Redis

from hotline import keys


class LanguageChoices:
    def __init__(self, redis: Redis):
        self.redis = redis

    def get(self, caller: str | None) -> str | None:
        if caller is None:
            return None
        raw = self.redis.get(keys.LANGUAGE_CHOICE.format(caller=caller))
        return raw.decode() if raw else None

    def set(self, caller: str | None, lang: str) -> None:
        if caller is not None:
            key = keys.LANGUAGE_CHOICE.format(caller=caller)
            self.redis.set(key, lang, ex=keys.LANGUAGE_CHOICE_TTL)

    def forget(self, caller: str) -> None:
        self.redis.delete(keys.LANGUAGE_CHOICE.format(caller=caller))
