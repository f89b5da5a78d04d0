"""GET /healthz: 200 when Redis answers, 503 otherwise (for the host's health checks)."""

from flask import Blueprint, current_app
from redis.exceptions import RedisError

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict, int]:
    try:
        current_app.extensions["hotline"].redis.ping()
    except RedisError:
        return {"status": "redis unavailable"}, 503
    return {"status": "ok"}, 200
