"""The console's pages under /console: log in, the counts (calls, SMS, reminders), the content's
review status and the review page, the audit log, and CSV exports. Every page needs a logged-in
operator; every POST carries the session's CSRF token (console.csrf)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from redis import Redis

from audio.coverage import COLUMNS, coverage
from audio.library import AudioLibrary
from console import csrf, i18n
from console.charts import bars
from console.parts import ConsoleParts
from console.stats import (
    Table,
    all_tables,
    calls_over_time,
    read_days,
    read_hours,
    shown,
    total,
)
from content.catalog import Content
from content.review import changed_since_review, read_review, review_patch
from hotline.clock import Clock
from hotline.parts import part
from ivr.flow import Flow

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
PERIODS = (1, 7, 30, 90, 400)
PAGES = {
    "calls": (
        "calls_by_hour",
        "calls_by_day",
        "call_length",
        "endings",
        "funnel",
        "left",
        "misses",
    ),
    "sms": ("sms_in", "sms_out", "sms_errors"),
    "reminders": (
        "reminders_now",
        "reminders_registered",
        "reminders_sent",
        "reminders_failed",
        "reminders_erased",
    ),
}
OPEN = ("console.login", "console.static")


def _parts() -> ConsoleParts:
    return part(ConsoleParts)


def _now():
    return part(Clock).now()


@bp.before_request
def guard():
    """CSRF on every POST; a logged-in operator (whose session stamp still holds) on every page."""
    csrf.protect()
    g.lang = i18n.current()
    g.operator = None
    name, stamp = session.get("operator"), session.get("stamp")
    if name:
        operator = _parts().operators.get(name)
        if operator is not None and operator.stamp == stamp:
            g.operator = operator.name
    if g.operator is None and request.endpoint not in OPEN:
        session.pop("operator", None)
        return redirect(url_for("console.login"))
    return None


@bp.after_request
def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.app_context_processor
def helpers():
    lang = getattr(g, "lang", "en")
    return {"t": lambda key: i18n.translate(key, lang), "shown": shown, "csrf_token": csrf.token}


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; throttled per account and per address."""
    error = None
    status = 200
    if request.method == "POST":
        parts = _parts()
        name = request.form.get("username", "").strip().lower()[:64]
        password = request.form.get("password", "")
        address = request.remote_addr or "-"
        if parts.throttle.blocked(name, address):
            error, status = "login_throttled", 429
        elif (operator := parts.operators.verify(name, password[:1024])) is None:
            parts.throttle.failed(name, address)
            error, status = "login_failed", 401
        else:
            parts.throttle.succeeded(name)
            lang = session.get("lang")
            session.clear()  # nothing from before the login is kept (session fixation)
            session.update(operator=operator.name, stamp=operator.stamp, lang=lang)
            session.permanent = True
            csrf.renew()
            parts.audit.record(_now(), operator.name, "login")
            return redirect(url_for("console.calls"))
    return render_template("console/login.html", error=error), status


@bp.post("/logout")
def logout():
    _parts().audit.record(_now(), g.operator, "logout")
    session.clear()
    return redirect(url_for("console.login"))


def _period() -> tuple[int, date, date]:
    days = request.args.get("days", type=int) or 7
    days = days if days in PERIODS else 7
    last = _now().date()
    return days, last - timedelta(days=days - 1), last


def _tables():
    """Every table for the chosen period, and today's calls by hour."""
    days, first, last = _period()
    redis = part(Redis)
    per_day = read_days(redis, first, last)
    periods = [(day.isoformat(), counts) for day, counts in per_day.items()]
    tables = all_tables(total(per_day.values()), periods, redis, _now())
    hours = read_hours(redis, _now().date())
    langs = tables["calls_by_day"].columns[2:]
    tables["calls_by_hour"] = calls_over_time("calls_by_hour", hours, list(langs))
    return days, tables


def _chart(table: Table, label_of, title: str):
    """A bar chart of a table's "calls" column."""
    return bars([label_of(row[0]) for row in table.rows], [row[1] for row in table.rows], title)


