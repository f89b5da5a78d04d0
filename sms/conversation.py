"""The SMS conversation: one incoming text in, the replies out, in the person's language.

Every command is a row of HANDLERS; anything not understood gets the help message, never
silence. The reply language is the conversation's language: the one the number last chose, on
a call, with LANGUE, or with its first keyword that only one language has (مساعدة: Arabic).
Once known, only LANGUE or a call changes it: not a word several languages share (STOP, СТОП,
توقف), nor the French keywords a catalog shows beside its own (the Arabic help says to send
RAPPEL). With no language known, a shared word is answered in each language that has it when
that fits the segment budget, else in the first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from content import cldr
from content.catalog import SOURCE_LANGUAGE, Content
from content.segments import MAX_SEGMENTS, segments
from hotline.erasure import Erasure
from hotline.identity import caller_key, normalise_number
from hotline.language_choice import LanguageChoices
from hotline.sms_destinations import Destinations
from hotline.sms_limits import DailyLimits, Verdict
from reminders.changes import RegistrationChanges, registered_message
from reminders.schedule import DateCheck
from reminders.service import ReminderService, sms_date
from sms.keywords import (
    COMMANDS,
    BadDate,
    Command,
    DateReader,
    KeywordTable,
    LanguageNames,
    digit_zero,
    in_digits,
    typed_in,
)
from sms.replays import AnsweredMessages

#: Commands whose words tell little of the person's language (OK, merci): answered in the
#: word's language, they never become the conversation's language.
LANGUAGE_NEUTRAL = frozenset({"thanks"})
#: The longest text read; anything longer is cut before parsing (a keyword comes first anyway).
MAX_BODY = 320


@dataclass(frozen=True)
class Inbound:
    number: str | None
    body: str
    now: datetime
    message_sid: str | None = None  # Twilio's, checked: each is answered once


@dataclass(frozen=True)
class Say:
    """One message to send, by catalog key; ``own_digits``: written with the digits the person
    typed (a date example in Persian digits to someone who typed Persian digits)."""

    key: str
    params: dict[str, str] = field(default_factory=dict)
    own_digits: bool = False
    lang: str | None = None  # in this language only, whatever the conversation's


@dataclass(frozen=True)
class Context:
    inbound: Inbound
    command: Command
    caller: str | None
    lang: str  # the language the replies are in (the first one, when several)


class SmsConversation:
    def __init__(
        self,
        content: Content,
        choices: LanguageChoices,
        reminders: ReminderService,
        erasure: Erasure,
        secret: str,
        prefecture: str,
        limits: DailyLimits,
        destinations: Destinations,
        answered: AnsweredMessages,
        changes: RegistrationChanges,
    ):
        self.answered = answered
        self.changes = changes
        self.content = content
        self.choices = choices
        self.reminders = reminders
        self.erasure = erasure
        self.secret = secret
        self.prefecture = prefecture
        self.limits = limits
        self.destinations = destinations
        self.order = [lang.code for lang in content.languages]
        self.keywords = KeywordTable({c: content.catalogs[c].texts for c in self.order})
        locales = {code: content.catalogs[code].cldr_locale for code in self.order}
        self.dates = DateReader(
            month for code in self.order for month in cldr.month_names(locales[code])
        )
        self.language_names = LanguageNames(_language_names(content, locales))

    def reply(self, inbound: Inbound) -> list[str]:
        """The texts to send back to one incoming SMS; none to a message already answered."""
        if inbound.message_sid is not None and not self.answered.first_time(inbound.message_sid):
            return []
        try:
            return self._reply(inbound)
        except Exception:
            if inbound.message_sid is not None:
                self.answered.forget(inbound.message_sid)
            raise

    def _reply(self, inbound: Inbound) -> list[str]:
        body = inbound.body[:MAX_BODY]
        command = self.keywords.parse(body)
        caller = caller_key(self.secret, inbound.number)
        handler = HANDLERS.get(command.name, SmsConversation.help)
        if not self.destinations.allows(inbound.number):
            # Never a reply to a number the hotline may not text (SMS pumping); STOP still erases.
            if command.name == "stop":
                handler(self, Context(inbound, command, caller, SOURCE_LANGUAGE))
            return []
        langs, learnt = self._reply_languages(self.choices.get(caller), command, body)
        kind = REPLY_KINDS.get(command.name, "reply")
        verdict = self.limits.take(caller, kind, inbound.now)
        if verdict is not Verdict.SEND and command.name != "stop":
            return self._render(self.over_limit(kind, verdict), langs, None)
        if learnt and verdict is Verdict.SEND:
            self.choices.set(caller, langs[0])
        says = handler(self, Context(inbound, command, caller, langs[0]))
        if verdict is not Verdict.SEND:
            says = self.over_limit(kind, verdict)  # STOP erased, but its reply is not sent
        return self._render(says, langs, digit_zero(body))

    def is_stop(self, body: str) -> bool:
        """Whether a text is a STOP (read without Redis, for the outage reply)."""
        return self.keywords.parse(body[:MAX_BODY]).name == "stop"

    def over_limit(self, kind: str, verdict: Verdict) -> list[Say]:
        """Past today's allowance: nothing is done (but STOP); said once, then silence."""
        if verdict is Verdict.NOTICE:
            return [Say(LIMIT_NOTICES.get(kind, "sms.limit.other"))]
        return []

    def _reply_languages(
        self, known: str | None, command: Command, body: str
    ) -> tuple[tuple[str, ...], bool]:
        """The languages to answer in, and whether the first becomes the conversation's."""
        if known in self.order:
            return (known,), False
        owners = typed_in(self.keywords.langs.get(command.keyword, ()), body)
        learnt = len(owners) == 1 and command.name not in LANGUAGE_NEUTRAL
        return owners or (SOURCE_LANGUAGE,), learnt

    def _render(self, says: list[Say], langs: tuple[str, ...], zero: str | None) -> list[str]:
        """Each message in every language asked for, joined, when all fit the segment budget;
        else in the first language only."""

        def text(say: Say, lang: str) -> str:
            written = self.content.text(say.key, lang, **say.params)
            return in_digits(written, zero) if say.own_digits else written

        if len(langs) > 1 and not any(say.lang for say in says):
            joined = ["\n".join(text(say, lang) for lang in langs) for say in says]
            if all(segments(message) <= MAX_SEGMENTS for message in joined):
                return joined
        return [text(say, say.lang or langs[0]) for say in says]

    # --- one handler per command ----------------------------------------------------------------

    def help(self, c: Context) -> list[Say]:
        return [Say("sms.help")]

    def steps(self, c: Context) -> list[Say]:
        return [Say("sms.steps_1"), Say("sms.steps_2")]

    def remind(self, c: Context) -> list[Say]:
        try:
            expiry = self.dates.read(c.command.argument)
        except BadDate:
            return [Say("sms.remind.bad_date", own_digits=True)]
        number = normalise_number(c.inbound.number)
        if number is None:
            return [Say("sms.help")]
        replaced = self.changes.before_replacing(c.caller, expiry)
        check = self.reminders.register(
            number=number,
            lang=c.lang,
            prefecture=self.prefecture,
            expiry=expiry,
            channel="sms",
            now=c.inbound.now,
        )
        if check is DateCheck.OK:
            days = self.reminders.reminder_days(c.lang, expiry, c.inbound.now)
            key, params = registered_message(expiry, replaced, days)
            return [Say(key, params, own_digits=True)]
        return [Say(REMIND_REPLIES[check], {"date": sms_date(expiry)}, own_digits=True)]

    def undo(self, c: Context) -> list[Say]:
        """Put back the registration as it was before the last change (made by a call, or an
        SMS, that the person may not have made)."""
        restored = self.changes.undo(c.caller)
        if restored is None:
            return [Say("sms.undo.nothing")]
        return [Say("sms.undo.done", {"date": sms_date(restored)}, own_digits=True)]

    def stop(self, c: Context) -> list[Say]:
        """Erase everything the number left here, then confirm once."""
        self.erasure.forget_number(c.inbound.number, "stop", c.inbound.now)
        return [Say("sms.stop.confirm")]

    def start(self, c: Context) -> list[Say]:
        return [Say("sms.start.confirm")]

    def lang(self, c: Context) -> list[Say]:
        wanted = self.language_names.find(c.command.argument)
        if wanted is None:
            names = ", ".join(lang.name for lang in self.content.languages)
            return [Say("sms.lang.unknown", {"names": names})]
        self.choices.set(c.caller, wanted)
        return [Say("sms.lang.confirm", lang=wanted)]

    def email(self, c: Context) -> list[Say]:
        return [Say("sms.email")]

    def thanks(self, c: Context) -> list[Say]:
        return [Say("sms.thanks")]


