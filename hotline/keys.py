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
