"""Every text the voice line can say, as ``SpokenText``: what the build renders and a person
may record.

A prompt is a catalog key with its runtime values (``voice.nav.next`` with key=1), said in one
language; its text is what ``Speaker.text`` makes of it, prefecture values filled in. The text is
what audio is looked up by, so a changed catalog text, or another prefecture, needs new audio.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ivr.flow import SMS_ONLY_PROMPT, Flow, Prompt
from ivr.menu import MAX_LANGUAGES_PER_MENU, MORE_LANGUAGES_KEY
from ivr.reachability import reachable_prompts
from ivr.speech import FRAGMENT_KEYS, Speaker

#: How a parameter value is written in a file name (keys * and # are not file-name friendly).
_VALUE_NAMES = {"*": "star", "#": "hash"}


@dataclass(frozen=True, order=True)
class SpokenText:
    """One thing to say: the language, the catalog key and values it comes from, its words."""

    lang: str
    key: str
    params: tuple[tuple[str, str], ...]
    text: str

    @property
    def stem(self) -> str:
        """The prompt's name in file names and scripts: ``voice.nav.next__key-1``."""
        return self.key + "".join(f"__{name}-{_value_name(value)}" for name, value in self.params)


def _value_name(value: str) -> str:
    return _VALUE_NAMES.get(value) or re.sub(r"[^0-9A-Za-z]", "_", value)


def standalone_keys(extra_keys: Iterable[str]) -> tuple[str, ...]:
    """Of the keys said outside the menu flow, those said on their own (not inside a text)."""
    return tuple(key for key in extra_keys if key not in FRAGMENT_KEYS)


def language_menu_prompts(languages: Sequence[str]) -> set[Prompt]:
    """The language menu's "For English, press N" for every N the language may get,
    "for more languages" for when the menu needs a second page, and the message of a language
    offered SMS-by-voice.

    A language missing audio is left off the menu and the ones after it move up a key, so each
    language's announcement is rendered for every position from 1 to its own (at most 8, the
    keys of one page).
    """
    announcements = {
        Prompt("voice.language.choose", lang, (("key", str(position)),))
        for index, lang in enumerate(languages)
        for position in range(1, min(index + 1, MAX_LANGUAGES_PER_MENU) + 1)
    }
    # "More languages" is said in the languages of the next page, whichever they turn out to be;
    # a language with no full voice says "we are sending you the help by SMS".
    more = {
        Prompt("voice.language.more", lang, (("key", MORE_LANGUAGES_KEY),)) for lang in languages
    }
    by_sms = {Prompt(SMS_ONLY_PROMPT, lang) for lang in languages}
    return announcements | more | by_sms


def call_prompts(flow: Flow, extra_keys: Iterable[str]) -> set[Prompt]:
    """Every prompt a call on this flow can hear, in any of its languages."""
    standalone = standalone_keys(extra_keys)
    return reachable_prompts(flow) | {
        Prompt(k, lang) for k in standalone for lang in flow.languages
    }


def voice_prompts(flow: Flow, extra_keys: Iterable[str]) -> set[Prompt]:
    """What to render for this flow: its prompts, and the language menu for any subset of it."""
    return call_prompts(flow, extra_keys) | language_menu_prompts(flow.languages)


def prompt_texts(
    speaker: Speaker, languages: Sequence[str], extra_keys: Iterable[str]
) -> list[SpokenText]:
    """The voice prompts of these languages (a flow offering all of them), with their words."""
    if not languages:
        return []
    prompts = voice_prompts(Flow(languages), extra_keys)
    return sorted(SpokenText(p.lang, p.key, p.params, speaker.text(p)) for p in prompts)
