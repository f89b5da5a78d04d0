"""The voice menus as a table: which node says what, and where each key leads.

Reading this file is reading the call: the language menu, the main menu and its topics. Keys that
work everywhere (repeat, back, main menu, language menu) are in GLOBAL_KEYS and handled once by
``ivr.flow``; a node's own options come first, so the language menu can use every digit.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- Actions a key can trigger -----------------------------------------------------------------


@dataclass(frozen=True)
class Goto:
    """Enter another node (remembering this one for "back")."""

    node: str


@dataclass(frozen=True)
class Back:
    """Return to the node the caller came from."""


@dataclass(frozen=True)
class Repeat:
    """Say the current node again."""


@dataclass(frozen=True)
class MainMenu:
    """Jump to the main menu."""


@dataclass(frozen=True)
class LanguageMenu:
    """Jump to the language menu."""


@dataclass(frozen=True)
class NextStep:
    """In a walk, the next step."""


@dataclass(frozen=True)
class PreviousStep:
    """In a walk, the previous step."""


@dataclass(frozen=True)
class Do:
    """Ask the call service to act (send an SMS, register a reminder), then enter ``then``."""

    effect: str
    then: str


@dataclass(frozen=True)
class ChooseLanguage:
    """On the language menu: speak this language from now on."""

    code: str


@dataclass(frozen=True)
class KeepLanguage:
    """On the offer at the start of a call: go on in the language offered (the state's)."""


@dataclass(frozen=True)
class Restart:
    """Begin the call again at the language menu, forgetting where it came from."""


@dataclass(frozen=True)
class HangUp:
    """End the call now, saying nothing more (an answering machine must not record menus)."""


Action = (
    Goto
    | Back
    | Repeat
    | MainMenu
    | LanguageMenu
    | NextStep
    | PreviousStep
    | ChooseLanguage
    | KeepLanguage
    | Restart
    | HangUp
    | Do
)

# --- Nodes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    key: str
    prompt: str  # catalog key; its text says "to do X, press {key}"
    action: Action
    needs_number: bool = False  # only for callers whose number can receive an SMS (else: NO_NUMBER)
    needs_sms: bool = False  # the same, said as "this phone gets no SMS, only calls" (NO_SMS)
    needs_caller: bool = False  # only for callers whose number we see (to call them back)
    said_in: tuple[str, ...] = ()  # languages it is said in (default: the caller's)


@dataclass(frozen=True)
class Menu:
    """Options to choose from, each announced option first, key second."""

    name: str
    title: tuple[str, ...]
    options: tuple[Option, ...]
    hints: tuple[str, ...] = ()  # navigation hints (names of GLOBAL_KEYS) said after the options
    reads_back: bool = False  # the title's last prompt says back the call's entry (a date)
    after_title: tuple[str, ...] = ()  # said after the title (and what it reads back)
    #: What any other key, or silence, does: None makes them misses (said again, then goodbye).
    otherwise: Action | None = None
    #: What silence alone does, before ``otherwise``: None makes it a miss (or ``otherwise``).
    silence: Action | None = None
    #: Seconds to wait for a key after the prompts; None for the usual wait (ivr.twiml).
    timeout: int | None = None


@dataclass(frozen=True)
class Message:
    """One piece of information, then how to hear it again or go back."""

    name: str
    prompt: str
    hints: tuple[str, ...] = ("repeat", "back")


@dataclass(frozen=True)
class Walk:
    """A sequence of messages heard one at a time: next, previous, repeat, back."""

    name: str
    steps: tuple[str, ...]
    heading: str = "voice.steps.heading"
    last: str = "voice.steps.last"
    next_key: str = "1"
    previous_key: str = "2"
    hints: tuple[str, ...] = ("repeat", "back")
    #: An option that works on every step, announced on the first and the last.
    extra: Option | None = None


@dataclass(frozen=True)
class DateEntry:
    """The caller types a date as 8 digits (day, month, year); it is checked, then read back."""

    name: str
    prompt: str
    then: str  # where a plausible date leads (its read-back)
    num_digits: int = 8  # how many keys make a date (Twilio's numDigits)
    hints: tuple[str, ...] = ("back",)
    #: The key that ends the entry at once, typed digits or not: "back" (Twilio's finishOnKey,
    #: so it is never collected as a digit of the date).
    back_key: str = "*"
    #: Where the caller is offered another way after this many dates that cannot be used.
    wrong_dates_then: str = ""


Node = Menu | Message | Walk | DateEntry

#: Keys that mean the same on every node, and the catalog key of their spoken hint.
GLOBAL_KEYS: dict[str, Action] = {
    "0": Repeat(),
    "*": Back(),
    "9": MainMenu(),
    "8": LanguageMenu(),
}
HINTS: dict[str, tuple[str, str]] = {
    "repeat": ("0", "voice.nav.repeat"),
    "back": ("*", "voice.nav.back"),
    "main": ("9", "voice.nav.main"),
    "language": ("8", "voice.nav.language"),
}
#: The same hints once the caller has heard them in full in this call ("0, repeat").
SHORT_HINTS: dict[str, str] = {
    "repeat": "voice.nav_short.repeat",
    "back": "voice.nav_short.back",
    "main": "voice.nav_short.main",
    "language": "voice.nav_short.language",
}

LANGUAGE_MENU = "language"
NO_NUMBER = "no_number"
NO_SMS = "no_sms"
#: The first node of a reminder call, ``reminder.before`` or ``reminder.after`` the expiry.
REMINDER_CALL = "reminder"
#: The first node of a reminder call Twilio could not tell was answered by a person or a machine
#: (AnsweredBy ``unknown``): ``reminder.ask.before`` or ``reminder.ask.after``.
REMINDER_ASK = "reminder.ask"
#: The neutral message a machine may record: no date, no name, no service named (ivr.views says
#: the number to call back after it).
NEUTRAL_PROMPT = "voice.reminder_call.voicemail"
ALREADY_SENT = "sms_already_sent"
NOT_TEXTABLE = "not_textable"
REMIND_LIMIT = "remind_limit"
MAIN_MENU = "main"
RESUME_MENU = "resume"
LANGUAGE_OFFER = "offer"
#: Seconds the language offer waits for its key before the language menu: the offer says how to
#: change language in its first 3 seconds, and a caller who does not understand it (another
#: person on a shared phone) reaches the language menu within a few more.
OFFER_TIMEOUT = 3

NODES: dict[str, Node] = {
    node.name: node
    for node in (
        # The most-needed information first; at most 4 options and the hints.
        Menu(
            name=MAIN_MENU,
            title=("voice.main.title",),
            options=(
                Option("1", "voice.main.steps", Goto("steps")),
                Option("2", "voice.main.adp", Goto("adp")),
                # A landline may register too: for reminders by phone call.
                Option("3", "voice.main.remind", Goto("remind_date"), needs_caller=True),
                Option("4", "voice.main.blocked", Goto("blocked")),
            ),
            hints=("repeat", "language"),
        ),
        Walk(
            name="steps",
            steps=tuple(f"voice.steps.{n}" for n in range(1, 8)),
            extra=Option("3", "voice.steps.sms", Do("send_steps", "sms_sent"), needs_number=True),
        ),
        # The action first (renew your ADP, where), what the ADP is after; the office by SMS.
        Menu(
            name="adp",
            title=("voice.adp.info", "voice.adp.what"),
            options=(
                Option("1", "voice.adp.sms", Do("send_office", "sms_sent"), needs_number=True),
            ),
            hints=("repeat", "back"),
        ),
        # Who to write to, only when the site blocks the account; the address offered by SMS.
        Menu(
            name="blocked",
            title=("voice.blocked.info", "voice.blocked.email"),
            options=(
                Option("1", "voice.blocked.sms", Do("send_email", "sms_sent"), needs_number=True),
            ),
            hints=("repeat", "back"),
        ),
        Message(name="sms_sent", prompt="voice.sms_steps.sent", hints=("repeat", "main")),
        Message(name=NO_NUMBER, prompt="voice.sms_steps.no_number", hints=("main",)),
        # Instead of no_number when the number is known but is no mobile the hotline may text.
        Message(name=NOT_TEXTABLE, prompt="voice.sms_steps.not_textable", hints=("main",)),
        # Instead of remind_done when the number changed its date as often as allowed today.
        Message(name=REMIND_LIMIT, prompt="voice.remind.limit", hints=("main",)),
        # Instead of sms_sent when the number already got the steps as often as allowed today.
        Message(name=ALREADY_SENT, prompt="voice.sms_steps.already_sent", hints=("repeat", "main")),
        # A reminder: the date typed, read back and confirmed, then consent asked explicitly.
        DateEntry(
            name="remind_date",
            prompt="voice.remind.ask",
            then="remind_confirm",
            wrong_dates_then="remind_by_sms",
        ),
        Menu(
            name="remind_confirm",
            title=("voice.remind.you_typed",),
            reads_back=True,
            options=(
                Option("1", "voice.remind.correct", Goto("remind_consent")),
                Option("2", "voice.remind.retype", Back()),
            ),
        ),
        # The title is followed by what the code will do for this date (see Flow.promise).
        Menu(
            name="remind_consent",
            title=("voice.remind.consent",),
            options=(
                Option("1", "voice.consent.agree", Goto("remind_channel")),
                Option("2", "voice.consent.refuse", Goto("remind_refused")),
            ),
            hints=("back",),
        ),
        # How to be reminded: a call suits those who cannot read; a landline gets calls only.
        Menu(
            name="remind_channel",
            title=("voice.remind.channel",),
            options=(
                Option(
                    "1", "voice.remind.by_call", Do("register_by_call", then="remind_done_call")
                ),
                Option(
                    "2",
                    "voice.remind.by_sms",
                    Do("register_by_sms", then="remind_done"),
                    needs_sms=True,
                ),
                Option(
                    "3",
                    "voice.remind.by_both",
                    Do("register_by_both", then="remind_done"),
                    needs_sms=True,
                ),
            ),
            hints=("back",),
        ),
        Message(name=NO_SMS, prompt="voice.remind.no_sms", hints=("back", "main")),
        Message(name="remind_done", prompt="voice.remind.registered", hints=("main",)),
        Message(name="remind_done_call", prompt="voice.remind.registered_call", hints=("main",)),
        Message(name="remind_refused", prompt="voice.remind.refused", hints=("main",)),
        # After the third date that cannot be used: the SMS way to register, sent on request.
        Menu(
            name="remind_by_sms",
            title=("voice.remind.sms_way",),
            options=(Option("1", "voice.remind.sms_way_send", Do("send_remind_help", "sms_sent")),),
            hints=("back", "main"),
        ),
        # A reminder call the hotline placed (reminders.calls), once a person answered: the
        # date said from clips, what to do, then the call goes on like any other.
        *(
            Menu(
                name=f"{REMINDER_CALL}.{kind}",
                title=("voice.reminder_call.hello", f"voice.reminder_call.{kind}"),
                reads_back=True,
                after_title=(f"voice.reminder_call.todo_{kind}",),
                options=(
                    Option("1", "voice.reminder_call.steps", Goto("steps")),
                    Option(
                        "2",
                        "voice.reminder_call.sms",
                        Do("send_reminder_sms", then="reminder_sms_sent"),
                        needs_sms=True,
                    ),
                    Option("3", "voice.reminder_call.stop", Goto("reminder_stop")),
                ),
                hints=("repeat", "main"),
            )
            for kind in ("before", "after")
        ),
        # Twilio could not tell a person from a machine: first the neutral message, which a
        # machine may record; a person presses 1 for the reminder; silence ends the call.
        *(
            Menu(
                name=f"{REMINDER_ASK}.{kind}",
                title=(NEUTRAL_PROMPT,),
                options=(Option("1", "voice.reminder_call.hear", Goto(f"{REMINDER_CALL}.{kind}")),),
                silence=HangUp(),
            )
            for kind in ("before", "after")
        ),
        Message(name="reminder_sms_sent", prompt="voice.sms_steps.sent", hints=("main",)),
        Menu(
            name="reminder_stop",
            title=("voice.reminder_call.stop_confirm",),
            options=(
                Option("1", "voice.consent.agree", Do("stop_reminders", then="reminder_stopped")),
                Option("2", "voice.reminder_call.keep", Back()),
            ),
        ),
        Message(name="reminder_stopped", prompt="voice.reminder_call.stopped", hints=("main",)),
        # The first words of a call from a number that chose a language before, in that
        # language: "For Dari, press 1. For another language, press 2." Nothing else is said
        # before the caller confirms (a caller ID can be spoofed), and silence or any other key
        # leads to the language menu.
        Menu(
            name=LANGUAGE_OFFER,
            title=(),
            options=(
                Option("1", "voice.language.choose", KeepLanguage()),
                Option("2", "voice.language.other", Restart()),
            ),
            otherwise=Restart(),
            timeout=OFFER_TIMEOUT,
        ),
        # Offered, after the language offer, to a caller who calls back within the resume window
        # (RESUME_WINDOW_MINUTES): "continue" returns to where they were; no topic is named.
        Menu(
            name=RESUME_MENU,
            title=("voice.resume.welcome",),
            options=(
                Option("1", "voice.resume.continue", Back()),
                Option("2", "voice.resume.restart", MainMenu()),
            ),
        ),
    )
}

#: Most languages on one level of the language menu (FACTS: voice design); a key for more.
MAX_LANGUAGES_PER_MENU = 8
MORE_LANGUAGES_KEY = "9"


def language_page(number: int) -> str:
    """The node name of the language menu's page ``number`` (1 is the first menu of a call)."""
    return LANGUAGE_MENU if number == 1 else f"{LANGUAGE_MENU}.{number}"


def language_menus(
    codes: list[str] | tuple[str, ...], sms_only: tuple[str, ...] = ()
) -> list[Menu]:
    """The first menu of every call: each language announced in its own language, in the fixed
    order (French on 1), at most 8 to a page, the last key leading to the next page, announced
    in the languages of that page that have a full voice."""
    pages = [
        codes[i : i + MAX_LANGUAGES_PER_MENU] for i in range(0, len(codes), MAX_LANGUAGES_PER_MENU)
    ]
    menus = []
    for number, page in enumerate(pages, start=1):
        options = [
            Option(str(n), "voice.language.choose", ChooseLanguage(code))
            for n, code in enumerate(page, start=1)
        ]
        if number < len(pages):
            # "For other languages, press 9", said in the languages of the next page.
            more = Goto(language_page(number + 1))
            said_in = tuple(code for code in pages[number] if code not in sms_only)
            options.append(Option(MORE_LANGUAGES_KEY, "voice.language.more", more, said_in=said_in))
        menus.append(Menu(name=language_page(number), title=(), options=tuple(options)))
    return menus


#: Where a call may begin other than the language menu: the reminder calls the hotline places.
OUTBOUND_ENTRIES = tuple(
    f"{first}.{kind}" for first in (REMINDER_CALL, REMINDER_ASK) for kind in ("before", "after")
)

#: Nodes worth coming back to on a later call (the topics, not the tasks or their answers).
RESUMABLE = frozenset({"steps", "adp", "blocked"})

MISSES_BEFORE_GOODBYE = 3
#: Dates that cannot be used (impossible, too far) before the SMS way is offered instead.
WRONG_DATES_BEFORE_OFFER = 3