@bp.get("/")
def calls():
    """Calls: today by hour, per day by language, length, endings, funnel, misses."""
    days, tables = _tables()
    charts = {
        "calls_by_hour": _chart(
            tables["calls_by_hour"], lambda hour: hour[:2], i18n.translate("calls_today", g.lang)
        ),
        "calls_by_day": _chart(
            tables["calls_by_day"], lambda day: day[5:], i18n.translate("calls_by_day", g.lang)
        ),
    }
    return render_template(
        "console/tables.html",
        page="calls",
        days=days,
        periods=PERIODS,
        charts=charts,
        tables=[tables[name] for name in PAGES["calls"]],
    )


@bp.get("/<any(sms, reminders):page>")
def counts(page: str):
    days, tables = _tables()
    return render_template(
        "console/tables.html",
        page=page,
        days=days,
        periods=PERIODS,
        charts={},
        tables=[tables[name] for name in PAGES[page]],
    )


@bp.get("/export/<name>.csv")
def export(name: str):
    """One table as CSV, cells as on the page (1 to 4 as "<5"); the export is audited."""
    days, tables = _tables()
    if name not in tables:
        abort(404)
    table = tables[name]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    writer.writerows([shown(cell) for cell in row] for row in table.rows)
    _parts().audit.record(_now(), g.operator, "export", f"{name} ({days} days)")
    filename = f"{name}-{_now().date().isoformat()}-{days}d.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _coverage():
    """Per language, how a call plays its prompts now (audio.coverage)."""
    inventory = _parts().inventory
    return coverage(
        inventory.texts(), part(AudioLibrary), _parts().recordings, inventory.known_languages()
    )


@bp.get("/content")
def content():
    """Per language: review status, keys changed since review, voice coverage."""
    content, parts = part(Content), _parts()
    report = _coverage()
    rows = []
    for language in content.languages:
        catalog = content.catalogs[language.code]
        review = read_review(parts.catalogs_dir / f"{language.code}.toml")
        changed = (
            len(changed_since_review(content, language.code, review))
            if catalog.status != "source"
            else 0
        )
        cover = report.get(language.code)
        rows.append((language, catalog.status, review, changed, cover))
    return render_template(
        "console/content.html",
        page="content",
        rows=rows,
        offered=part(Flow).languages,
        columns=COLUMNS,
    )


@bp.get("/content/<lang>")
def review(lang: str):
    """Side by side: the French source, the language's text, its audio, the reviewer notes."""
    content, parts = part(Content), _parts()
    if not content.has_language(lang):
        abort(404)
    content = content
    catalog = content.catalogs[lang]
    changed = set(
        changed_since_review(content, lang, read_review(parts.catalogs_dir / f"{lang}.toml"))
    )
    spoken: dict[str, str] = {}  # key -> its first spoken form's text, to play its audio
    for prompt in parts.inventory.prompts([lang]):
        spoken.setdefault(prompt.key, prompt.text)
    rows = []
    for key in sorted(content.catalogs["fr"].texts):
        text = catalog.texts.get(key, "")
        audio = part(AudioLibrary).url(lang, spoken[key]) if key in spoken else None
        rows.append((key, content.raw(key, "fr"), text, audio, key in changed))
    return render_template(
        "console/review.html",
        page="content",
        language=content.language(lang),
        catalog=catalog,
        rows=rows,
        proposed=request.args.get("proposed"),
    )


@bp.post("/content/<lang>/reviewed")
def mark_reviewed(lang: str):
    """Write a patch that marks the catalog reviewed (reviewer, date, fingerprints): a change
    for a person to read and commit, never a silent rewrite of the catalog."""
    content, parts = part(Content), _parts()
    if not content.has_language(lang) or lang == "fr":
        abort(404)
    reviewer = " ".join(request.form.get("reviewer", "").split())[:80] or g.operator
    today = _now().date()
    patch = review_patch(content, lang, reviewer, today, parts.catalogs_dir)
    parts.review_dir.mkdir(parents=True, exist_ok=True)
    target = parts.review_dir / f"{lang}-reviewed-{today.isoformat()}.patch"
    target.write_text(patch, encoding="utf-8")
    parts.audit.record(_now(), g.operator, "mark reviewed", f"{lang} by {reviewer}: {target}")
    return redirect(url_for("console.review", lang=lang, proposed=str(target)))


@bp.get("/audit")
def audit():
    return render_template("console/audit.html", page="audit", actions=_parts().audit.latest())
