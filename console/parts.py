"""What the console needs, built once by the web app's composition root and kept in
``part(ConsoleParts)``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from redis import Redis

from audio.inventory import Inventory
from audio.recordings import RecordingStore
from console.operators import OperatorStore
from console.throttle import LoginThrottle
from content.catalog import CATALOGS_DIR
from insights.audit import AuditLog


@dataclass(frozen=True)
class ConsoleParts:
    operators: OperatorStore
    throttle: LoginThrottle
    audit: AuditLog
    inventory: Inventory  # every prompt in every language, for voice coverage and review
    review_dir: Path  # where "mark reviewed" writes its patches
    recordings: RecordingStore  # made by volunteers, some waiting for the next audio build
    catalogs_dir: Path = CATALOGS_DIR

    @classmethod
    def build(
        cls, redis: Redis, secret: str, inventory: Inventory, review_dir: Path
    ) -> ConsoleParts:
        return cls(
            OperatorStore(redis),
            LoginThrottle(redis, secret),
            AuditLog(redis),
            inventory,
            review_dir,
            RecordingStore(),
        )
