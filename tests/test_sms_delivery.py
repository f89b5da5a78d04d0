"""Outbound SMS end to end: enqueue, real RQ workers (burst), the fake Twilio as the far end."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from rq.job import JobStatus

from devtools.fake_twilio import Reply
from hotline import keys
from hotline.identity import caller_key, open_number
from sms import store
from sms.sender import TwilioSender, build_twilio_client
from tests.conftest import SECRET_KEY
from tests.sms_fixtures import NUMBER, SENDER
from wiring.worker import build_worker_parts


def test_a_message_goes_out_once_through_a_forking_worker(sms):
    message_id = sms.hotline.outbound.enqueue(NUMBER, "Votre rappel", purpose="reply")

    sms.work(forking=True)

    [request] = sms.fake.received
    assert request.form["To"] == NUMBER
    assert request.form["From"] == SENDER
    assert request.form["Body"] == "Votre rappel"
    callback = urlsplit(request.form["StatusCallback"])
    assert f"{callback.scheme}://{callback.netloc}" == sms.url
    assert callback.path == "/sms/status"
    assert parse_qs(callback.query) == {"m": [message_id]}
    [created] = sms.fake.created
    message = sms.message(message_id)
    assert message.status == store.ACCEPTED
    assert message.sid == created["sid"]
    assert message.attempts == 1
    assert message.caller == caller_key(SECRET_KEY, NUMBER)
    assert message.purpose == "reply"
    # Twilio has it: the number and the body are no longer kept.
    assert message.sealed_to is None and message.body is None
    assert sms.job(message_id).get_status() == JobStatus.FINISHED
    assert sms.outbound.store.find_by_sid(created["sid"]) == message_id


def test_the_job_is_the_message_id_with_only_that_as_argument(sms):
    message_id = sms.enqueue()

    job = sms.job(message_id)
    assert job.id == message_id
    assert job.func_name == "workers.sms.deliver"
    assert list(job.args) == [message_id]
    assert job.origin == "hotline"
    message = sms.message(message_id)
    assert open_number(SECRET_KEY, message.sealed_to) == NUMBER


@pytest.mark.parametrize(
    "sms_settings_overrides",
    [{"twilio_from": None, "twilio_messaging_service_sid": "MG" + "0" * 32}],
)
def test_a_messaging_service_can_be_the_sender(sms):
    message_id = sms.enqueue()

    sms.work()

    [request] = sms.fake.received
    assert request.form["MessagingServiceSid"] == "MG" + "0" * 32
    assert "From" not in request.form
    assert sms.message(message_id).status == store.ACCEPTED


def test_the_same_message_id_is_queued_and_sent_once(sms):
    first = sms.enqueue(message_id="reminder-abc-t7")
    second = sms.enqueue(message_id="reminder-abc-t7")

    sms.work()

    assert first == second == "reminder-abc-t7"
    assert len(sms.fake.received) == 1


def test_running_a_sent_message_again_sends_nothing(sms):
    message_id = sms.enqueue()
    sms.work()

    sms.queue.enqueue("workers.sms.deliver", message_id, job_id=message_id)
    sms.work()

    assert len(sms.fake.received) == 1


@pytest.mark.parametrize("forking", [False, True])
def test_a_job_queued_under_its_old_name_is_still_delivered(sms, forking):
    """Jobs queued by the previous release (``sms.delivery.deliver``) run for one release."""
    message_id = sms.enqueue()
    sms.job(message_id).delete()
    sms.queue.enqueue("sms.delivery.deliver", message_id, job_id=message_id)

    sms.work(forking=forking)

    assert len(sms.fake.created) == 1
    assert sms.message(message_id).status == store.ACCEPTED
    assert sms.job(message_id).get_status() == JobStatus.FINISHED


def test_429_then_success(sms):
    sms.fake.script(Reply.http(429))
    message_id = sms.enqueue()

    sms.work()

    assert [r.answer for r in sms.fake.received] == ["429/20429", "201"]
    assert len(sms.fake.created) == 1
    message = sms.message(message_id)
    assert message.status == store.ACCEPTED
    assert message.attempts == 2
    assert sms.failures == []


@pytest.mark.parametrize("sms_retry_intervals", [(30, 60)])
def test_server_errors_are_retried_later_with_backoff(sms):
    sms.fake.script(Reply.http(500))
    failed_at = datetime.now(UTC).replace(microsecond=0)  # RQ schedules to the second
    message_id = sms.enqueue()

    sms.work()

    # The worker did not retry at once: RQ scheduled the job for after the first interval.
    assert len(sms.fake.received) == 1
    assert sms.scheduled() == [message_id]
    scheduled_for = sms.outbound.queue.scheduled_job_registry.get_scheduled_time(message_id)
    assert scheduled_for >= failed_at + timedelta(seconds=30)
    message = sms.message(message_id)
    assert (message.status, message.reason, message.code) == (store.RETRYING, "transient", 20500)

    sms.promote_scheduled()  # the scheduler, once the time comes
    sms.work()

    assert len(sms.fake.received) == 2
    assert sms.message(message_id).status == store.ACCEPTED


def test_it_gives_up_after_the_last_retry_and_says_so(sms):
    sms.fake.script(*[Reply.http(503)] * 4)
    message_id = sms.enqueue()

    sms.work()

    assert len(sms.fake.received) == 4  # the first attempt and 3 retries
    message = sms.message(message_id)
    assert (message.status, message.reason, message.code) == (store.GAVE_UP, "gave_up", 20503)
    assert message.sealed_to is None and message.body is None
    assert sms.failures == [(caller_key(SECRET_KEY, NUMBER), 20503, "gave_up")]
    assert sms.job(message_id).get_status() == JobStatus.FINISHED


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (21610, "opt_out"),
        (21211, "invalid_number"),
        (21614, "not_mobile"),
        (21612, "unroutable"),
        (21408, "unroutable"),
    ],
)
def test_permanent_errors_are_final_and_reported_once(sms, code, reason):
    sms.fake.script(Reply.error(code))
    message_id = sms.enqueue()

    sms.work()

    assert len(sms.fake.received) == 1
    message = sms.message(message_id)
    assert (message.status, message.reason, message.code) == (store.REFUSED, reason, code)
    assert message.sealed_to is None and message.body is None
    assert sms.failures == [(caller_key(SECRET_KEY, NUMBER), code, reason)]
    assert sms.job(message_id).get_status() == JobStatus.FINISHED


def test_a_refused_message_is_not_sent_again_even_if_its_handler_failed(sms):
    class Broken:
        def still_wanted(self, purpose, caller):
            return True

        def delivery_failed(self, caller, code, reason, *, forget):
            raise RuntimeError("registration store down")

    parts = sms.with_dispatcher(recipients=Broken())
    sms.fake.script(Reply.error(21610))
    message_id = sms.enqueue()

    sms.work(parts=parts)
    sms.queue.enqueue("workers.sms.deliver", message_id, job_id=message_id)  # run it again
    sms.work(parts=parts)

    assert len(sms.fake.received) == 1
    assert sms.message(message_id).status == store.REFUSED


def _impatient_sender(sms) -> TwilioSender:
    """A sender that waits 0.3 s for the API's answer."""
    return TwilioSender(
        build_twilio_client(sms.hotline.settings, timeout=0.3),
        from_=SENDER,
        messaging_service_sid=None,
    )


