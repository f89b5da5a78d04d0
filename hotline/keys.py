"""Every Redis key the hotline writes, as named templates in one place, with how long each lives.

Keys that only serve a call or a conversation expire; nothing here outlives its purpose.
"""

PREFIX = "hl"

#: One call's position in the menus, keyed by Twilio's CallSid.
CALL_STATE = PREFIX + ":call:{sid}"
CALL_STATE_TTL = 2 * 60 * 60

#: The number of the next step a call may take (0 at the start), or "ended": the <Gather> action
#: carries it (?n=), so a replayed or stale step POST cannot advance the call or act twice.
CALL_STEP = PREFIX + ":step:{sid}"
CALL_STEP_TTL = CALL_STATE_TTL

#: Where a caller stopped, keyed by the keyed hash of their number, so a call back can resume.
#: Its TTL is the setting RESUME_WINDOW_MINUTES (a caller ID can be spoofed: keep it short).
RESUME_POINT = PREFIX + ":resume:{caller}"
RESUME_POINT_TTL = 2 * 60 * 60

#: An incoming SMS already answered, by Twilio's MessageSid: a replayed webhook is not acted on
#: twice. Twilio's signatures never expire, so this lasts long past any retry.
SMS_INBOUND_SEEN = PREFIX + ":sms:in:{sid}"
SMS_INBOUND_SEEN_TTL = 30 * 24 * 60 * 60

#: A registration for ADP reminders (sealed number, language, expiry...), keyed by caller key.
#: No TTL: it lives until its reminders are done plus the retention time, then is purged.
REGISTRATION = PREFIX + ":reg:{caller}"
#: Sorted set of caller keys, scored by when each registration next needs attention.
REMINDERS_DUE = PREFIX + ":reminders:due"
#: A registration as it was before a call or an SMS replaced it (Redis DUMP of the registration
#: hash, and its due score), so that the number can undo a change it did not make (UNDO by SMS).
#: The first one within the window is kept: a stranger changing it twice cannot bury the original.
REGISTRATION_UNDO = PREFIX + ":undo:{caller}"
REGISTRATION_UNDO_TTL = 14 * 24 * 60 * 60
#: Short audit trail of a living registration (no number), expiring with the retention time;
#: deleted with the registration.
AUDIT = PREFIX + ":audit:{caller}"
#: How many registrations were erased on a Paris day, by reason (stop, retention-over,
#: opt_out:21610...): a tally that names no one, kept for the retention time.
ERASURES = PREFIX + ":erasures:{day}"

#: The language a number last chose, by call or SMS, for replies and reminders.
LANGUAGE_CHOICE = PREFIX + ":lang:{caller}"
LANGUAGE_CHOICE_TTL = 180 * 24 * 60 * 60

# --- outbound SMS (sms/) --------------------------------------------------------------------------

#: One message waiting to be sent or being tracked: a small hash (sealed number, body, status...).
#: Number and body are deleted from it as soon as Twilio has accepted or refused the message.
SMS_MESSAGE = PREFIX + ":sms:msg:{id}"
SMS_MESSAGE_TTL = 3 * 24 * 60 * 60

#: Twilio's MessageSid -> our message id, so that status callbacks find their message.
SMS_BY_SID = PREFIX + ":sms:sid:{sid}"
SMS_BY_SID_TTL = SMS_MESSAGE_TTL

#: The local outbox (no Twilio credentials): the latest messages, numbers masked, for display.
SMS_OUTBOX = PREFIX + ":sms:outbox"
SMS_OUTBOX_LENGTH = 200
SMS_OUTBOX_TTL = 7 * 24 * 60 * 60

#: The global rate cap: the next free send slot, shared by every worker (expires when idle).
SMS_RATE_SLOT = PREFIX + ":sms:rate"

# --- reminder calls (reminders/calls.py) ---------------------------------------------------------

#: One reminder call and its tries: a small hash (caller key, reminder index, attempts, status,
#: Twilio's CallSid), keyed by the call's opaque id (a digest: it shows neither number nor date).
REMINDER_CALL = PREFIX + ":rcall:{id}"
REMINDER_CALL_TTL = 4 * 24 * 60 * 60  # longer than every retry (2 tries after the first)
#: Sorted set of reminder call ids, scored by when each may be dialled next (a retry, or a first
#: try that came due outside the calling hours).
REMINDER_CALLS_DUE = PREFIX + ":rcall:due"
#: The global cap on outbound calls: the next free dial slot, shared by every worker.
CALL_RATE_SLOT = PREFIX + ":rcall:rate"
#: Development without a Twilio account: calls the simulator shows as ringing (no number).
CALL_RINGS = PREFIX + ":rcall:rings"
CALL_RINGS_LENGTH = 20
CALL_RINGS_TTL = 60 * 60
# --- the secret key and what it could not open (hotline/keyring.py, hotline/quarantine.py) -----

