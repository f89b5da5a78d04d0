"""The one way every process connects to Redis: REDIS_URL, over TLS when it says rediss://.

Managed Redis services (Heroku, Scalingo) speak TLS, often with a certificate their own CA signed.
REDIS_CA_FILE names that CA's certificate (PEM) so the certificate is still verified; nothing here
ever turns verification off. The same options reach the RQ command line (``rq worker -c
workers.rq_config``) through the URL's query string, which redis-py reads the same way.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from redis import Redis

#: Every Redis client of the hotline: a dead server costs a request 2 s, not a hung worker.
CLIENT_OPTIONS = {"socket_timeout": 2, "socket_connect_timeout": 2, "health_check_interval": 30}


def tls_options(url: str, ca_file: Path | None) -> dict[str, str]:
    """redis-py's options for the CA that signed the server's certificate (rediss:// only)."""
    if ca_file is None or urlsplit(url).scheme != "rediss":
        return {}
    return {"ssl_ca_certs": str(ca_file), "ssl_cert_reqs": "required"}


def connect(url: str, ca_file: Path | None = None, **options) -> Redis:
    """A client for REDIS_URL (with REDIS_CA_FILE), with the hotline's timeouts."""
    return Redis.from_url(url, **{**CLIENT_OPTIONS, **tls_options(url, ca_file), **options})


def url_with_options(url: str, ca_file: Path | None = None) -> str:
    """REDIS_URL with the CA and timeouts in its query, for tools that take only a URL (rq)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    options = {**CLIENT_OPTIONS, **tls_options(url, ca_file)}
    query.update({name: str(value) for name, value in options.items() if name not in query})
    return urlunsplit(parts._replace(query=urlencode(query)))
