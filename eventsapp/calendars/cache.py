"""Where built public feeds are kept: Redis when CALENDAR_CACHE_URL (by default REDIS_URL) is set
(shared by every worker), otherwise a small in-process cache. Keys are the feeds' ETags, so a changed
feed simply gets a new key and old entries age out; nothing is ever invalidated by hand."""
from __future__ import annotations

import logging

from flask_caching import Cache

log = logging.getLogger(__name__)
feed_cache = Cache()
ENTRY_SECONDS = 24 * 60 * 60


def init_feed_cache(app) -> None:
    redis_url = app.config["CALENDAR_CACHE_URL"]
    config = {"CACHE_KEY_PREFIX": "calendar-feed:", "CACHE_DEFAULT_TIMEOUT": ENTRY_SECONDS}
    if redis_url:
        config.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=redis_url)
    else:
        config.update(CACHE_TYPE="SimpleCache", CACHE_THRESHOLD=100)
    feed_cache.init_app(app, config=config)


def cached_bytes(key: str, build) -> bytes:
    """The cached value, or ``build()`` stored for next time. A cache that is down costs speed, not the feed."""
    try:
        body = feed_cache.get(key)
    except Exception:  # noqa: BLE001 - any backend failure (Redis down, timeout) means: build it
        log.warning("calendar feed cache unavailable", exc_info=True)
        return build()
    if body is None:
        body = build()
        try:
            feed_cache.set(key, body)
        except Exception:  # noqa: BLE001
            log.warning("calendar feed cache unavailable", exc_info=True)
    return body
