"""Registrations and reminders on a real Redis: what is kept, what is sent, what is erased."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from content.catalog import Content, load_catalogs, load_languages
from content.prefecture import load_prefecture
from hotline import keys
from hotline.clock import PARIS
from hotline.identity import caller_key
from reminders.registrations import RegistrationStore
from reminders.schedule import DateCheck
from reminders.service import ReminderService, reminder_message_id
from tests.conftest import SECRET_KEY

NUMBER = "+33612345678"
EXPIRY = date(2027, 3, 15)


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


class Recorder:
    """The outbound seam: what would have been handed to the SMS queue."""

    def __init__(self):
        self.sent: list[tuple[str, str, str, str]] = []

    def __call__(self, caller, number, body, message_id):
        self.sent.append((caller, number, body, message_id))


@pytest.fixture
def content() -> Content:
    return Content(
        load_catalogs(), load_languages(), load_prefecture("val-de-marne").placeholders()
    )


@pytest.fixture
def outbox() -> Recorder:
    return Recorder()


@pytest.fixture
def service(redis, content, outbox) -> ReminderService:
    return ReminderService(RegistrationStore(redis, SECRET_KEY), content, SECRET_KEY, outbox)


REGISTERED_AT = paris(2026, 11, 26, 15)


def register(service, expiry=EXPIRY, now=REGISTERED_AT, lang="fr", number=NUMBER):
    return service.register(
        number=number, lang=lang, prefecture="val-de-marne", expiry=expiry, channel="sms", now=now
    )


def test_a_registration_keeps_only_what_reminders_need(service, redis):
    assert register(service) is DateCheck.OK
    caller = caller_key(SECRET_KEY, NUMBER)
    stored = redis.hgetall(keys.REGISTRATION.format(caller=caller))
    assert set(stored) == {b"n", b"l", b"p", b"e", b"c", b"ch", b"i", b"g"}
    assert NUMBER.encode() not in b"".join(stored.values())
    # compact encoding (ziplist before Redis 7, listpack after): every value is short
    encoding = redis.object("encoding", keys.REGISTRATION.format(caller=caller))
    assert encoding in (b"ziplist", b"listpack")
    registration = service.store.get(caller)
    assert registration.number == NUMBER and registration.expiry == EXPIRY
    assert registration.lang == "fr" and registration.next_index == 0
    assert service.store.due_at(caller) == paris(2027, 2, 13, 10).timestamp()
    assert registration.channel == "sms"
    assert registration.consent_at == int(REGISTERED_AT.timestamp())
    assert service.store.audit_trail(caller) == []  # nothing out of the ordinary yet


def test_re_registering_replaces_the_date(service):
    register(service)
    register(service, expiry=date(2027, 5, 1), lang="en")
    registration = service.store.get(caller_key(SECRET_KEY, NUMBER))
    assert registration.expiry == date(2027, 5, 1) and registration.lang == "en"
    assert service.store.count() == 1


@pytest.mark.parametrize(
    ("expiry", "check"),
    [(date(2026, 11, 1), DateCheck.PAST), (date(2028, 3, 1), DateCheck.TOO_FAR)],
)
def test_past_or_far_dates_are_not_kept(service, expiry, check):
    assert register(service, expiry=expiry) is check
    assert service.store.count() == 0


def test_each_reminder_goes_once_at_its_time_then_the_data_is_purged(service, outbox, redis):
    register(service)
    caller = caller_key(SECRET_KEY, NUMBER)
    moments = [
        paris(2027, 2, 13, 10, 1),
        paris(2027, 3, 1, 10, 1),
        paris(2027, 3, 8, 10, 1),
        paris(2027, 3, 16, 10, 1),
    ]
    for moment in moments:
        assert service.send_due(moment - timedelta(minutes=5)) == []
        outcomes = service.send_due(moment)
        assert [o.what for o in outcomes] == ["sent"]
        assert service.send_due(moment) == []  # claimed and advanced: never twice
    bodies = [body for _, _, body, _ in outbox.sent]
    assert len(bodies) == 4
    # a countdown, the date in words, what to do and how to get the steps again
    assert bodies[0].startswith("Rappel : votre ADP finit dans 30 jours, le 15 mars 2027.")
    assert bodies[1].startswith("Rappel : votre ADP finit dans 14 jours, le 15 mars 2027.")
    assert bodies[2].startswith("Rappel : votre ADP finit dans 7 jours, le 15 mars 2027.")
    assert bodies[3].startswith("Votre ADP a fini le 15 mars 2027.")
    assert all("demandez" in body and "envoyez ETAPES" in body for body in bodies)
    assert len({message_id for *_, message_id in outbox.sent}) == 4
    # 30 days after the last reminder, everything about the number is deleted
    assert service.send_due(paris(2027, 4, 14, 10)) == []
    assert [o.what for o in service.send_due(paris(2027, 4, 15, 10, 2))] == ["purged"]
    assert not redis.exists(keys.REGISTRATION.format(caller=caller))
    assert service.store.count() == 0
    assert service.store.audit_trail(caller) == []
    assert service.store.erasures(date(2027, 4, 15)) == {"retention-over": 1}


def test_after_an_outage_only_the_latest_missed_reminder_goes(service, outbox):
    register(service)
    outcomes = service.send_due(paris(2027, 3, 9, 14))
    assert [o.what for o in outcomes] == ["sent"]
    assert len(outbox.sent) == 1
    generation = service.store.get(outbox.sent[0][0]).generation
    assert outbox.sent[0][3] == reminder_message_id(outbox.sent[0][0], EXPIRY, 2, generation)
    trail = service.store.audit_trail(outbox.sent[0][0])
    assert [e.split(" ")[1] for e in trail] == ["skipped:-30", "skipped:-14"]


def test_due_at_night_means_sent_the_next_morning(service, outbox):
    register(service)
    assert [o.what for o in service.send_due(paris(2027, 2, 13, 22))] == ["waiting"]
    assert outbox.sent == []
    assert service.send_due(paris(2027, 2, 14, 8, 59)) == []
    assert [o.what for o in service.send_due(paris(2027, 2, 14, 9))] == ["sent"]


def test_stop_erases_and_nothing_more_is_sent(service, outbox, redis):
    register(service)
    assert service.store.erase(caller_key(SECRET_KEY, NUMBER), "stop")
    assert service.send_due(paris(2027, 3, 20, 12)) == []
    assert outbox.sent == []
    assert redis.keys("hl:reg:*") == []


def test_stop_racing_a_claimed_reminder_sends_nothing(service, outbox):
    register(service)
    caller = caller_key(SECRET_KEY, NUMBER)
    claimed = service.store.claim_due(paris(2027, 2, 13, 11), 10, 300)
    assert claimed == [caller]
    service.store.erase(caller, "stop")  # STOP lands between the claim and the processing
    assert service.process(caller, paris(2027, 2, 13, 11)).what == "gone"
    assert outbox.sent == []


def test_a_crashed_claimer_lets_the_reminder_come_due_again_after_its_lease(service, outbox):
    register(service)
    now = paris(2027, 2, 13, 11)
    assert service.store.claim_due(now, 10, 300)  # the worker dies here
    assert service.send_due(now + timedelta(seconds=299)) == []
    assert [o.what for o in service.send_due(now + timedelta(seconds=301))] == ["sent"]


def test_collecting_takes_only_what_is_due(service):
    for n in range(30):
        expiry = EXPIRY + timedelta(days=n)
        register(service, expiry=expiry, number=f"+336000000{n:02d}")
    due = service.store.claim_due(paris(2027, 2, 17, 12), 100, 300)
    assert len(due) == 5  # expiries 15..19 March have their first reminder due by 17 Feb


def test_a_tampered_number_cannot_be_opened(service, redis):
    register(service)
    caller = caller_key(SECRET_KEY, NUMBER)
    other = RegistrationStore(redis, "another-secret-" + "x" * 30)
    with pytest.raises(ValueError):
        other.get(caller)


def test_a_registration_sealed_with_another_secret_is_quarantined_and_the_others_go_on(
    service, outbox, redis, content
):
    register(service)
    old = ReminderService(
        RegistrationStore(redis, "an-older-secret-" + "y" * 30),
        content,
        "an-older-secret-" + "y" * 30,
        outbox,
    )
    register(old, number="+33699999999")  # before the key was rotated
    outcomes = service.send_due(paris(2027, 2, 13, 11))
    assert sorted(o.what for o in outcomes) == ["quarantined", "sent"]
    assert [number for _, number, *_ in outbox.sent] == [NUMBER]
    assert service.store.count() == 1
    assert service.quarantine.count() == 1  # set aside, not deleted


def test_a_reminder_that_could_not_be_queued_is_not_moved_on(redis, content, outbox):
    """A run whose SMS queue refuses (Redis away, a misconfigured worker) leaves the
    registration where it was: the next run after the lease sends the same reminder."""

    def refusing(caller, number, body, message_id):
        raise ConnectionError("the SMS queue is not reachable")

    store = RegistrationStore(redis, SECRET_KEY)
    broken = ReminderService(store, content, SECRET_KEY, refusing)
    register(broken)
    caller = caller_key(SECRET_KEY, NUMBER)
    now = paris(2027, 2, 13, 11)

    with pytest.raises(ConnectionError):
        broken.send_due(now)

    assert store.get(caller).next_index == 0
    fixed = ReminderService(store, content, SECRET_KEY, outbox)
    assert [o.what for o in fixed.send_due(now + timedelta(seconds=301))] == ["sent"]
    [(_, _, body, _)] = outbox.sent
    assert body.startswith("Rappel")


def test_people_with_the_same_date_never_share_a_reminder_s_message_id(service, redis):
    """A reminder's message id comes from the registration's generation and the date, not from
    the person: the same id would make the second person's reminder a duplicate, dropped. The
    generation carries 64 random bits, so 10,000 people on one date do not draw the same one."""
    from reminders.registrations import GENERATION_BYTES
    from reminders.service import reminder_message_id

    numbers = [f"+3361234{i:04d}" for i in range(300)]
    for number in numbers:
        assert register(service, number=number) is DateCheck.OK
    registrations = [service.store.get(caller_key(SECRET_KEY, n)) for n in numbers]
    assert {len(r.generation) for r in registrations} == {
        2 * GENERATION_BYTES
    } and GENERATION_BYTES >= 8
    ids = {reminder_message_id(r.caller, r.expiry, 0, r.generation) for r in registrations}
    assert len(ids) == len(numbers)
