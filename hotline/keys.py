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
