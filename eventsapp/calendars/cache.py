"""Where built public feeds are kept: Redis when CALENDAR_CACHE_URL (by default REDIS_URL) is set
(shared by every worker), otherwise a small in-process cache. Keys are the feeds' ETags, so a changed
feed simply gets a new key and old entries age out; nothing is ever invalidated by hand.

With Redis, the events' fingerprint (from which the ETags are made) is shared too: every node reuses it
for a few seconds, and a commit that changes an event on any node raises a generation number that every
node reads with it, so a change made through one node shows in the feeds of all of them at once."""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from flask_caching import Cache

log = logging.getLogger(__name__)
feed_cache = Cache()
ENTRY_SECONDS = 24 * 60 * 60
KEY_PREFIX = "calendar-feed:"
T = TypeVar("T")


def init_feed_cache(app) -> None:
    redis_url = app.config["CALENDAR_CACHE_URL"]
    config = {"CACHE_KEY_PREFIX": KEY_PREFIX, "CACHE_DEFAULT_TIMEOUT": ENTRY_SECONDS}
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


def shared() -> bool:
    """True when the cache is Redis (every node sees it), not this process's memory."""
    return bool(current_app.config["CALENDAR_CACHE_URL"])


def _database_tag(database_key: str) -> str:
    # One Redis may serve several sites (or test databases): their fingerprints must not mix.
    return hashlib.sha256(database_key.encode()).hexdigest()[:16]


def shared_fingerprint(database_key: str, max_age: float, compute: Callable[[], T]) -> T:
    """The fingerprint every node stored for the current generation, else ``compute()`` stored for
    ``max_age`` seconds. The generation is raised after a commit (``events_changed``), never before: a
    node that computed from the data before the change stored it under the old generation, which nobody
    reads any more."""
    if max_age <= 0:  # CALENDAR_FINGERPRINT_SECONDS=0: always ask the database
        return compute()
    tag = _database_tag(database_key)
    try:
        generation = feed_cache.get(f"generation:{tag}") or 0
        key = f"fingerprint:{tag}:{generation}"
        held = feed_cache.get(key)
    except Exception:  # noqa: BLE001 - Redis down: the database answers, as without a cache
        log.warning("calendar feed cache unavailable", exc_info=True)
        return compute()
    if held is not None:
        return held
    value = compute()
    try:
        feed_cache.set(key, value, timeout=max(1, round(max_age)))
    except Exception:  # noqa: BLE001
        log.warning("calendar feed cache unavailable", exc_info=True)
    return value


def events_changed(database_key: str) -> None:
    """An event or agenda item was committed: every node's next feed request computes the fingerprint again."""
    try:
        feed_cache.cache.inc(f"generation:{_database_tag(database_key)}")
    except Exception:  # noqa: BLE001 - the change is committed; feeds catch up within the fingerprint's seconds
        log.warning("calendar feed cache unavailable", exc_info=True)
