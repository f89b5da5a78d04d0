"""The hotline's settings: read once from the environment, checked, and kept in one typed object.

Every name here is documented in README.md and .env.example. A wrong or missing value stops the
process at start with one line per problem, so an operator deploying at 2 am sees what to fix
instead of a stack trace on the first call.
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import phonenumbers

from hotline.call_policy import DEFAULT_CALL_POLICY, CallPolicy
from hotline.reminder_policy import DEFAULT_POLICY, Policy
from hotline.twilio_fields import ACCOUNT_SID

#: Where `flask audio import` files recordings and the recording line leaves them for review.
RECORDINGS_DIR = Path(__file__).resolve().parent.parent / "audio" / "recordings"
#: The token `make run` and the simulator sign with when no Twilio account is configured.
#: It is public on purpose: development mode is refused unless explicitly asked for.
DEV_AUTH_TOKEN = "dev-auth-token-not-secret"
DEV_SECRET_KEY = "dev-secret-key-not-secret-0123456789"

MODES = ("production", "development")
MIN_SECRET_KEY_LENGTH = 32
#: Outbound SMS per second across every worker, unless SMS_RATE_PER_SECOND says otherwise.
DEFAULT_SMS_RATE = 1.0
MAX_SMS_RATE = 1000.0
#: /metrics refuses a shorter METRICS_TOKEN: it guards the scrape like a password.
MIN_METRICS_TOKEN_LENGTH = 16

#: Outbound calls per second across every worker: Twilio's default per account is 1.
DEFAULT_CALLS_PER_SECOND = 1.0
MAX_CALLS_PER_SECOND = 100.0
#: A worker heartbeats every 20 s (rq --worker-ttl 35), the clock every 10 s: 60 s is 3 missed.
DEFAULT_LATE_SECONDS = 60
#: Where SMS may go (hotline/sms_destinations.py): France and its overseas departments and
#: collectivities on the French numbering plan (NC, PF and WF are left out: add them if needed).
DEFAULT_SMS_COUNTRIES = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF")
#: Sendings of each kind per number and Paris day (hotline/sms_limits.py).
DEFAULT_SMS_LIMITS = (
    ("steps", 2),  # the steps (2 SMS), by keypad or ETAPES
    ("confirmation", 3),  # "noted: your ADP ends on ...": once, plus a correction or a return
    ("expired", 2),  # the guidance for a date already past
    ("reply", 5),  # help, language, start, a date not understood...
    ("stop", 2),  # the STOP confirmation (the erasure itself always happens)
)
#: How long after a call the same number is offered to continue where it stopped. A caller ID can
#: be spoofed: the shorter, the less a stranger calling "from" that number can stumble on.
DEFAULT_RESUME_WINDOW_MINUTES = 120
MAX_RESUME_WINDOW_MINUTES = 24 * 60


class SettingsError(ValueError):
    """One or more settings are wrong; `problems` lists them in words an operator can act on."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(f" - {p}" for p in problems))


