"""The recording line (/voice/studio): a volunteer types a code, then records prompt after prompt.

For each text still missing or outdated in the code's language: the French text (French voice),
its draft translation by SMS (once per code and prompt, when the number takes SMS), a beep, the
volunteer speaks and presses #, hears it back and chooses: 1 keep, 2 again, 3 skip, * the one
before, 0 the French again. Each take is a <Record> whose recording-status callback queues the
job that fetches it (workers/recordings.py) once the volunteer has chosen; a take not kept is
deleted from Twilio by the same job. What a code has done is kept (Redis), so a call back
resumes at the next prompt.

Every word said here is a catalog key said in French (the volunteers' working language).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from redis import Redis

from audio.checks import max_record_seconds
from audio.invites import Invite, Invites
from audio.plan import PlannedText, RecordingPlan
from content.catalog import SOURCE_LANGUAGE
from hotline import keys
from hotline.clock import Clock
from ivr.flow import Prompt
from ivr.speech import Play, Say, Speaker, Utterance

STUDIO_KEYS = (
    "voice.studio.code",
    "voice.studio.wrong_code",
    "voice.studio.locked",
    "voice.studio.intro",
    "voice.studio.record",
    "voice.studio.choices",
    "voice.studio.done",
    "voice.studio.menu_entry",
)
#: Misses (silence, wrong key) in a row before the line says goodbye.
MAX_MISSES = 3
#: Where withheld numbers count their wrong codes: together, so hiding a number buys nothing.
WITHHELD = "withheld"
#: A take whose volunteer never chose (hung up while listening back) is deleted after this.
UNDECIDED_TAKE_SECONDS = 10 * 60
KEEP, AGAIN, SKIP, PREVIOUS, FRENCH = "keep", "again", "skip", "previous", "french"
#: The keys after hearing a take back.
REVIEW_KEYS = {"1": KEEP, "2": AGAIN, "3": SKIP, "*": PREVIOUS, "0": FRENCH}

SendDraft = Callable[[str, str, str], None]  # number, body, message id
Enqueue = Callable[[str, int], None]  # take id, delay in seconds


@dataclass(frozen=True)
class Listen:
    action: str  # path under /voice/studio
    num_digits: int = 1
    finish_on_key: str = ""


@dataclass(frozen=True)
class RecordTake:
    action: str
    callback: str
    max_length: int


@dataclass(frozen=True)
class StudioTurn:
    """What the line answers: utterances, then listen for keys, record, or hang up."""

    utterances: tuple[Utterance, ...] = ()
    listen: Listen | None = None
    record: RecordTake | None = None
    redirect: str | None = None  # after <Record>: when Twilio heard nothing, ask again
    hang_up: bool = False


@dataclass
class StudioCall:
    invite: str = ""
    lang: str = ""
    name: str = ""
    stem: str = ""  # the prompt being recorded
    back: list[str] = field(default_factory=list)  # prompts recorded before it in this call
    misses: int = 0


class Studio:
    def __init__(
        self,
        redis: Redis,
        invites: Invites,
        plan: RecordingPlan,
        speaker: Speaker,
        clock: Clock,
        send_draft: SendDraft,
        enqueue: Enqueue,
    ):
        self.redis = redis
        self.invites = invites
        self.plan = plan
        self.speaker = speaker
        self.clock = clock
        self.send_draft = send_draft
        self.enqueue = enqueue

    # --- what is said -----------------------------------------------------------------------------

    def _say(self, key: str, **params: str) -> Utterance:
        return self.speaker.utter(Prompt(key, SOURCE_LANGUAGE, tuple(sorted(params.items()))))

    def _french(self, text: str) -> Utterance:
        language = self.speaker.content.language(SOURCE_LANGUAGE)
        return Say(text, language.say_language, language.say_voice)

    def _ask_code(self, *said: Utterance) -> StudioTurn:
        listen = Listen("/voice/studio/code", num_digits=20, finish_on_key="#")
        return StudioTurn((*said, self._say("voice.studio.code")), listen=listen)

    def _goodbye(self, key: str) -> StudioTurn:
        return StudioTurn((self._say(key),), hang_up=True)

    # --- call state -------------------------------------------------------------------------------

    def _load(self, sid: str) -> StudioCall | None:
        raw = self.redis.get(keys.STUDIO_CALL.format(sid=sid))
        return StudioCall(**json.loads(raw)) if raw else None

    def _save(self, sid: str, call: StudioCall) -> None:
        data = json.dumps(call.__dict__, separators=(",", ":"))
        self.redis.set(keys.STUDIO_CALL.format(sid=sid), data, ex=keys.STUDIO_CALL_TTL)

    def _done(self, call: StudioCall) -> set[str]:
        return {s.decode() for s in self.redis.smembers(keys.STUDIO_DONE.format(code=call.invite))}

    def _mark_done(self, call: StudioCall, stem: str, invite: Invite) -> None:
        key = keys.STUDIO_DONE.format(code=call.invite)
        ttl = max(60, int((invite.expires - self.clock.now()).total_seconds()))
        pipe = self.redis.pipeline()
        pipe.sadd(key, stem)
        pipe.expire(key, ttl)
        pipe.execute()

    # --- the steps --------------------------------------------------------------------------------

    def start(self, caller: str | None) -> StudioTurn:
        if self.invites.locked(caller or WITHHELD):
            return self._goodbye("voice.studio.locked")
        return self._ask_code()

    def code(
        self, sid: str, caller: str | None, digits: str | None, number: str | None
    ) -> StudioTurn:
        """The code typed (or nothing). Nothing is recorded before a valid code."""
        who = caller or WITHHELD
        if self.invites.locked(who):
            return self._goodbye("voice.studio.locked")
        if not digits:
            return self._ask_code()
        invite = self.invites.redeem(digits, who)
        if invite is not None and invite.expires <= self.clock.now():
            invite = None  # Redis expires it too, at about the same time
        if invite is None:
            if self.invites.locked(who):
                return self._goodbye("voice.studio.locked")
            return self._ask_code(self._say("voice.studio.wrong_code"))
        call = StudioCall(invite=invite.id, lang=invite.lang, name=invite.name)
        remaining = self.plan.to_record(call.lang, self._done(call))
        if not remaining:
            return self._goodbye("voice.studio.done")
        call.stem = remaining[0].spoken.stem
        self._save(sid, call)
        intro = self._say("voice.studio.intro", total=str(len(remaining)))
        return self._present(sid, call, remaining[0], number, said=(intro,))

    def prompt(self, sid: str, number: str | None) -> StudioTurn:
        """Present the current prompt (after a take Twilio heard nothing in, or a redirect)."""
        call = self._load(sid)
        planned = call and self.plan.find(call.lang, call.stem)
        if call is None or planned is None:
            return self._ask_code()
        return self._present(sid, call, planned, number)

    def _present(
        self,
        sid: str,
        call: StudioCall,
        planned: PlannedText,
        number: str | None,
        said: tuple[Utterance, ...] = (),
    ) -> StudioTurn:
        if number:
            self._text_draft(call, planned, number)
        take = secrets.token_hex(8)
        self.redis.hset(
            keys.STUDIO_TAKE.format(take=take),
            mapping={
                "invite": call.invite,
                "lang": call.lang,
                "stem": planned.spoken.stem,
                "text": planned.spoken.text,
                "source": planned.source,
                "name": call.name,
            },
        )
        self.redis.expire(keys.STUDIO_TAKE.format(take=take), keys.STUDIO_TAKE_TTL)
        return StudioTurn(
            (*said, self._french(planned.french), self._say("voice.studio.record")),
            record=RecordTake(
                action=f"/voice/studio/recorded?take={take}",
                callback=f"/voice/studio/recording?take={take}",
                max_length=max_record_seconds(planned.spoken.text),
            ),
            redirect="/voice/studio/prompt",
        )

    def _text_draft(self, call: StudioCall, planned: PlannedText, number: str) -> None:
        """The draft translation by SMS, to read while speaking: once per code and prompt."""
        digest = hashlib.sha256(f"{call.invite}:{planned.spoken.stem}".encode()).hexdigest()
        self.send_draft(number, planned.spoken.text, f"studio-{digest[:32]}")

    def recorded(self, sid: str, take: str, digits: str | None, url: str | None) -> StudioTurn:
        """The <Record> ended (# pressed, silence, or the time limit): hear it back, choose."""
        call = self._load(sid)
        if call is None or not self.redis.exists(keys.STUDIO_TAKE.format(take=take)):
            return self._ask_code()
        if digits == "hangup" or not url:
            return StudioTurn(hang_up=True)
        return self._review(take, url, said=())

    def _review(self, take: str, url: str, said: tuple[Utterance, ...]) -> StudioTurn:
        self.redis.hset(keys.STUDIO_TAKE.format(take=take), "heard", url)
        listen = Listen(f"/voice/studio/review?take={take}")
        return StudioTurn((*said, Play(url), self._say("voice.studio.choices")), listen=listen)

    def review(self, sid: str, take: str, digits: str | None, number: str | None) -> StudioTurn:
        """1 keep, 2 again, 3 skip, * the one before, 0 the French again."""
        call = self._load(sid)
        take_key = keys.STUDIO_TAKE.format(take=take)
        url = self.redis.hget(take_key, "heard")
        invite = call and self.invites.get(call.invite)
        if call is None:
            return self._ask_code()
        if invite is None:  # revoked or expired during the call
            return self._ask_code(self._say("voice.studio.wrong_code"))
        if url is None:  # not a take of this line: the current prompt again
            return self.prompt(sid, None)
        choice = REVIEW_KEYS.get(digits or "")
        if choice is None:
            call.misses += 1
            self._save(sid, call)
            if call.misses >= MAX_MISSES:
                self._decide(take, keep=False)
                return StudioTurn(hang_up=True)
            return self._review(take, url.decode(), said=())
        call.misses = 0
        planned = self.plan.find(call.lang, call.stem)
        if choice == FRENCH and planned is not None:
            self._save(sid, call)
            return self._review(take, url.decode(), said=(self._french(planned.french),))
        self._decide(take, keep=choice == KEEP)
        if choice == AGAIN or planned is None:
            self._save(sid, call)
            return self.prompt(sid, None)
        if choice == PREVIOUS:
            if call.back:
                call.stem = call.back.pop()
            self._save(sid, call)
            return self.prompt(sid, None)
        self._mark_done(call, call.stem, invite)  # kept or skipped: progress saved
        remaining = self.plan.to_record(call.lang, self._done(call))
        if not remaining:
            self.redis.delete(keys.STUDIO_CALL.format(sid=sid))
            return self._goodbye("voice.studio.done")
        call.back.append(call.stem)
        call.stem = remaining[0].spoken.stem
        self._save(sid, call)
        return self.prompt(sid, number)

    # --- the take's fate --------------------------------------------------------------------------

    def _decide(self, take: str, *, keep: bool) -> None:
        """Note the volunteer's choice; the job runs once Twilio has also said the file is ready."""
        key = keys.STUDIO_TAKE.format(take=take)
        pipe = self.redis.pipeline()
        pipe.hset(key, "decision", KEEP if keep else "drop")
        pipe.hget(key, "recording")
        _, ready = pipe.execute()
        if ready:
            self.enqueue(take, 0)

    def recording_status(self, take: str, sid: str, url: str, status: str) -> bool:
        """Twilio says a take's file is ready (or failed): fetch it once the volunteer chose."""
        key = keys.STUDIO_TAKE.format(take=take)
        if not self.redis.exists(key):
            return False
        pipe = self.redis.pipeline()
        pipe.hset(key, mapping={"recording": sid, "url": url, "status": status})
        pipe.hget(key, "decision")
        _, decision = pipe.execute()
        # Chosen already: now. Not yet: after a while, when an undecided take is deleted.
        self.enqueue(take, 0 if decision else UNDECIDED_TAKE_SECONDS)
        return True
