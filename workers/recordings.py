"""The recording line's job: a take the volunteer chose about is fetched, filed and deleted from
Twilio (audio.takes). Queued by the recording-status callback (audio.studio), id ``take-<id>``."""

from __future__ import annotations

from workers.parts import job_parts

FETCH_TAKE_JOB = "workers.recordings.fetch_take"


def fetch_take(take: str) -> str:
    """Fetch, check and file one take, then delete it from Twilio; returns what became of it."""
    return job_parts().takes.process(take)