@dataclass(frozen=True)
class Settings:
    mode: str = "production"
    redis_url: str = "redis://localhost:6379/0"
    redis_ca_file: Path | None = None  # the CA of a rediss:// server's certificate (PEM)
    twilio_account_sid: str | None = None
    twilio_auth_token: str = DEV_AUTH_TOKEN
    twilio_from: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_api_base_url: str = "https://api.twilio.com"
    public_base_url: str | None = None
    secret_key: str = DEV_SECRET_KEY
    #: The key being replaced, only while `flask secrets rotate` re-seals (docs/deploy.md).
    previous_secret_key: str | None = None
    prefecture: str = "val-de-marne"
    audio_dir: Path = Path("audio/build")
    #: Recordings made by people (audio/recordings.py), and those waiting for review.
    recordings_dir: Path = RECORDINGS_DIR
    reminder_policy: Policy = DEFAULT_POLICY
    sms_rate_per_second: float = DEFAULT_SMS_RATE
    #: The caller ID of reminder calls (a number people can call back); TWILIO_FROM when unset.
    twilio_voice_from: str | None = None
    calls_per_second: float = DEFAULT_CALLS_PER_SECOND
    call_policy: CallPolicy = DEFAULT_CALL_POLICY

    @property
    def call_from(self) -> str | None:
        """The number reminder calls come from (and the one a voicemail asks to call back)."""
        return self.twilio_voice_from or self.twilio_from

    #: /healthz answers 503 when the worker's or the clock's last heartbeat is older than this.
    worker_late_seconds: int = DEFAULT_LATE_SECONDS
    clock_late_seconds: int = DEFAULT_LATE_SECONDS
    sms_allowed_countries: tuple[str, ...] = DEFAULT_SMS_COUNTRIES
    sms_daily_limits: tuple[tuple[str, int], ...] = DEFAULT_SMS_LIMITS
    resume_window_minutes: int = DEFAULT_RESUME_WINDOW_MINUTES
    metrics_token: str | None = None  # unset: /metrics refuses every request
    review_dir: Path = Path("var/reviews")  # where "mark reviewed" writes its catalog patches

    @property
    def development(self) -> bool:
        return self.mode == "development"

    @property
    def sends_real_sms(self) -> bool:
        """True when outbound SMS go to a Twilio-compatible API rather than the local outbox."""
        return bool(self.twilio_account_sid and self.twilio_auth_token != DEV_AUTH_TOKEN)

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        prefectures: Collection[str] | None = None,
    ) -> Settings:
        """Build settings from environment variables; raise SettingsError listing every problem.

        ``prefectures`` are the profiles the content has (``wiring.settings`` passes them: the
        core does not read content); PREFECTURE must be one of them when given."""
        env = {k: v.strip() for k, v in (os.environ if environ is None else environ).items()}

        def get(name: str) -> str | None:
            return env.get(name) or None

        problems: list[str] = []
        mode = get("HOTLINE_MODE") or "production"
        if mode not in MODES:
            problems.append(f"HOTLINE_MODE must be one of {', '.join(MODES)}, not {mode!r}")
        dev = mode == "development"

        redis_url = get("REDIS_URL")
        if redis_url is None and not dev:
            problems.append("REDIS_URL is required (for example redis://localhost:6379/0)")
        elif redis_url and urlsplit(redis_url).scheme not in ("redis", "rediss", "unix"):
            problems.append("REDIS_URL must start with redis://, rediss:// or unix://")

        ca_file = get("REDIS_CA_FILE")
        if ca_file and not (redis_url or "").startswith("rediss://"):
            problems.append("REDIS_CA_FILE is only used with a rediss:// REDIS_URL (TLS)")
        elif ca_file and not Path(ca_file).is_file():
            problems.append(f"REDIS_CA_FILE {ca_file!r} is not a readable file (a PEM certificate)")

        token = get("TWILIO_AUTH_TOKEN")
        if token is None and not dev:
            problems.append(
                "TWILIO_AUTH_TOKEN is required: it validates every webhook's signature "
                "(set HOTLINE_MODE=development to try the hotline locally without Twilio)"
            )
        sid = get("TWILIO_ACCOUNT_SID")
        if sid and not ACCOUNT_SID.fullmatch(sid):
            problems.append(
                "TWILIO_ACCOUNT_SID must start with AC, followed by 32 hexadecimal characters"
            )
        if sid and not (get("TWILIO_FROM") or get("TWILIO_MESSAGING_SERVICE_SID")):
            problems.append(
                "TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is required with TWILIO_ACCOUNT_SID: "
                "outbound SMS need a sender"
            )

        secret = get("HOTLINE_SECRET_KEY")
        if secret is None and not dev:
            problems.append(
                "HOTLINE_SECRET_KEY is required: it encrypts stored phone numbers "
                "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        elif secret and len(secret) < MIN_SECRET_KEY_LENGTH:
            problems.append(
                f"HOTLINE_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters"
            )

        previous = get("HOTLINE_SECRET_KEY_PREVIOUS")
        if previous and (len(previous) < MIN_SECRET_KEY_LENGTH or previous == secret):
            problems.append(
                "HOTLINE_SECRET_KEY_PREVIOUS must be the replaced key (at least "
                f"{MIN_SECRET_KEY_LENGTH} characters, not HOTLINE_SECRET_KEY itself)"
            )
        problems += _public_values_refused(sid, token, secret, dev)

        api_base = get("TWILIO_API_BASE_URL") or "https://api.twilio.com"
        problems += _check_origin("TWILIO_API_BASE_URL", api_base)
        public_base = get("PUBLIC_BASE_URL")
        if public_base:
            problems += _check_origin("PUBLIC_BASE_URL", public_base)
            public_base = public_base.rstrip("/")

        policy = DEFAULT_POLICY
        try:
            offsets = get("REMINDER_DAYS")
            retention = get("REMINDER_RETENTION_DAYS")
            policy = Policy(
                offsets=_offsets(offsets) if offsets else DEFAULT_POLICY.offsets,
                retention_days=int(retention) if retention else DEFAULT_POLICY.retention_days,
            )
        except ValueError as error:
            problems.append(
                "REMINDER_DAYS must be days relative to the ADP's expiry, e.g. -30,-14,-7,1, and "
                f"REMINDER_RETENTION_DAYS a whole number of days ({error})"
            )

        prefecture = get("PREFECTURE") or "val-de-marne"
        if prefectures is not None and prefecture not in prefectures:
            known = ", ".join(sorted(prefectures))
            problems.append(f"PREFECTURE {prefecture!r} has no profile; known: {known}")

        sms_rate = _parse_rate(get("SMS_RATE_PER_SECOND"), problems)
        calls_rate = _parse_rate(
            get("CALLS_PER_SECOND"),
            problems,
            name="CALLS_PER_SECOND",
            default=DEFAULT_CALLS_PER_SECOND,
            most=MAX_CALLS_PER_SECOND,
            what="calls",
        )
        call_policy = DEFAULT_CALL_POLICY
        try:
            call_policy = CallPolicy(
                retries=int(get("REMINDER_CALL_RETRIES") or DEFAULT_CALL_POLICY.retries),
                retry_minutes=int(
                    get("REMINDER_CALL_RETRY_MINUTES") or DEFAULT_CALL_POLICY.retry_minutes
                ),
                sunday=_flag(get("REMINDER_CALL_SUNDAY")),
            )
        except ValueError as error:
            problems.append(
                "REMINDER_CALL_RETRIES must be a whole number from 0 to 5, "
                "REMINDER_CALL_RETRY_MINUTES a whole number of minutes, and REMINDER_CALL_SUNDAY "
                f"true or false ({error})"
            )
        worker_late = _parse_seconds("HEALTH_WORKER_LATE_SECONDS", get, problems)
        clock_late = _parse_seconds("HEALTH_CLOCK_LATE_SECONDS", get, problems)
        countries = _parse_countries(get("SMS_ALLOWED_COUNTRIES"), problems)
        limits = _parse_limits(get("SMS_DAILY_LIMITS"), problems)
        resume_window = _parse_resume_window(get("RESUME_WINDOW_MINUTES"), problems)
        metrics_token = get("METRICS_TOKEN")
        if metrics_token and len(metrics_token) < MIN_METRICS_TOKEN_LENGTH:
            problems.append(
                f"METRICS_TOKEN must be at least {MIN_METRICS_TOKEN_LENGTH} characters "
                "(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )

        if problems:
            raise SettingsError(problems)
        return cls(
            mode=mode,
            redis_url=redis_url or "redis://localhost:6379/0",
            redis_ca_file=Path(ca_file) if ca_file else None,
            twilio_account_sid=sid,
            twilio_auth_token=token or DEV_AUTH_TOKEN,
            twilio_from=get("TWILIO_FROM"),
            twilio_messaging_service_sid=get("TWILIO_MESSAGING_SERVICE_SID"),
            twilio_api_base_url=api_base.rstrip("/"),
            public_base_url=public_base,
            secret_key=secret or DEV_SECRET_KEY,
            previous_secret_key=previous,
            prefecture=prefecture,
            audio_dir=Path(get("AUDIO_DIR") or "audio/build"),
            recordings_dir=Path(get("RECORDINGS_DIR") or RECORDINGS_DIR),
            reminder_policy=policy,
            sms_rate_per_second=sms_rate,
            twilio_voice_from=get("TWILIO_VOICE_FROM"),
            calls_per_second=calls_rate,
            call_policy=call_policy,
            worker_late_seconds=worker_late,
            clock_late_seconds=clock_late,
            sms_allowed_countries=countries,
            sms_daily_limits=limits,
            resume_window_minutes=resume_window,
            metrics_token=metrics_token,
            review_dir=Path(get("CONSOLE_REVIEW_DIR") or "var/reviews"),
        )


def _public_values_refused(
    sid: str | None, token: str | None, secret: str | None, dev: bool
) -> list[str]:
    """The development token and secret are public (they are in this repository): with a
    Twilio account (real numbers, real SMS) or in production, anyone could sign webhooks with
    the token, or open the stored numbers with the secret."""
    if not (sid or not dev):
        return []
    why = "with TWILIO_ACCOUNT_SID set" if sid else "in production"
    problems = []
    if (token or DEV_AUTH_TOKEN) == DEV_AUTH_TOKEN and (sid or token):
        problems.append(
            f"TWILIO_AUTH_TOKEN is the public development token: {why}, set your account's token"
        )
    if (secret or DEV_SECRET_KEY) == DEV_SECRET_KEY and (sid or secret):
        problems.append(
            f"HOTLINE_SECRET_KEY is the public development secret: {why}, set a secret of your "
            "own (python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    return problems


def _offsets(text: str) -> tuple[int, ...]:
    """ "-30, -14, -7, 1" → (-30, -14, -7, 1)."""
    return tuple(int(part) for part in text.replace(" ", "").split(",") if part)


def _parse_rate(
    raw: str | None,
    problems: list[str],
    *,
    name: str = "SMS_RATE_PER_SECOND",
    default: float = DEFAULT_SMS_RATE,
    most: float = MAX_SMS_RATE,
    what: str = "messages",
) -> float:
    """A number of sends per second, above 0 (fractions allowed)."""
    if raw is None:
        return default
    try:
        rate = float(raw)
    except ValueError:
        rate = math.nan
    if not (0 < rate <= most):
        problems.append(
            f"{name} must be a number of {what} per second above 0 and at most "
            f"{most:g} (for example 1 or 0.5), not {raw!r}"
        )
        return default
    return rate


def _flag(raw: str | None) -> bool:
    if raw is None or raw.lower() in ("0", "false", "no", "off"):
        return False
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    raise ValueError(f"not true or false: {raw!r}")


def _parse_seconds(name: str, get, problems: list[str]) -> int:
    """A whole number of seconds above 0 (a health threshold)."""
    raw = get(name)
    if raw is None:
        return DEFAULT_LATE_SECONDS
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    problems.append(f"{name} must be a whole number of seconds above 0, not {raw!r}")
    return DEFAULT_LATE_SECONDS


def _parse_countries(raw: str | None, problems: list[str]) -> tuple[str, ...]:
    """SMS_ALLOWED_COUNTRIES: ISO region codes, "FR,GP,MQ"."""
    if raw is None:
        return DEFAULT_SMS_COUNTRIES
    codes = tuple(part.strip().upper() for part in raw.split(",") if part.strip())
    unknown = [code for code in codes if code not in phonenumbers.SUPPORTED_REGIONS]
    if unknown or not codes:
        problems.append(
            "SMS_ALLOWED_COUNTRIES must be region codes separated by commas (for example "
            f"FR,GP,MQ,GF,RE,YT); not regions: {', '.join(unknown) or '(none given)'}"
        )
        return DEFAULT_SMS_COUNTRIES
    return codes


def _parse_limits(raw: str | None, problems: list[str]) -> tuple[tuple[str, int], ...]:
    """SMS_DAILY_LIMITS: "steps=2,reply=5": only the kinds given change."""
    limits = dict(DEFAULT_SMS_LIMITS)
    for part in (raw or "").split(","):
        kind, _, count = part.strip().partition("=")
        if not part.strip():
            continue
        if kind.strip() not in limits or not count.strip().isascii() or not count.strip().isdigit():
            problems.append(
                f"SMS_DAILY_LIMITS must be kind=count pairs, kinds among {', '.join(limits)} "
                f"(for example steps=2,reply=3), not {part.strip()!r}"
            )
            continue
        limits[kind.strip()] = int(count)
    return tuple(limits.items())


def _parse_resume_window(raw: str | None, problems: list[str]) -> int:
    """RESUME_WINDOW_MINUTES: whole minutes, 1 to a day."""
    if raw is None:
        return DEFAULT_RESUME_WINDOW_MINUTES
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_RESUME_WINDOW_MINUTES:
        return int(raw)
    problems.append(
        f"RESUME_WINDOW_MINUTES must be a whole number of minutes from 1 to "
        f"{MAX_RESUME_WINDOW_MINUTES} (for example 120), not {raw!r}"
    )
    return DEFAULT_RESUME_WINDOW_MINUTES


def _check_origin(name: str, url: str) -> list[str]:
    """An origin Twilio or we call: https anywhere, plain http only on a loopback address."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return []
    if parts.scheme == "http" and parts.hostname and is_loopback(parts.hostname):
        return []
    return [f"{name} must be an https:// URL (http:// is accepted only for loopback addresses)"]


def is_loopback(host: str) -> bool:
    """Whether a host name or address is this machine's own (localhost, 127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
