"""The SMS delivery job (queued by ``sms.outbound.Outbound.enqueue``, one per message)."""

from __future__ import annotations

from workers.parts import job_parts

#: Job names queued by earlier releases, and the job that runs them now. Jobs already in Redis
#: when a release renames a job keep working for one release; then the entry goes.
RENAMED_JOBS = {
    "sms.delivery.deliver": "workers.sms.deliver",  # renamed in the release that added wiring/
}


def deliver(message_id: str) -> str:
    """RQ job: send one stored SMS (``sms.dispatch.Dispatcher.deliver``)."""
    return job_parts().dispatcher.deliver(message_id)