@pytest.mark.parametrize("sms_retry_intervals", [(30, 30)])
def test_an_unanswered_request_waits_for_the_status_callback_instead_of_resending(sms):
    parts = sms.with_dispatcher(sender=_impatient_sender(sms))
    sms.fake.script(Reply.hold(accept=True))  # Twilio creates it; the answer is lost
    message_id = sms.enqueue()

    sms.work(parts=parts)

    message = sms.message(message_id)
    assert (message.status, message.reason) == (store.DISPATCHING, "network")
    # Retried before the grace period is over: it waits rather than sending again.
    sms.promote_scheduled()
    sms.work(parts=parts)
    assert len(sms.fake.received) == 1
    assert sms.message(message_id).status == store.DISPATCHING
    # Twilio's callback tells us it had the message all along.
    [created] = sms.fake.created
    assert sms.fake.send_status(created["sid"], "sent") == 200
    sms.promote_scheduled()
    sms.work(parts=parts)

    assert len(sms.fake.received) == 1
    message = sms.message(message_id)
    assert (message.status, message.sid) == (store.SENT, created["sid"])


def test_an_unanswered_request_is_sent_again_after_the_grace_period(sms):
    parts = sms.with_dispatcher(sender=_impatient_sender(sms), in_doubt_grace=0)
    sms.fake.script(Reply.hold(accept=False))  # lost on the way: Twilio never had it
    message_id = sms.enqueue()

    sms.work(parts=parts)

    assert [r.answer for r in sms.fake.received] == ["hold", "201"]
    assert len(sms.fake.created) == 1
    assert sms.message(message_id).status == store.ACCEPTED