#: Every catalog key the SMS line uses (for `flask content check`).
SMS_KEYS = (
    "sms.help",
    "sms.steps_1",
    "sms.steps_2",
    "sms.remind.confirm",
    "sms.remind.past",
    "sms.remind.too_far",
    "sms.remind.bad_date",
    "sms.reminder.before",
    "sms.reminder.after",
    "sms.stop.confirm",
    "sms.start.confirm",
    "sms.lang.confirm",
    "sms.lang.unknown",
    "sms.email",
    "sms.thanks",
    "sms.limit.steps",
    "sms.limit.other",
    "sms.stop.unavailable",
    "sms.remind.changed",
    "sms.undo.done",
    "sms.undo.nothing",
    *(f"sms.keyword.{command}" for command in COMMANDS),
)

#: Which daily allowance (settings.DEFAULT_SMS_LIMITS) each command's reply takes.
REPLY_KINDS = {"steps": "steps", "remind": "confirmation", "stop": "stop"}
#: What a person past an allowance is told, once a day.
LIMIT_NOTICES = {"steps": "sms.limit.steps"}

REMIND_REPLIES = {
    DateCheck.OK: "sms.remind.confirm",
    DateCheck.PAST: "sms.remind.past",
    DateCheck.TOO_FAR: "sms.remind.too_far",
}

HANDLERS: dict[str, Callable[[SmsConversation, Context], list[Say]]] = {
    "help": SmsConversation.help,
    "steps": SmsConversation.steps,
    "remind": SmsConversation.remind,
    "stop": SmsConversation.stop,
    "start": SmsConversation.start,
    "lang": SmsConversation.lang,
    "undo": SmsConversation.undo,
    "email": SmsConversation.email,
    "thanks": SmsConversation.thanks,
}
assert set(HANDLERS) == set(COMMANDS)


def _language_names(content: Content, locales: dict[str, str]) -> Iterator[tuple[str, str]]:
    """(name, catalog code): codes, each language's own name, and the names Babel gives every
    catalog language in every catalog locale."""
    targets = list(locales.items())
    for language in content.languages:
        yield language.code, language.code
        yield language.name, language.code
        yield cldr.own_name(locales[language.code]), language.code
    for cldr_locale in locales.values():
        yield from cldr.language_names(cldr_locale, targets)
