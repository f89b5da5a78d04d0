"""How long each voice prompt takes to hear, and how long each menu takes as heard in full.

A caller who reads little follows a call by ear: a prompt longer than about 20 seconds, or a menu
longer than about 25, is forgotten before its key is pressed. A duration is the built audio file's
own (the audio manifest records it) when there is one, else the words counted at 150 a minute.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

WORDS_PER_MINUTE = 150
#: Targets (French, the source every translation follows) and the limit that fails the check.
PROMPT_TARGET = 20.0
MENU_TARGET = 25.0
FAIL_ABOVE = 30.0

#: The seconds a built file lasts for this (language, text), or None when none is built.
Measure = Callable[[str, str], float | None]


def words_seconds(text: str) -> float:
    """Seconds to say ``text`` at 150 words a minute (a lone ":" or "-" is not a word)."""
    words = [w for w in text.split() if any(c.isalnum() for c in w)]
    return len(words) * 60.0 / WORDS_PER_MINUTE


def seconds(lang: str, text: str, measure: Measure | None = None) -> float:
    measured = measure(lang, text) if measure else None
    return measured if measured else words_seconds(text)


@dataclass(frozen=True)
class SpokenTexts:
    """What the voice line can say, for the check: ``collect()`` gives (every prompt, every menu
    as first heard), walked from the call flow by the web app's wiring; ``measure`` gives a built
    file's duration."""

    collect: Callable[[], tuple[list[Heard], list[Heard]]]
    measure: Measure | None = None


@dataclass(frozen=True)
class Heard:
    """One thing heard at once: a prompt, or a menu's prompts one after the other."""

    lang: str
    name: str  # a catalog key, or a menu's node name
    texts: tuple[str, ...]

    def seconds(self, measure: Measure | None = None) -> float:
        return sum(seconds(self.lang, text, measure) for text in self.texts)


@dataclass(frozen=True)
class Longest:
    lang: str
    prompt: str
    prompt_seconds: float
    menu: str
    menu_seconds: float
    main_seconds: float


def longest_by_language(
    prompts: Iterable[Heard],
    menus: Iterable[Heard],
    measure: Measure | None = None,
    main_menu: str = "main",
) -> dict[str, Longest]:
    """Per language: the longest prompt, the longest menu as heard, and the main menu."""
    best_prompt: dict[str, tuple[float, str]] = {}
    best_menu: dict[str, tuple[float, str]] = {}
    main: dict[str, float] = {}
    for heard in prompts:
        length = heard.seconds(measure)
        best_prompt[heard.lang] = max(best_prompt.get(heard.lang, (0.0, "")), (length, heard.name))
    for heard in menus:
        length = heard.seconds(measure)
        best_menu[heard.lang] = max(best_menu.get(heard.lang, (0.0, "")), (length, heard.name))
        if heard.name == main_menu:
            main[heard.lang] = max(main.get(heard.lang, 0.0), length)
    return {
        lang: Longest(
            lang,
            best_prompt[lang][1],
            best_prompt[lang][0],
            *best_menu.get(lang, (0.0, ""))[::-1],
            main.get(lang, 0.0),
        )
        for lang in best_prompt
    }


def length_problems(
    table: Mapping[str, Longest], source: str = "fr"
) -> tuple[list[str], list[str]]:
    """(failures, warnings): anything above 30 s fails; the source language above its targets
    is a warning (the targets a native review of each translation then aims at)."""
    failures, warnings = [], []
    for lang, row in table.items():
        said = [(f"{row.prompt}", row.prompt_seconds, PROMPT_TARGET)]
        said.append((f"menu {row.menu}", row.menu_seconds, MENU_TARGET))
        for what, length, target in said:
            if length > FAIL_ABOVE:
                failures.append(f"{lang}: {what} lasts {length:.0f} s (> {FAIL_ABOVE:.0f} s)")
            elif lang == source and length > target:
                warnings.append(f"{lang}: {what} lasts {length:.0f} s (target {target:.0f} s)")
    return failures, warnings


def table_lines(table: Mapping[str, Longest], order: Sequence[str] = ()) -> list[str]:
    """One line per language, in ``order`` (the menu's), then the others."""
    rank = {lang: i for i, lang in enumerate(order)}
    rows = sorted(table.values(), key=lambda row: (rank.get(row.lang, len(rank)), row.lang))
    lines = [
        f"{'lang':<5} {'longest prompt':<28} {'s':>5}  {'longest menu':<16} {'s':>5}  {'main':>5}"
    ]
    for row in rows:
        lines.append(
            f"{row.lang:<5} {row.prompt:<28} {row.prompt_seconds:>5.1f}  {row.menu:<16} "
            f"{row.menu_seconds:>5.1f}  {row.main_seconds:>5.1f}"
        )
    return lines