def _killed_mid_dispatch(sms, reply: Reply) -> str:
    """Enqueue; an ``rq worker`` process sends; it is SIGKILLed while the API holds the request;
    RQ's maintenance finds the abandoned job and schedules its retry; the retry comes due."""
    sms.fake.script(reply)
    message_id = sms.enqueue()
    worker = sms.worker_process()
    try:
        assert sms.fake.wait_for(1), "the worker never reached the API"
    finally:
        sms.kill(worker)
    assert sms.job(message_id).get_status() == JobStatus.STARTED
    sms.reap_abandoned()
    sms.promote_scheduled()
    return message_id


@pytest.mark.slow
@pytest.mark.parametrize("sms_retry_intervals", [(30, 30, 30)])
def test_worker_killed_after_twilio_took_the_message_and_reported_it(sms):
    message_id = _killed_mid_dispatch(sms, Reply.hold(accept=True, callback=True))
    assert sms.message(message_id).status == store.SENT  # the callback came meanwhile

    sms.work()

    assert len(sms.fake.received) == 1  # never sent twice
    [created] = sms.fake.created
    message = sms.message(message_id)
    assert (message.status, message.sid, message.attempts) == (store.SENT, created["sid"], 1)
    assert sms.job(message_id).get_status() == JobStatus.FINISHED


@pytest.mark.slow
@pytest.mark.parametrize("sms_retry_intervals", [(30, 30, 30)])
def test_worker_killed_before_twilio_had_the_message(sms):
    message_id = _killed_mid_dispatch(sms, Reply.hold(accept=False))
    assert sms.message(message_id).status == store.DISPATCHING

    sms.work(parts=sms.with_dispatcher(in_doubt_grace=0))  # (or: the grace period has passed)

    assert [r.answer for r in sms.fake.received] == ["hold", "201"]
    assert len(sms.fake.created) == 1  # sent again, and received once
    assert sms.message(message_id).status == store.ACCEPTED


@pytest.mark.slow
@pytest.mark.parametrize("sms_retry_intervals", [(30, 30, 30)])
def test_worker_killed_and_no_status_ever_came_gives_the_one_documented_duplicate(sms):
    message_id = _killed_mid_dispatch(sms, Reply.hold(accept=True, callback=False))
    assert sms.message(message_id).status == store.DISPATCHING

    sms.work()  # within the grace period: waits, sends nothing
    assert len(sms.fake.received) == 1
    an_hour_later = sms.with_dispatcher(clock=lambda: time.time() + 3600)  # still no status
    sms.promote_scheduled()
    sms.work(parts=an_hour_later)

    first, second = sms.fake.created
    message = sms.message(message_id)
    assert (message.status, message.sid, message.attempts) == (store.ACCEPTED, second["sid"], 2)
    # The late status of the first copy reveals the duplicate; it changes nothing else.
    assert sms.fake.send_status(first["sid"], "delivered") == 200
    message = sms.message(message_id)
    assert (message.status, message.duplicate) == (store.ACCEPTED, first["sid"])
    assert len(sms.fake.received) == 2


def test_the_number_is_never_stored_in_clear(sms):
    sms.fake.script(Reply.http(500))
    sms.enqueue()
    sms.enqueue(number="+33698765432")
    # before sending, while retrying, and after: scan every key and value
    snapshots = [_dump(sms.redis)]
    sms.work()
    snapshots.append(_dump(sms.redis))

    for dump in snapshots:
        assert "612345678" not in dump and "698765432" not in dump


