"""GET /healthz: 200 when Redis answers, 503 otherwise (for the host's health checks).

"degraded" (still 200: restarting would not fix it) when registrations are quarantined: values
no known key opens, waiting for an operator (hotline/quarantine.py).
"""

from flask import Blueprint
from redis import Redis
from redis.exceptions import RedisError

from hotline.parts import part
from hotline.quarantine import quarantined

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict, int]:
    redis = part(Redis)
    try:
        redis.ping()
        held = quarantined(redis)
    except RedisError:
        return {"status": "redis unavailable"}, 503
    if held:
        return {"status": "degraded", "quarantined": held}, 200
    return {"status": "ok"}, 200
