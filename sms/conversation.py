"""The SMS conversation: one incoming text in, the replies out, in the person's language.

Every command is a row of HANDLERS; anything not understood gets the help message, never
silence. The reply language is the one the number last chose (by call or SMS); with none, the
language of the keyword used when only one language has it, else French.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from content.catalog import SOURCE_LANGUAGE, Content
from hotline.erasure import Erasure
from hotline.identity import caller_key, normalise_number
from hotline.language_choice import LanguageChoices
from hotline.sms_destinations import Destinations
from hotline.sms_limits import DailyLimits, Verdict
from reminders.changes import RegistrationChanges, registered_text
from reminders.schedule import DateCheck
from reminders.service import ReminderService, sms_date
from sms.keywords import (
    COMMANDS,
    BadDate,
    Command,
    catalog_keywords,
    keyword_table,
    parse,
    parse_date,
)
from sms.replays import AnsweredMessages

#: The longest text read; anything longer is cut before parsing (a keyword comes first anyway).
MAX_BODY = 320


@dataclass(frozen=True)
class Inbound:
    number: str | None
    body: str
    now: datetime
    message_sid: str | None = None  # Twilio's, checked: each is answered once


@dataclass(frozen=True)
class Context:
    inbound: Inbound
    command: Command
    caller: str | None
    lang: str


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
        self.keywords, self.keyword_langs = _keyword_tables(content)

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
        command = parse(inbound.body[:MAX_BODY], self.keywords)
        caller = caller_key(self.secret, inbound.number)
        lang = self.choices.get(caller) or self._keyword_language(command) or SOURCE_LANGUAGE
        if not self.content.has_language(lang):
            lang = SOURCE_LANGUAGE
        context = Context(inbound, command, caller, lang)
        handler = HANDLERS.get(command.name, SmsConversation.help)
        if not self.destinations.allows(inbound.number):
            # Never a reply to a number the hotline may not text (SMS pumping); STOP still erases.
            if command.name == "stop":
                handler(self, context)
            return []
        kind = REPLY_KINDS.get(command.name, "reply")
        verdict = self.limits.take(caller, kind, inbound.now)
        if verdict is Verdict.SEND or command.name == "stop":
            replies = handler(self, context)  # STOP erases even when its reply is not sent
            return replies if verdict is Verdict.SEND else self.over_limit(context, kind, verdict)
        return self.over_limit(context, kind, verdict)

    def is_stop(self, body: str) -> bool:
        """Whether a text is a STOP (read without Redis, for the outage reply)."""
        return parse(body[:MAX_BODY], self.keywords).name == "stop"

    def over_limit(self, c: Context, kind: str, verdict: Verdict) -> list[str]:
        """Past today's allowance: nothing is done (but STOP); said once, then silence."""
        if verdict is Verdict.NOTICE:
            return [self.text(LIMIT_NOTICES.get(kind, "sms.limit.other"), c.lang)]
        return []

    def text(self, key: str, lang: str, **params: str) -> str:
        return self.content.text(key, lang, **params)

    # --- one handler per command ----------------------------------------------------------------

    def help(self, c: Context) -> list[str]:
        return [self.text("sms.help", c.lang)]

    def steps(self, c: Context) -> list[str]:
        return [self.text("sms.steps_1", c.lang), self.text("sms.steps_2", c.lang)]

    def remind(self, c: Context) -> list[str]:
        try:
            expiry = parse_date(c.command.argument)
        except BadDate:
            return [self.text("sms.remind.bad_date", c.lang)]
        number = normalise_number(c.inbound.number)
        if number is None:
            return [self.text("sms.help", c.lang)]
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
            return [registered_text(self.content, c.lang, expiry, replaced)]
        return [self.text(REMIND_REPLIES[check], c.lang, date=sms_date(expiry))]

    def undo(self, c: Context) -> list[str]:
        """Put back the registration as it was before the last change (made by a call, or an
        SMS, that the person may not have made)."""
        restored = self.changes.undo(c.caller)
        if restored is None:
            return [self.text("sms.undo.nothing", c.lang)]
        return [self.text("sms.undo.done", c.lang, date=sms_date(restored))]

    def stop(self, c: Context) -> list[str]:
        """Erase everything the number left here, then confirm once."""
        self.erasure.forget_number(c.inbound.number, "stop", c.inbound.now)
        return [self.text("sms.stop.confirm", c.lang)]

    def start(self, c: Context) -> list[str]:
        return [self.text("sms.start.confirm", c.lang)]

    def lang(self, c: Context) -> list[str]:
        wanted = c.command.argument.split(" ")[0] if c.command.argument else ""
        if not self.content.has_language(wanted):
            codes = ", ".join(lang.code for lang in self.content.languages)
            return [self.text("sms.lang.unknown", c.lang, codes=codes)]
        self.choices.set(c.caller, wanted)
        return [self.text("sms.lang.confirm", wanted)]

    def _keyword_language(self, command: Command) -> str | None:
        """The language of the keyword used, when only one catalog has that word."""
        langs = self.keyword_langs.get(command.keyword, set())
        return next(iter(langs)) if len(langs) == 1 else None


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

HANDLERS: dict[str, Callable[[SmsConversation, Context], list[str]]] = {
    "help": SmsConversation.help,
    "steps": SmsConversation.steps,
    "remind": SmsConversation.remind,
    "stop": SmsConversation.stop,
    "start": SmsConversation.start,
    "lang": SmsConversation.lang,
    "undo": SmsConversation.undo,
}
assert set(HANDLERS) == set(COMMANDS)


def _keyword_tables(content: Content) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Word → command from every catalog, and word → the languages that use it."""
    table = keyword_table(c.texts for c in content.catalogs.values())
    langs: dict[str, set[str]] = {}
    for code, catalog in content.catalogs.items():
        for word, _ in catalog_keywords(catalog.texts):
            langs.setdefault(word, set()).add(code)
    return table, langs
