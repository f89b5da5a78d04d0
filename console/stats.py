"""The console's tables, read from the hour and day buckets (insights.tally): aggregate counts
only. Each table is rows of labels and numbers, rendered as HTML and exported as CSV alike; a
number from 1 to 4 is shown "<5" in both (``shown``), so no small group can be singled out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from redis import Redis

from hotline import keys
from hotline.clock import PARIS
from insights.events import LENGTH_BUCKETS, LONGER, Event
from insights.tally import day_bucket, hour_bucket
from ivr.funnel import ENDINGS, FUNNEL

SMALL = 5


def shown(value: object) -> str:
    """A cell as operators see it: counts from 1 to 4 as "<5"."""
    if isinstance(value, int) and 0 < value < SMALL:
        return f"<{SMALL}"
    return str(value)


@dataclass(frozen=True)
class Table:
    name: str  # its label key and its CSV file name
    columns: tuple[str, ...]  # the first names the rows; the rest are label keys or codes
    rows: tuple[tuple[object, ...], ...]


Counts = Counter  # Event -> count


def _parse(raw: dict[bytes, bytes]) -> Counts:
    counts: Counts = Counter()
    for field, value in raw.items():
        e = Event.parse(field.decode())
        if e is not None:
            counts[e] += int(value)
    return counts


def read_days(redis: Redis, first: date, last: date) -> dict[date, Counts]:
    """Counts per Paris day, from ``first`` to ``last`` included."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    with redis.pipeline(transaction=False) as pipe:
        for day in days:
            pipe.hgetall(day_bucket(datetime.combine(day, time(12), PARIS)))
        return {day: _parse(raw) for day, raw in zip(days, pipe.execute(), strict=True)}


