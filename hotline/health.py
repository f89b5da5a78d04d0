"""GET /healthz: 200 when Redis answers, 503 otherwise (for the host's health checks)."""

from flask import Blueprint
from redis import Redis
from redis.exceptions import RedisError

from hotline.parts import part

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict, int]:
    try:
        part(Redis).ping()
    except RedisError:
        return {"status": "redis unavailable"}, 503
    return {"status": "ok"}, 200
