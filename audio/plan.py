"""What a language still needs recorded, in the order the recording line asks for it.

Every text the language says (audio.inventory), each in one of four states: approved (a person's
recording of its current text, made from the current French), pending (recorded on the line,
waiting for review), outdated (a recording exists, but its text or the French it translates has
changed since), missing. The language-menu entry and the "help by SMS" prompt come first (with
them a language can be offered SMS-by-voice before the rest is recorded), then the date clips.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from audio.inventory import Inventory
from audio.pending import PendingRecordings, source_hash
from audio.prompts import SpokenText
from audio.recordings import RecordingStore
from content.catalog import SOURCE_LANGUAGE
from ivr.flow import Prompt

APPROVED, PENDING, OUTDATED, MISSING = "approved", "pending", "outdated", "missing"
STATES = (APPROVED, PENDING, OUTDATED, MISSING)
#: Recorded first, in this order (key prefixes): the language-menu entry and "we send you the help
#: by SMS" (with these two a language can be offered SMS-by-voice), then the date clips.
FIRST = ("voice.language.choose", "voice.sms_only.", "date.", "number.")
MENU_ENTRY = "voice.language.choose"
MENU_ENTRY_MEANING = "voice.studio.menu_entry"


def _rank(spoken: SpokenText) -> int:
    return next((i for i, p in enumerate(FIRST) if spoken.key.startswith(p)), len(FIRST))


@dataclass(frozen=True)
class PlannedText:
    spoken: SpokenText
    french: str  # what the volunteer hears: the same prompt in French

    @property
    def source(self) -> str:
        return source_hash(self.french)


class RecordingPlan:
    def __init__(
        self, inventory: Inventory, recordings: RecordingStore, pending: PendingRecordings
    ):
        self.inventory = inventory
        self.recordings = recordings
        self.pending = pending

    @functools.cache  # noqa: B019 - one plan per process; the catalogs do not change under it
    def texts(self, lang: str) -> tuple[PlannedText, ...]:
        """Every text of the language, first things first, each with its French."""
        french = {s.stem: s.text for s in self.inventory.texts([SOURCE_LANGUAGE])}
        ordered = sorted(self.inventory.texts([lang]), key=_rank)
        return tuple(PlannedText(s, self._french(s, french)) for s in ordered)

    def _french(self, spoken: SpokenText, french: dict[str, str]) -> str:
        """The French a volunteer translates: the same prompt, except the language-menu entry,
        whose French says "for French" (it is said "for your language, press N")."""
        if spoken.key == MENU_ENTRY:
            entry = Prompt(MENU_ENTRY_MEANING, SOURCE_LANGUAGE, spoken.params)
            return self.inventory.speaker.text(entry)
        return french.get(spoken.stem, spoken.text)

    def find(self, lang: str, stem: str) -> PlannedText | None:
        return next((t for t in self.texts(lang) if t.spoken.stem == stem), None)

    def state(self, planned: PlannedText, pending_sources: dict[str, tuple[str, str]]) -> str:
        spoken = planned.spoken
        if pending_sources.get(spoken.stem) == (spoken.text, planned.source):
            return PENDING
        found = self.recordings.find(spoken)
        if found is None:
            return MISSING
        source = self.recordings.credits(found).get("source")
        if found.text not in (None, spoken.text) or source not in (None, planned.source):
            return OUTDATED
        return APPROVED

    def states(self, lang: str) -> list[tuple[PlannedText, str]]:
        pending = {p.stem: (p.text, p.source) for p in self.pending.waiting(lang)}
        return [(t, self.state(t, pending)) for t in self.texts(lang)]

    def counts(self, lang: str) -> Counter[str]:
        return Counter(state for _, state in self.states(lang))

    def to_record(self, lang: str, done: Sequence[str] | set[str] = ()) -> list[PlannedText]:
        """Missing or outdated texts not yet dealt with by this code, in the order to ask."""
        done = set(done)
        return [
            t
            for t, state in self.states(lang)
            if state in (MISSING, OUTDATED) and t.spoken.stem not in done
        ]
