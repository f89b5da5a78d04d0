"""A take from the recording line, after the volunteer chose: fetch, check, file, delete.

Run by the worker (workers/recordings.py). A kept take is downloaded from Twilio (HTTP Basic auth,
through TWILIO_API_BASE_URL: only a recording of our own account is ever fetched), checked
(audio.checks), made fit for the telephone (audio.recordings.prepare) and filed as pending with
the hash of the French it translates. Kept or not, it is then deleted from Twilio: a voice is
personal data, and no copy stays there. A silent take is refused, and its prompt asked again.
"""

from __future__ import annotations

import logging
import re
import time
import wave
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from redis import Redis

from audio.checks import check_take
from audio.formats import InvalidAudio
from audio.pending import PendingRecording, PendingRecordings
from audio.recordings import prepare
from hotline import keys
from hotline.clock import Clock

log = logging.getLogger(__name__)

_RECORDING_PATH = re.compile(
    r"/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Recordings/(RE[0-9a-fA-F]{32})"
)
HTTP_TIMEOUT = 30
KEPT, DROPPED, SILENT, GONE, FAILED = "kept", "dropped", "silent", "gone", "failed"


@dataclass(frozen=True)
class TwilioAccount:
    sid: str
    token: str
    base_url: str  # TWILIO_API_BASE_URL


class TakeFetcher:
    def __init__(
        self,
        redis: Redis,
        account: TwilioAccount | None,
        pending: PendingRecordings,
        clock: Clock,
        session: requests.Session | None = None,
    ):
        self.redis = redis
        self.account = account
        self.pending = pending
        self.clock = clock
        self.session = session or requests.Session()

    def _media_url(self, recording_url: str) -> tuple[str, str]:
        """(the .wav URL on our API base, the RecordingSid); refuses another account's file."""
        assert self.account is not None
        match = _RECORDING_PATH.fullmatch(urlsplit(recording_url).path.removesuffix(".json"))
        if not match or match.group(1) != self.account.sid:
            raise ValueError("not a recording of this account")
        return f"{self.account.base_url}{match.group(0)}.wav", match.group(2)

    def _delete(self, recording_sid: str) -> None:
        assert self.account is not None
        url = (
            f"{self.account.base_url}/2010-04-01/Accounts/{self.account.sid}"
            f"/Recordings/{recording_sid}.json"
        )
        response = self.session.delete(
            url, auth=(self.account.sid, self.account.token), timeout=HTTP_TIMEOUT
        )
        if response.status_code not in (204, 404):  # 404: deleted already
            response.raise_for_status()

    def process(self, take: str) -> str:
        """What became of the take (KEPT, DROPPED, SILENT...); raises to be retried by RQ."""
        key = keys.STUDIO_TAKE.format(take=take)
        fields = {k.decode(): v.decode() for k, v in self.redis.hgetall(key).items()}
        if "url" not in fields:
            return GONE
        if self.account is None:
            raise RuntimeError("TWILIO_ACCOUNT_SID is not set: recordings cannot be fetched")
        media, recording_sid = self._media_url(fields["url"])
        outcome = DROPPED
        if fields.get("decision") == "keep" and fields.get("status") == "completed":
            started = time.perf_counter()
            response = self.session.get(
                media, auth=(self.account.sid, self.account.token), timeout=HTTP_TIMEOUT
            )
            response.raise_for_status()
            outcome = self._file(fields, response.content)
            log.info(
                "take %s of %s/%s: %s in %.0f ms",
                take,
                fields["lang"],
                fields["stem"],
                outcome,
                (time.perf_counter() - started) * 1000,
            )
        elif fields.get("status") != "completed":
            outcome = FAILED
        self._delete(recording_sid)
        self.redis.delete(key)
        return outcome

    def _file(self, fields: dict[str, str], data: bytes) -> str:
        try:
            check = check_take(data, fields["text"])
            wav, _ = prepare(data, "wav", None) if not check.silent else (b"", "")
        except (wave.Error, EOFError, InvalidAudio) as error:
            log.warning("take of %s/%s unreadable: %s", fields["lang"], fields["stem"], error)
            check = None
        if check is None or check.silent:
            # Nothing to review: the prompt goes back on the volunteer's list.
            self.redis.srem(keys.STUDIO_DONE.format(code=fields["invite"]), fields["stem"])
            return SILENT
        self.pending.add(
            PendingRecording(
                lang=fields["lang"],
                stem=fields["stem"],
                text=fields["text"],
                source=fields["source"],
                recorded_by=fields["name"],
                recorded_at=self.clock.now().isoformat(timespec="seconds"),
                seconds=check.seconds,
                flags=check.flags,
                file="",
            ),
            wav,
        )
        return KEPT