#: The id of the HOTLINE_SECRET_KEY everything stored is sealed and keyed with (an HMAC of a fixed
#: label, never the key), written at first start. A process with another key refuses to start.
#: No TTL: it lives as long as the data it describes.
SECRET_KEY_ID = PREFIX + ":secret:key-id"

#: A registration whose number no known key opens, moved aside intact instead of deleted.
#: No TTL: an operator decides (`flask secrets quarantine`), never a timer.
QUARANTINED_REGISTRATION = PREFIX + ":quarantine:reg:{caller}"
#: The caller keys of quarantined registrations; its size is what /healthz reports.
QUARANTINE = PREFIX + ":quarantine"

#: How many SMS of one kind a number triggered on one Paris day (hotline/sms_limits.py): a
#: counter keyed by a digest of the day and the caller key (not the caller key), kept through the
#: next day so a day's allowance cannot be reset, then gone.
SMS_LIMIT = PREFIX + ":sms:limit:{day}:{kind}:{caller}"
SMS_LIMIT_TTL = 2 * 24 * 60 * 60

# --- development only (never read in production) -------------------------------------------------

#: The simulator's clock shift in seconds, shared by the web app, the worker and the scheduler
#: (hotline.clock.SharedClock). No TTL: a shifted clock that silently jumped back would confuse.
DEV_CLOCK_OFFSET = PREFIX + ":dev:clock-offset"

# --- aggregate counts (insights/) and the operators' console (console/) ---------------------------

#: Event counts for one hour (UTC, YYYYMMDDHH): a hash of "event|label|label" -> count. Counts
#: only: no caller key, number or date of a person is ever a field.
STATS_HOUR = PREFIX + ":stats:h:{hour}"
STATS_HOUR_TTL = 400 * 24 * 60 * 60
#: The same counts for one day (Paris date, YYYYMMDD), kept after the hours are gone.
STATS_DAY = PREFIX + ":stats:d:{day}"
STATS_DAY_TTL = 5 * 366 * 24 * 60 * 60
#: The funnel places one call has reached, so each is counted once per call (expires with it).
CALL_SEEN = PREFIX + ":call:{sid}:seen"

#: One console operator: argon2 password hash, a session stamp (changed to end sessions), when
#: created. No TTL: accounts live until `flask operators remove`.
OPERATOR = PREFIX + ":operator:{name}"
OPERATORS = PREFIX + ":operators"
#: Failed console logins in the last window, per account and per (keyed hash of the) address.
LOGIN_FAILS_ACCOUNT = PREFIX + ":console:fails:account:{name}"
LOGIN_FAILS_ADDRESS = PREFIX + ":console:fails:address:{address}"
LOGIN_FAILS_TTL = 15 * 60
#: What operators did (mark reviewed, export, log in...), newest last, capped.
CONSOLE_AUDIT = PREFIX + ":console:audit"
CONSOLE_AUDIT_LENGTH = 10_000
CONSOLE_AUDIT_TTL = 400 * 24 * 60 * 60

# --- the recording line (audio/invites.py, audio/studio.py) ---------------------------------------

#: A volunteer's recording code, by its keyed hash (never the code): language, name, expiry.
#: Its TTL is the code's lifetime (`flask audio invite --days`), so an expired code is gone.
STUDIO_INVITE = PREFIX + ":studio:invite:{code}"
#: The keyed hashes of living codes, for `flask audio invites` (dead members are pruned on read).
#: No TTL of its own: it holds only hashes, and every member points at a key that expires.
STUDIO_INVITES = PREFIX + ":studio:invites"
#: Wrong codes typed from one number (its caller key), for the lock after 5 in an hour.
STUDIO_TRIES = PREFIX + ":studio:tries:{caller}"
STUDIO_TRIES_TTL = 60 * 60
#: One recording call: the code's hash, the language, the prompt being recorded, the way back.
STUDIO_CALL = PREFIX + ":studio:call:{sid}"
STUDIO_CALL_TTL = 2 * 60 * 60
#: The prompts a code has dealt with (recorded and kept, or skipped): a call back resumes after
#: them. Lives as long as the code.
STUDIO_DONE = PREFIX + ":studio:done:{code}"
#: One take (one <Record>): which prompt, which code, and what the volunteer decided (keep or
#: not), until the recording job has fetched it and deleted it from Twilio.
STUDIO_TAKE = PREFIX + ":studio:take:{take}"
STUDIO_TAKE_TTL = 24 * 60 * 60

# --- operations -----------------------------------------------------------------------------------

#: When a process (the clock) last said it was alive: a Unix time. /healthz reads it; the RQ
#: worker's own heartbeat lives in RQ's worker registry. Kept a week, so "late" is still told
#: apart from "never started" long after a crash.
HEARTBEAT = PREFIX + ":heartbeat:{process}"
HEARTBEAT_TTL = 7 * 24 * 60 * 60