def _dump(redis) -> str:
    parts = []
    for key in redis.scan_iter():
        parts.append(key.decode())
        kind = redis.type(key).decode()
        if kind == "string":
            parts.append(repr(redis.get(key)))
        elif kind == "hash":
            parts.append(repr(redis.hgetall(key)))
        elif kind == "list":
            parts.append(repr(redis.lrange(key, 0, -1)))
        elif kind == "zset":
            parts.append(repr(redis.zrange(key, 0, -1)))
        elif kind == "set":
            parts.append(repr(redis.smembers(key)))
    return "\n".join(parts)


def test_a_message_can_wait_for_its_time(sms):
    at = datetime.now(UTC) + timedelta(days=2)
    message_id = sms.enqueue(at=at, purpose="reply")

    sms.work()

    assert sms.fake.received == []
    assert sms.scheduled() == [message_id]
    ttl = sms.redis.ttl(keys.SMS_MESSAGE.format(id=message_id))
    assert ttl > 2 * 24 * 3600  # the message outlives its wait
    sms.promote_scheduled()
    sms.work()
    assert sms.message(message_id).status == store.ACCEPTED


@pytest.mark.parametrize(
    ("number", "body", "options"),
    [
        ("0612345678", "Bonjour", {}),
        ("anonymous", "Bonjour", {}),
        (NUMBER, "", {}),
        (NUMBER, "x" * 1601, {}),
        (NUMBER, "Bonjour", {"purpose": "Not A Word"}),
        (NUMBER, "Bonjour", {"message_id": "no spaces allowed"}),
        (NUMBER, "Bonjour", {"at": datetime(2030, 1, 1, 9, 0)}),  # no time zone
    ],
)
def test_enqueue_refuses_what_cannot_be_sent(sms, number, body, options):
    with pytest.raises(ValueError):
        sms.enqueue(body, number=number, **options)
    assert sms.queue.count == 0


@pytest.mark.parametrize(
    "sms_settings_overrides", [{"mode": "development", "twilio_account_sid": None}]
)
def test_without_an_account_messages_go_to_the_outbox_shown_in_development(sms):
    message_id = sms.enqueue("Bonjour, voici les étapes")

    sms.work()

    assert sms.fake.received == []
    assert sms.message(message_id).status == store.SENT
    shown = sms.app.test_client().get("/sms/outbox").get_json()
    [entry] = shown["messages"]
    assert (entry["to"], entry["body"]) == ("+33…78", "Bonjour, voici les étapes")


def test_the_outbox_page_does_not_exist_in_production(sms):
    assert sms.app.test_client().get("/sms/outbox").status_code == 404


@pytest.mark.parametrize("sms_settings_overrides", [{"public_base_url": None}])
def test_without_a_public_base_url_no_status_callback_is_asked_for(sms):
    message_id = sms.enqueue()

    sms.work()

    [request] = sms.fake.received
    assert "StatusCallback" not in request.form
    assert sms.message(message_id).status == store.ACCEPTED


@pytest.mark.parametrize("sms_retry_intervals", [(30, 30)])
def test_a_worker_with_wrong_twilio_settings_keeps_the_reminder_for_a_fixed_worker(sms, clock):
    """A reminder is handed over once: a worker misconfigured for a while must not lose it."""
    sms.hotline.reminders.register(
        number=NUMBER,
        lang="fr",
        prefecture="val-de-marne",
        expiry=date(2027, 3, 15),
        channel="sms",
        now=clock.now(),
    )
    caller = caller_key(SECRET_KEY, NUMBER)
    message_id = sms.enqueue("Votre rappel", caller=caller, purpose="reminder", message_id="rem-1")
    wrong = dataclasses.replace(sms.hotline.settings, twilio_auth_token="wrong-token-" + "0" * 20)

    sms.work(parts=build_worker_parts(wrong, sms_retry_intervals=(30, 30)))

    [refused] = sms.fake.received
    assert refused.answer == "401/20003"
    message = sms.message(message_id)
    assert (message.status, message.reason) == (store.RETRYING, "config")
    assert message.sealed_to is not None  # still there to be sent
    assert sms.failures == []  # the registration is not told to give up
    assert sms.hotline.reminders.store.exists(caller)
    sms.promote_scheduled()  # the settings are fixed; the retry comes due
    sms.work()
    assert sms.message(message_id).status == store.ACCEPTED
    assert len(sms.fake.created) == 1
