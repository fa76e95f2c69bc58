"""Settings read from environment variables, with embedded defaults for development."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

DEVELOPMENT_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused in production
SUPPORTED_LOCALES = ("zh_CN", "en")


def normalize_database_url(url: str) -> str:
    """Point plain PostgreSQL URLs at the psycopg 3 driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def default_public_base_url(environ=os.environ) -> str:
    """The site's address for absolute links: PUBLIC_BASE_URL, else where `make run` serves (its PORT)."""
    return environ.get("PUBLIC_BASE_URL") or f"http://127.0.0.1:{environ.get('PORT') or '5000'}"


def _default_sqlite_url() -> str:
    instance = Path(__file__).resolve().parent.parent / "instance"
    return f"sqlite:///{instance / 'eventsapp.db'}"


class Config:
    """Development defaults; every value can be overridden from the environment."""

    APP_ENV = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = normalize_database_url(os.environ.get("DATABASE_URL", _default_sqlite_url()))
    # No pool_pre_ping: it costs a round trip every time a connection is checked out (twice per
    # registration). Connections are replaced after 30 minutes instead, before servers or firewalls
    # drop idle ones; a connection lost otherwise (database restart) fails one request and is discarded.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_recycle": int(os.environ.get("DATABASE_POOL_RECYCLE", "1800"))}

    BABEL_DEFAULT_LOCALE = os.environ.get("DEFAULT_LOCALE", "zh_CN")
    BABEL_DEFAULT_TIMEZONE = "UTC"
    DEFAULT_EVENT_TIMEZONE = os.environ.get("DEFAULT_EVENT_TIMEZONE", "Asia/Shanghai")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30  # LOGIN_SESSION_LIFETIME ends the login itself

    WTF_CSRF_TIME_LIMIT = 60 * 60 * 8

    # Flask-Limiter: counters in Redis whenever REDIS_URL is set (shared by every worker); in-process
    # memory only for development (refused in production: each gunicorn worker would count apart).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Failed logins: the account's limit is one window (no hourly one): a locked-out owner gets in again
    # with the correct password once it has passed, however long someone else keeps guessing.
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per minute;200 per hour")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    SIGNUP_LIMIT_PER_ADDRESS = os.environ.get("SIGNUP_LIMIT_PER_ADDRESS", "10 per hour")
    # How many reverse proxies in front of the app append to X-Forwarded-For (0: none, the header is ignored).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # A login lasts at most this long (also the longest "remember me"); logging out ends it at once.
    LOGIN_SESSION_LIFETIME = 60 * 60 * 24 * 30

    EVENTS_PER_PAGE = 12

    # Candidates' résumés: PDF files stored outside the static folder (default: instance/uploads/resumes).
    RESUME_FOLDER = os.environ.get("RESUME_FOLDER") or None
    RESUME_MAX_BYTES = 5 * 1024 * 1024
    PDF_MAX_PAGES = int(os.environ.get("PDF_MAX_PAGES", "50"))  # résumés (and pitch decks) with more are refused
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024  # larger requests get the friendly 413 page

    # Contest entries' pitch decks: PDF files checked like résumés, stored outside the static folder
    # (default: instance/uploads/decks), seen only by the team and the organizers (and, later, the judges).
    DECK_FOLDER = os.environ.get("DECK_FOLDER") or None
    DECK_MAX_BYTES = 5 * 1024 * 1024

    # Organizations' logos: PNG or JPEG, re-encoded and stored outside the static folder
    # (default: instance/uploads/logos); public, as they appear on the floor plan.
    LOGO_FOLDER = os.environ.get("LOGO_FOLDER") or None
    LOGO_MAX_BYTES = 2 * 1024 * 1024
    INVITATION_LIMIT = os.environ.get("INVITATION_LIMIT", "30 per hour")  # invitations one owner may send

    # Badges: batches up to BADGE_INLINE_LIMIT badges are rendered while the organizer waits; larger
    # ones become a background job, queued with RQ on JOB_QUEUE_URL (Redis) when set, otherwise run in
    # a thread of the web process. Finished PDFs are kept in BADGE_FOLDER (default instance/uploads/badges).
    JOB_QUEUE_URL = os.environ.get("JOB_QUEUE_URL") or os.environ.get("REDIS_URL") or ""
    BADGE_QUEUE_NAME = os.environ.get("BADGE_QUEUE_NAME", "badges")
    BADGE_INLINE_LIMIT = int(os.environ.get("BADGE_INLINE_LIMIT", "300"))
    BADGE_FOLDER = os.environ.get("BADGE_FOLDER") or None
    BADGE_RENDER_PROCESSES = int(os.environ.get("BADGE_RENDER_PROCESSES", str(min(os.cpu_count() or 1, 4))))
    # A print run whose process has given no sign of life for this long is marked failed ("run again").
    BADGE_JOB_STALE_SECONDS = int(os.environ.get("BADGE_JOB_STALE_SECONDS", "300"))
    # The door checks people in from this many minutes before an event starts until it ends.
    CHECKIN_OPENS_BEFORE_MINUTES = int(os.environ.get("CHECKIN_OPENS_BEFORE_MINUTES", "120"))
    # Public calendar feeds: how long a process reuses the events' fingerprint (their ETag) before asking
    # the database again; other workers' changes reach the feeds within this many seconds.
    CALENDAR_FINGERPRINT_SECONDS = float(os.environ.get("CALENDAR_FINGERPRINT_SECONDS", "5"))
    # How long a process shows the same analytics figures for the same period and filters (the page, its
    # exports, a reload) before computing them again; 0 computes them for every request.
    ANALYTICS_CACHE_SECONDS = float(os.environ.get("ANALYTICS_CACHE_SECONDS", "60"))
    # Built public feeds are cached in Redis when set (shared by every worker), otherwise in each process.
    CALENDAR_CACHE_URL = os.environ.get("CALENDAR_CACHE_URL") or os.environ.get("REDIS_URL") or ""

    # E-mail: written to the outbox with the change that causes it, sent by `flask outbox work`.
    # Without SMTP_HOST, messages are written to the log instead (development).
    PUBLIC_BASE_URL = default_public_base_url()  # links in e-mails, feeds and verification links
    MAIL_FROM = os.environ.get("MAIL_FROM", "Hangzhou Talent Events <noreply@example.com>")
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "587"))
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = _env_flag("SMTP_STARTTLS", True)
    SMTP_SSL = _env_flag("SMTP_SSL", False)  # TLS from the first byte, usually port 465
    SMTP_TIMEOUT = int(os.environ.get("SMTP_TIMEOUT", "30"))
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "8"))
    PASSWORD_RESET_LIMIT_PER_ADDRESS = os.environ.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", "10 per hour")
    PASSWORD_RESET_LIMIT_PER_ACCOUNT = os.environ.get("PASSWORD_RESET_LIMIT_PER_ACCOUNT", "3 per hour")
    VERIFICATION_RESEND_LIMIT = os.environ.get("VERIFICATION_RESEND_LIMIT", "3 per hour")


