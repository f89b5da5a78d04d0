"""Every Redis key the hotline writes, as named templates in one place, with how long each lives.

Keys that only serve a call or a conversation expire; nothing here outlives its purpose.
"""

PREFIX = "hl"

#: One call's position in the menus, keyed by Twilio's CallSid.
CALL_STATE = PREFIX + ":call:{sid}"
CALL_STATE_TTL = 2 * 60 * 60

#: Where a caller stopped, keyed by the keyed hash of their number, so a call back can resume.
RESUME_POINT = PREFIX + ":resume:{caller}"
RESUME_POINT_TTL = 24 * 60 * 60

#: A registration for ADP reminders (sealed number, language, expiry...), keyed by caller key.
#: No TTL: it lives until its reminders are done plus the retention time, then is purged.
REGISTRATION = PREFIX + ":reg:{caller}"
#: Sorted set of caller keys, scored by when each registration next needs attention.
REMINDERS_DUE = PREFIX + ":reminders:due"
#: Short audit trail of a registration (no number), expiring with the retention time.
AUDIT = PREFIX + ":audit:{caller}"

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

# --- development only (never read in production) -------------------------------------------------

#: The simulator's clock shift in seconds, shared by the web app, the worker and the scheduler
#: (hotline.clock.SharedClock). No TTL: a shifted clock that silently jumped back would confuse.
DEV_CLOCK_OFFSET = PREFIX + ":dev:clock-offset"
