"""The hotline's parts, built once by the app factory and kept in ``app.extensions["hotline"]``.

Workers and CLI commands build the same object from the same settings, so nothing is created at
import time and tests can hand in their own settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis import Redis

from content.catalog import Content, load_catalogs, load_languages
from content.prefecture import load_prefecture
from hotline.settings import Settings
from ivr.call_store import CallStore
from ivr.calls import CallService
from ivr.flow import Flow, reachable_prompts
from ivr.speech import KEY_NAMES, Speaker
from sms.delivery import Outbound

#: Keys the voice line says outside the menu flow.
EXTRA_VOICE_KEYS = (
    "voice.outage.info",
    *KEY_NAMES.values(),
    "voice.spell.at",
    "voice.spell.dot",
    "voice.spell.dash",
)


@dataclass
class Hotline:
    settings: Settings
    redis: Redis
    content: Content
    flow: Flow
    speaker: Speaker
    calls: CallService
    outbound: Outbound  # outbound SMS: enqueue_sms(hotline, ...), on_permanent_failure

    @classmethod
    def build(cls, settings: Settings) -> Hotline:
        redis = Redis.from_url(
            settings.redis_url,
            socket_timeout=2,
            socket_connect_timeout=2,
            health_check_interval=30,
        )
        prefecture = load_prefecture(settings.prefecture)
        content = Content(load_catalogs(), load_languages(), prefecture.placeholders())
        flow = Flow([lang.code for lang in content.languages])
        return cls(
            settings=settings,
            redis=redis,
            content=content,
            flow=flow,
            speaker=Speaker(content),
            calls=CallService(flow, CallStore(redis)),
            outbound=Outbound.build(settings, redis),
        )

    def used_keys(self) -> set[str]:
        """Every catalog key the code may say or text."""
        return {p.key for p in reachable_prompts(self.flow)} | set(EXTRA_VOICE_KEYS)