class ProductionConfig(Config):
    APP_ENV = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    # No default: links in e-mails and feeds must point at the real site (check_production_settings).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")


class TestConfig(Config):
    APP_ENV = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_STORAGE_URI = "memory://"
    # Tests read the source (English) strings unless they ask for Chinese; the i18n tests set
    # the product default (zh_CN) themselves.
    BABEL_DEFAULT_LOCALE = "en"
    PUBLIC_BASE_URL = "http://talent.test"
    SMTP_HOST = ""  # tests that deliver start their own SMTP server
    JOB_QUEUE_URL = ""  # badge jobs run in-process unless a test sets a queue
    CALENDAR_CACHE_URL = ""  # feeds are cached in-process, never in a developer's Redis
    ANALYTICS_CACHE_SECONDS = 0.0  # every request sees the rows the test just wrote


def config_from_environment() -> type[Config]:
    return ProductionConfig if os.environ.get("APP_ENV") == "production" else Config


class ConfigurationError(RuntimeError):
    """The app refuses to start with settings that would be unsafe."""


def check_production_settings(config: dict) -> None:
    if config.get("APP_ENV") != "production":
        return
    problems = []
    key = config.get("SECRET_KEY") or ""
    if key == DEVELOPMENT_SECRET_KEY or len(key) < 32:
        problems.append("APP_ENV=production needs a real SECRET_KEY (at least 32 random characters), "
                        "e.g. SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(48))')")
    base_url = urlsplit(config.get("PUBLIC_BASE_URL") or "")
    if base_url.scheme != "https" or not base_url.netloc:
        problems.append("APP_ENV=production needs PUBLIC_BASE_URL, the https address people reach the site at "
                        "(e.g. PUBLIC_BASE_URL=https://talent.example.cn): links in e-mails and calendar feeds "
                        "are built on it")
    if str(config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://"):
        problems.append("APP_ENV=production needs the rate limits in Redis (REDIS_URL=redis://host:6379/0, or "
                        "RATELIMIT_STORAGE_URI): in-process counters are per worker and forgotten on restart, "
                        "so limits on logins would not hold")
    if problems:
        raise ConfigurationError("\n".join(problems))