def paris_hours(day: date) -> list[datetime]:
    """The hours of a Paris day (23, 24 or 25), as UTC instants."""
    start = datetime.combine(day, time(0), PARIS).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), PARIS).astimezone(UTC)
    return [start + timedelta(hours=n) for n in range(int((end - start).total_seconds() // 3600))]


def read_hours(redis: Redis, day: date) -> list[tuple[str, Counts]]:
    """Counts per hour of a Paris day, labelled with the Paris hour ("14:00")."""
    hours = paris_hours(day)
    with redis.pipeline(transaction=False) as pipe:
        for hour in hours:
            pipe.hgetall(hour_bucket(hour))
        raws = pipe.execute()
    return [
        (f"{h.astimezone(PARIS):%H}:00", _parse(raw)) for h, raw in zip(hours, raws, strict=True)
    ]


def total(counts: Iterable[Counts]) -> Counts:
    out: Counts = Counter()
    for c in counts:
        out.update(c)
    return out


def by(counts: Counts, name: str, index: int = 0) -> Counter[str]:
    """The counts of one event, by one of its labels."""
    out: Counter[str] = Counter()
    for e, n in counts.items():
        if e.name == name:
            out[e.labels[index] if e.labels else ""] += n
    return out


def languages(counts: Counts) -> list[str]:
    return sorted(by(counts, "call_ended"))


# --- the tables -------------------------------------------------------------------------------


def calls_over_time(name: str, periods: list[tuple[str, Counts]], langs: list[str]) -> Table:
    """Calls per period: started, and ended by language."""
    rows = []
    for label, counts in periods:
        ended = by(counts, "call_ended")
        rows.append((label, by(counts, "call_started")[""], *(ended[lang] for lang in langs)))
    return Table(name, ("period", "calls", *langs), tuple(rows))


def percentile(lengths: Counter[str], fraction: float) -> str | None:
    """The bucket bound under which ``fraction`` of the calls ended ("≤ 60 s"), or None."""
    count = sum(lengths.values())
    if count < SMALL:
        return None
    seen = 0
    for bound in (*map(str, LENGTH_BUCKETS), LONGER):
        seen += lengths[bound]
        if seen >= fraction * count:
            return f"> {LENGTH_BUCKETS[-1]} s" if bound == LONGER else f"≤ {bound} s"
    return None


def call_lengths(counts: Counts) -> Table:
    lengths = by(counts, "call_length")
    return Table(
        "call_length",
        ("measure", "value"),
        (
            ("median", percentile(lengths, 0.5) or "-"),
            ("p90", percentile(lengths, 0.9) or "-"),
            ("calls", sum(lengths.values())),
        ),
    )


def endings(counts: Counts) -> Table:
    how = by(counts, "call_ended", 1)
    return Table("endings", ("how", "calls"), tuple((h, how[h]) for h in ENDINGS))


def funnel(counts: Counts) -> Table:
    """Calls that reached each place of the funnel, and the share of calls started."""
    reached = by(counts, "call_reached")
    started = by(counts, "call_started")[""]
    rows = []
    for stage in FUNNEL:
        for place in stage.places:
            share = f"{100 * reached[place] / started:.0f} %" if started >= SMALL else "-"
            rows.append((stage.name, place, reached[place], share))
    return Table("funnel", ("stage", "place", "calls", "share"), tuple(rows))


def left(counts: Counts) -> Table:
    where = by(counts, "call_left")
    return Table("left", ("place", "calls"), tuple(where.most_common()))


def misses(counts: Counts, top: int = 10) -> Table:
    """The places where silence and wrong keys happen most: the prompts to rewrite first."""
    silence: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    for e, n in counts.items():
        if e.name == "call_missed":
            (silence if e.labels[1] == "silence" else wrong)[e.labels[0]] += n
    both = silence + wrong
    rows = tuple((p, silence[p], wrong[p], n) for p, n in both.most_common(top))
    return Table("misses", ("place", "silence", "wrong", "total"), rows)


def two_way(name: str, counts: Counts, event_name: str, columns: tuple[str, str]) -> Table:
    """One event's counts as a table of its first label by its second."""
    cells: Counter[tuple[str, str]] = Counter()
    for e, n in counts.items():
        if e.name == event_name:
            cells[(e.labels[0], e.labels[1])] += n
    firsts = sorted({a for a, _ in cells})
    seconds = sorted({b for _, b in cells})
    rows = tuple(
        (a, *(cells[(a, b)] for b in seconds), sum(cells[(a, b)] for b in seconds)) for a in firsts
    )
    return Table(name, (columns[0], *seconds, "total"), rows)


def one_way(name: str, counts: Counts, event_name: str, column: str, index: int = 0) -> Table:
    values = by(counts, event_name, index)
    return Table(name, (column, "count"), tuple(sorted(values.items())))


def sms_errors(counts: Counts) -> Table:
    cells: Counter[tuple[str, str]] = Counter()
    for e, n in counts.items():
        if e.name == "sms_failed":
            cells[(e.labels[0], e.labels[1])] += n
    rows = tuple((code, reason, n) for (code, reason), n in sorted(cells.items()))
    return Table("sms_errors", ("code", "reason", "count"), rows)


def reminders_now(redis: Redis, now: datetime) -> Table:
    """Registrations kept now, and those needing attention in the next 7 and 30 days."""
    moment = now.timestamp()
    with redis.pipeline(transaction=False) as pipe:
        pipe.zcard(keys.REMINDERS_DUE)
        pipe.zcount(keys.REMINDERS_DUE, "-inf", moment + 7 * 86400)
        pipe.zcount(keys.REMINDERS_DUE, "-inf", moment + 30 * 86400)
        registered, week, month = pipe.execute()
    return Table(
        "reminders_now",
        ("measure", "count"),
        (("registered_now", registered), ("due_7_days", week), ("due_30_days", month)),
    )


def all_tables(
    counts: Counts, periods: list[tuple[str, Counts]], redis: Redis, now: datetime
) -> dict[str, Table]:
    """Every table of the console for a period's counts (``periods``: its days)."""
    langs = languages(counts)
    tables = [
        calls_over_time("calls_by_day", periods, langs),
        call_lengths(counts),
        endings(counts),
        funnel(counts),
        left(counts),
        misses(counts),
        two_way("sms_in", counts, "sms_received", ("keyword", "")),
        two_way("sms_out", counts, "sms_outbound", ("purpose", "")),
        sms_errors(counts),
        two_way("reminders_registered", counts, "reminder_registered", ("channel", "")),
        one_way("reminders_sent", counts, "reminder_sent", "channel"),
        one_way("reminders_failed", counts, "reminder_failed", "reason"),
        one_way("reminders_erased", counts, "reminder_erased", "reason"),
        reminders_now(redis, now),
    ]
    return {t.name: t for t in tables}
