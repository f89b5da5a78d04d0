"""Reminders by phone call, in the callee's words: real HTTP, a real Redis, real RQ workers, and the
local Twilio playing the person called (devtools.fake_twilio: busy, no answer, a voicemail, or a
person who listens and presses keys)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from rq.job import JobStatus

from devtools.fake_twilio import Callee, Reply
from hotline import keys
from hotline.identity import caller_key
from ivr.flow import CallState, Flow, Prompt
from reminders import calls as reminder_calls
from reminders.calls import reminder_call_id
from reminders.schedule import PARIS
from tests.caller import Caller, spoken_texts
from tests.conftest import AUTH_TOKEN, SECRET_KEY
from tests.sms_fixtures import SENDER
from tests.texter import Texter

MOBILE = "+33612345678"
LANDLINE = "+33145678901"
EXPIRY = date(2027, 3, 15)
#: The reminder 14 days before EXPIRY is due then (a Monday, 10:00 in Paris).
DUE = datetime(2027, 3, 1, 10, 1, tzinfo=PARIS)


@pytest.fixture
def sms_settings_overrides() -> dict:
    return {"calls_per_second": 1000.0}  # the cap never holds a test back


def register(sms, number: str = MOBILE, remind_by: str = "call", expiry: date = EXPIRY) -> str:
    sms.hotline.reminders.register(
        number=number,
        lang="fr",
        prefecture="val-de-marne",
        expiry=expiry,
        channel="sms",
        now=sms.hotline.clock.now(),
        remind_by=remind_by,
    )
    return caller_key(SECRET_KEY, number)


def run_reminders(sms, clock, moment: datetime) -> None:
    """What the clock does every minute at ``moment``: the run, then the calls it queued."""
    clock.moment = moment
    sms.queue.enqueue("workers.reminders.send_due_reminders", moment.isoformat())
    sms.work()


def said(document: str) -> list[str]:
    return re.findall(r"<Say[^>]*>([^<]*)</Say>", document)


def heard_keys(sms, document: str) -> list[str]:
    texts = spoken_texts(sms.hotline)
    return [texts.get(t, ("?", ""))[0] for t in said(document)]


def heard(document: str) -> str:
    """What the callee hears or what a voicemail records: the spoken texts and the paths of the
    clips played, not the URLs Twilio posts to (the test server's port may contain any digits)."""
    played = [urlsplit(url).path for url in re.findall(r"<Play[^>]*>([^<]*)</Play>", document)]
    return "\n".join(said(document) + played)


def say(sms, key: str, **params) -> str:
    return sms.hotline.content.text(key, "fr", **params)


def reminder_sms(sms) -> str:
    """The 14-days reminder as texted on DUE's day."""
    return sms.hotline.reminders.reminder_text("before", "fr", EXPIRY, DUE)


def sms_to(sms, number: str) -> list[str]:
    return [m["body"] for m in sms.fake.created if m["to"] == number]


def call_record(sms, caller: str, index: int = 1):
    return sms.hotline.reminders.calls.records.load(reminder_call_id(caller, EXPIRY, index))


def test_answer_hear_the_reminder_and_press_1_for_the_steps(sms, clock):
    caller = register(sms)
    sms.fake.callee(MOBILE, Callee.human("1"))
    run_reminders(sms, clock, DUE)
    assert sms.fake.wait_calls(1)

    [call] = sms.fake.calls_to(MOBILE)
    assert call.from_ == SENDER and call.machine_detection == "DetectMessageEnd"
    assert call.events == ("initiated", "ringing", "answered", "completed")
    # The URLs Twilio gets name the reminder by an opaque id: no number, no date.
    assert re.fullmatch(rf"{sms.url}/voice/reminder/call-[0-9a-f]{{32}}", call.url)
    assert call.status_callback == call.url + "/status"
    path = urlsplit(call.url).path  # not the test server's port, which may hold any digits
    assert "612345678" not in path and "2027" not in path

    reminder, steps = call.documents
    assert heard_keys(sms, reminder) == [
        "voice.reminder_call.hello",
        "voice.reminder_call.before",
        "?",  # the date, said from clips (here <Say>, no audio is built)
        "voice.reminder_call.todo_before",
        "voice.reminder_call.steps",
        "voice.reminder_call.sms",
        "voice.reminder_call.stop",
        "voice.nav.repeat",
        "voice.nav.main",
    ]
    assert "15 mars 2027" in reminder
    # the days left, in the sentence the date follows (one pre-rendered prompt per count)
    assert say(sms, "voice.reminder_call.before", in_days="dans 14 jours") in reminder
    assert heard_keys(sms, steps)[:2] == ["voice.steps.heading", "voice.steps.1"]
    assert call.statuses == ["initiated", "ringing", "in-progress", "completed"]
    assert call_record(sms, caller).status == reminder_calls.DONE
    sms.work()
    assert sms_to(sms, MOBILE) == []  # reminded by call only: no SMS


PERSONAL = ("2027", "15", "mars", "ADP", "séjour", "ANEF")


@pytest.mark.parametrize("machine", [Callee.voicemail(), Callee.fax()], ids=["voicemail", "fax"])
def test_a_voicemail_records_the_neutral_message_with_no_date(sms, clock, machine):
    register(sms)
    sms.fake.callee(MOBILE, machine)
    run_reminders(sms, clock, DUE)
    assert sms.fake.wait_calls(1)
    [call] = sms.fake.calls_to(MOBILE)
    [document] = call.documents
    assert heard_keys(sms, document)[0] == "voice.reminder_call.voicemail"
    for personal in PERSONAL:
        assert personal not in heard(document)
    # then the hotline's number to call back, digit by digit, and the call ends
    assert "<Hangup />" in document
    assert "0 7, 0 0, 0 0, 0 0, 0 1" in document


def test_an_unknown_answer_hears_the_neutral_message_then_presses_1_for_the_reminder(sms, clock):
    """Twilio could not tell a person from a machine: what a machine may record names nothing
    personal; the person who is there presses 1 and hears their reminder."""
    caller = register(sms)
    sms.fake.callee(MOBILE, Callee.unknown("1"))
    run_reminders(sms, clock, DUE)
    assert sms.fake.wait_calls(1)
    [call] = sms.fake.calls_to(MOBILE)
    neutral, reminder = call.documents
    assert heard_keys(sms, neutral) == [
        "voice.reminder_call.voicemail",
        "?",  # the number to call back, digit pair by digit pair
        "voice.reminder_call.hear",
    ]
    assert "0 7, 0 0, 0 0, 0 0, 0 1" in neutral
    for personal in PERSONAL:
        assert personal not in heard(neutral)
    assert heard_keys(sms, reminder)[:2] == [
        "voice.reminder_call.hello",
        "voice.reminder_call.before",
    ]
    assert "15 mars 2027" in reminder and "dans 14 jours" in reminder
    assert call_record(sms, caller).status == reminder_calls.DONE


def test_an_unknown_answer_that_stays_silent_is_hung_up_on(sms, clock):
    caller = register(sms)
    sms.fake.callee(MOBILE, Callee.unknown(None))
    run_reminders(sms, clock, DUE)
    assert sms.fake.wait_calls(1)
    [call] = sms.fake.calls_to(MOBILE)
    neutral, after_silence = call.documents
    assert heard_keys(sms, neutral)[-1] == "voice.reminder_call.hear"
    assert heard_keys(sms, after_silence) == [] and "<Hangup />" in after_silence
    for personal in PERSONAL:
        assert personal not in heard(neutral) + heard(after_silence)
    assert call.statuses[-1] == "completed"
    assert call_record(sms, caller).status == reminder_calls.DONE


def test_the_reminder_counts_down_and_says_today_on_the_last_day():
    flow = Flow(["fr"])
    today = date(2027, 3, 1)
    state = CallState("fr", "reminder.before", ("language", "main"), entry="2027-03-15")
    said = flow.count_down(flow.enter(state), today).prompts
    assert (
        Prompt("voice.reminder_call.before", "fr", (("date", "2027-03-15"), ("days", "14"))) in said
    )
    last = replace(state, entry=today.isoformat())
    said = flow.count_down(flow.enter(last), today).prompts
    assert [p.key for p in said][:2] == ["voice.reminder_call.hello", "voice.reminder_call.today"]
    assert flow.countdown_days() == range(1, 31)  # 30 days before: the earliest reminder


def test_busy_twice_then_answered_on_the_third_try(sms, clock):
    caller = register(sms)
    sms.fake.callee(MOBILE, Callee.busy(), Callee.busy(), Callee.human())
    run_reminders(sms, clock, DUE)
    assert sms.fake.wait_calls(1)
    due = sms.hotline.reminders.calls.records.due_at(reminder_call_id(caller, EXPIRY, 1))
    assert due == (DUE + timedelta(hours=2)).timestamp()  # at least 2 hours apart

    run_reminders(sms, clock, DUE + timedelta(hours=1))  # too early: nothing
    assert len(sms.fake.calls) == 1
    run_reminders(sms, clock, DUE + timedelta(hours=2))
    assert sms.fake.wait_calls(2)
    run_reminders(sms, clock, DUE + timedelta(hours=4))
    assert sms.fake.wait_calls(3)

    assert [c.statuses[-1] for c in sms.fake.calls_to(MOBILE)] == ["busy", "busy", "completed"]
    assert call_record(sms, caller).status == reminder_calls.DONE
    assert len(sms.fake.calls_to(MOBILE)[-1].documents) == 1  # the reminder was heard
    sms.work()
    assert sms_to(sms, MOBILE) == []


def test_no_answer_three_times_then_the_reminder_by_sms(sms, clock):
    caller = register(sms)
    sms.fake.callee(MOBILE, *[Callee.no_answer()] * 3)
    for n, hours in enumerate((0, 2, 4), start=1):
        run_reminders(sms, clock, DUE + timedelta(hours=hours))
        assert sms.fake.wait_calls(n)
    sms.work()  # the fallback SMS
    assert sms_to(sms, MOBILE) == [reminder_sms(sms)]
    assert call_record(sms, caller).status == reminder_calls.UNANSWERED
    run_reminders(sms, clock, DUE + timedelta(hours=6))
    assert len(sms.fake.calls) == 3  # no fourth try
    trail = sms.hotline.reminders.store.audit_trail(caller)
    assert trail[-1].endswith("call-unanswered:no-answer:sms")


def test_a_landline_nobody_answers_is_left_in_the_audit_trail(sms, clock):
    caller = register(sms, LANDLINE)
    sms.fake.callee(LANDLINE, Callee.no_answer(), Callee.busy(), Callee.failed())
    for n, hours in enumerate((0, 2, 4), start=1):
        run_reminders(sms, clock, DUE + timedelta(hours=hours))
        assert sms.fake.wait_calls(n)
    sms.work()
    assert sms_to(sms, LANDLINE) == []
    assert sms.hotline.reminders.store.audit_trail(caller)[-1].endswith("call-unanswered:failed")


def test_both_gets_the_sms_at_once_and_no_second_one_after_the_last_try(sms, clock):
    register(sms, remind_by="both")
    sms.fake.callee(MOBILE, *[Callee.no_answer()] * 3)
    for n, hours in enumerate((0, 2, 4), start=1):
        run_reminders(sms, clock, DUE + timedelta(hours=hours))
        assert sms.fake.wait_calls(n)
    sms.work()
    assert sms_to(sms, MOBILE) == [reminder_sms(sms)]


def test_stop_by_key_3_confirms_then_erases(sms, clock):
    caller = register(sms)
    sms.fake.callee(MOBILE, Callee.human("3", "1"))
    run_reminders(sms, clock, DUE)
    assert sms.fake.wait_calls(1)
    [call] = sms.fake.calls_to(MOBILE)
    _, confirm, stopped = call.documents
    assert heard_keys(sms, confirm)[:3] == [
        "voice.reminder_call.stop_confirm",
        "voice.consent.agree",
        "voice.reminder_call.keep",
    ]
    assert heard_keys(sms, stopped)[0] == "voice.reminder_call.stopped"
    assert sms.hotline.reminders.store.get(caller) is None
    tallies = [sms.redis.hgetall(k) for k in sms.redis.scan_iter(keys.ERASURES.format(day="*"))]
    assert any(b"stop-key" in tally for tally in tallies)  # a count by reason, naming no one


def test_stop_by_sms_between_queueing_and_dialing_is_never_called(sms, clock):
    caller = register(sms)
    clock.moment = DUE
    sms.hotline.reminders.send_all_due(DUE)  # the call is queued...
    Texter(sms.url, AUTH_TOKEN, number=MOBILE).text("STOP")
    sms.work()  # ...and its job runs after STOP
    assert sms.fake.calls == {}
    assert call_record(sms, caller).status == reminder_calls.WITHDRAWN


def test_call_jobs_go_on_the_reminders_queue_workers_take_first(sms, clock):
    """The call and its retries wait behind no flood of replies on the hotline queue."""
    caller = register(sms)
    sms.fake.callee(MOBILE, Callee.busy(), Callee.human())
    clock.moment = DUE
    sms.hotline.reminders.send_all_due(DUE)
    call_id = reminder_call_id(caller, EXPIRY, 1)
    assert sms.outbound.reminder_queue.name == "hotline-reminders"
    assert sms.outbound.reminder_queue.job_ids == [f"{call_id}-1"]
    assert sms.queue.job_ids == []
    sms.work()
    assert sms.fake.wait_calls(1)
    clock.moment = DUE + timedelta(hours=2)
    assert sms.hotline.reminders.calls.queue_due(clock.moment) == 1  # the retry, as the clock
    assert sms.outbound.reminder_queue.job_ids == [f"{call_id}-2"]
    assert sms.queue.job_ids == []


@pytest.mark.parametrize("twilio_had_it", [True, False])
def test_worker_killed_mid_dial_calls_once(sms, clock, twilio_had_it):
    """An ``rq worker`` process is SIGKILLed while calls.create waits for Twilio's answer; RQ's
    maintenance retries the job: the call rings once, whether Twilio had it or not."""
    caller = register(sms)
    sms.fake.callee(MOBILE, Callee.human())
    sms.fake.script(Reply.hold(accept=twilio_had_it))
    clock.moment = DUE
    sms.hotline.reminders.send_all_due(DUE)
    sms.parts.reminders.calls.in_doubt_grace = 0 if not twilio_had_it else 60
    worker = sms.worker_process()
    try:
        assert sms.fake.wait_for(1, timeout=60), "the worker never reached the API"
    finally:
        sms.kill(worker)
    if twilio_had_it:
        assert sms.fake.wait_calls(1)  # it rang and was answered while the worker was dead
    started = sms.outbound.reminder_queue.started_job_registry.get_job_ids()
    [job_id] = [j for j in started if j.startswith("call-")]
    assert sms.job(job_id).get_status() == JobStatus.STARTED
    sms.reap_abandoned()
    sms.promote_scheduled()
    sms.work()
    assert sms.fake.wait_calls(1)
    assert len(sms.fake.calls) == 1
    assert call_record(sms, caller).status == reminder_calls.DONE


def test_quiet_hours_and_sunday(sms, clock):
    caller = register(sms)
    sms.fake.callee(MOBILE, Callee.busy())
    evening = datetime(2027, 3, 1, 18, 30, tzinfo=PARIS)  # Monday, busy at 18:30
    run_reminders(sms, clock, evening)
    assert sms.fake.wait_calls(1)
    due = sms.hotline.reminders.calls.records.due_at(reminder_call_id(caller, EXPIRY, 1))
    assert due == datetime(2027, 3, 2, 9, 0, tzinfo=PARIS).timestamp()  # not 20:30: 9:00

    # A reminder due on a Sunday rings on Monday morning.
    other = "+33698765432"
    sunday_caller = register(sms, other, expiry=date(2027, 3, 21))  # 14 days before: a Sunday
    sunday = datetime(2027, 3, 7, 10, 1, tzinfo=PARIS)
    run_reminders(sms, clock, sunday)
    assert sms.fake.calls_to(other) == []
    call_id = reminder_call_id(sunday_caller, date(2027, 3, 21), 1)
    monday = datetime(2027, 3, 8, 9, 0, tzinfo=PARIS)
    assert sms.hotline.reminders.calls.records.due_at(call_id) == monday.timestamp()
    run_reminders(sms, clock, monday)
    assert sms.fake.wait_calls(2)
    assert len(sms.fake.calls_to(other)) == 1


def test_after_an_outage_only_the_latest_reminder_rings(sms, clock):
    caller = register(sms)
    run_reminders(sms, clock, datetime(2027, 3, 9, 10, 1, tzinfo=PARIS))  # 30, 14, 7 days: missed
    assert sms.fake.wait_calls(1)
    assert len(sms.fake.calls) == 1
    assert call_record(sms, caller, index=2).status == reminder_calls.DONE
    assert call_record(sms, caller, index=1) is None
    run_reminders(sms, clock, datetime(2027, 3, 9, 10, 2, tzinfo=PARIS))
    assert len(sms.fake.calls) == 1


@pytest.mark.parametrize(
    ("code", "status", "outcome"),
    [(21217, "dropped", "invalid_number"), (21214, "waiting", "unreachable")],
)
def test_calls_create_errors_follow_the_table(sms, clock, code, status, outcome):
    caller = register(sms)
    sms.fake.script(Reply.error(code))
    run_reminders(sms, clock, DUE)
    record = call_record(sms, caller)
    assert (record.status, record.reason) == (status, outcome)
    assert sms.fake.calls == {}


def test_a_caller_id_twilio_refuses_fails_the_job_loudly(sms, clock):
    caller = register(sms)
    sms.fake.script(Reply.error(21210))
    run_reminders(sms, clock, DUE)
    job_id = reminder_call_id(caller, EXPIRY, 1) + "-1"
    assert sms.job(job_id).get_status() == JobStatus.FAILED
    assert sms.hotline.reminders.store.audit_trail(caller)[-1].endswith(
        "call-refused:caller_id:21210"
    )


def test_429_is_retried_without_using_a_try(sms, clock):
    caller = register(sms)
    sms.fake.script(Reply.http(429))
    run_reminders(sms, clock, DUE)
    sms.promote_scheduled()
    sms.work()
    assert sms.fake.wait_calls(1)
    assert call_record(sms, caller).tries == 1


# --- the person's choice --------------------------------------------------------------------------


def test_a_landline_registers_by_keypad_for_calls_only(sms):
    caller = Caller(sms.url, AUTH_TOKEN, spoken_texts(sms.hotline), number=LANDLINE)
    caller.dial()
    caller.press("1")  # français
    caller.press("3")  # a reminder
    caller.press("15032027")
    caller.press("1")  # the date is right
    channel = caller.press("1")  # consent
    assert channel.keys[:4] == [
        "voice.remind.channel",
        "voice.remind.by_call",
        "voice.remind.by_sms",
        "voice.remind.by_both",
    ]
    assert caller.press("2").keys[0] == "voice.remind.no_sms"  # SMS: not on a landline
    caller.press("*")
    assert caller.press("1").keys[0] == "voice.remind.registered_call"
    registration = sms.hotline.reminders.store.get(caller_key(SECRET_KEY, LANDLINE))
    assert registration.remind_by == "call" and registration.expiry == EXPIRY
    sms.work()
    assert sms.fake.created == []  # no confirmation SMS to a landline


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("RAPPEL 15/03/2027 APPEL", "fr"),
        ("REMIND 15/03/2027 call", "en"),
        ("تذكير 15/03/2027 اتصال", "ar"),
    ],
)
def test_remind_by_sms_with_the_word_for_call(sms, text, lang):
    replies = Texter(sms.url, AUTH_TOKEN, number=MOBILE).text(text)
    registration = sms.hotline.reminders.store.get(caller_key(SECRET_KEY, MOBILE))
    assert registration.remind_by == "call" and registration.expiry == EXPIRY
    content = sms.hotline.content
    assert replies.texts == [content.text("sms.remind.confirm_call", lang, date="15/03/2027")]


def test_call_alone_switches_an_existing_registration(sms):
    texter = Texter(sms.url, AUTH_TOKEN, number=MOBILE)
    assert texter.text("APPEL").texts == [say(sms, "sms.call.none")]
    texter.text("RAPPEL 15/03/2027")
    caller = caller_key(SECRET_KEY, MOBILE)
    assert sms.hotline.reminders.store.get(caller).remind_by == "sms"
    assert texter.text("appel").texts == [say(sms, "sms.call.confirm")]
    assert sms.hotline.reminders.store.get(caller).remind_by == "call"
