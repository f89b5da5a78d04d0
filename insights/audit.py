"""What operators did (log in, export, mark reviewed; approve and reject recordings once those
exist), with when and who: a capped Redis list, newest last, also written to the log. Here, in
the core's reach, so that a command of any layer (audio's recording review) can record too; the
console shows it at /console/audit."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from redis import Redis

from hotline import keys

log = logging.getLogger("insights.audit")


@dataclass(frozen=True)
class Action:
    at: str  # ISO 8601
    operator: str
    action: str
    detail: str


class AuditLog:
    def __init__(self, redis: Redis):
        self.redis = redis

    def record(self, at: datetime, operator: str, action: str, detail: str = "") -> None:
        entry = {"at": at.isoformat(timespec="seconds"), "operator": operator, "action": action}
        entry["detail"] = detail
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.rpush(keys.CONSOLE_AUDIT, json.dumps(entry, ensure_ascii=False))
            pipe.ltrim(keys.CONSOLE_AUDIT, -keys.CONSOLE_AUDIT_LENGTH, -1)
            pipe.expire(keys.CONSOLE_AUDIT, keys.CONSOLE_AUDIT_TTL)
            pipe.execute()
        log.info("operator %s: %s %s", operator, action, detail)

    def latest(self, count: int = 200) -> list[Action]:
        raw = self.redis.lrange(keys.CONSOLE_AUDIT, -count, -1)
        return [Action(**json.loads(item)) for item in reversed(raw)]
