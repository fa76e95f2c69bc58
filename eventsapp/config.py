"""Settings read from environment variables, with embedded defaults for development."""
from __future__ import annotations

import os
from email.utils import parseaddr
from ipaddress import IPv4Network, IPv6Network, ip_network
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
    # How long a migration may wait for a table's lock on PostgreSQL before it gives up (and can be run
    # again): waiting longer holds back every request of the version still serving (README, "Upgrading").
    MIGRATION_LOCK_TIMEOUT = os.environ.get("MIGRATION_LOCK_TIMEOUT", "10s")
    # gc.freeze() at the end of the factory: what start-up built is kept out of the garbage collector's full
    # collections. Off by default: on the shared benchmark machine it did not shorten the leaderboard's
    # tail and cost CPU in the cold regime (benchmarks/README.md); to be measured again on a quiet machine.
    GC_FREEZE_AT_START = _env_flag("GC_FREEZE_AT_START", False)

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
    # The JSON API (/api/v1): requests per token (per address without one), counted like the limits above.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600 per minute")
    # How long the API keeps the answer of a POST sent with an Idempotency-Key (a retry within it replays it).
    API_IDEMPOTENCY_HOURS = int(os.environ.get("API_IDEMPOTENCY_HOURS", "24"))
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
    # Personal data of an event (answers, reasons, profile views, e-mails; résumés no other event needs) is
    # erased this many months after it ends, unless its organizers set another period (eventsapp.retention).
    RETENTION_MONTHS = int(os.environ.get("RETENTION_MONTHS", "24"))
    RETENTION_INTERVAL_SECONDS = int(os.environ.get("RETENTION_INTERVAL_SECONDS", str(6 * 60 * 60)))

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

    # Background work goes on RQ queues on JOB_QUEUE_URL (Redis): the background jobs (badge print runs, year
    # reports, certificates) on JOB_QUEUE_NAME, run by `flask jobs worker`; the scheduler's rounds (outbox,
    # reminders, surveys, webhooks, retention, analytics) on their own queue ROUNDS_QUEUE_NAME, run by their
    # own worker, `flask jobs worker --rounds` (an hour-long print run must not hold back the e-mails).
    # Without JOB_QUEUE_URL (the embedded default) they run in the web process (jobs) or in the scheduler.
    # Results are kept in JOB_FOLDER (default instance/uploads/jobs; `flask backup create` includes it); a job
    # whose process shows no sign of life for JOB_STALLED_SECONDS is failed.
    JOB_QUEUE_URL = os.environ.get("JOB_QUEUE_URL") or os.environ.get("REDIS_URL") or ""
    JOB_QUEUE_NAME = os.environ.get("JOB_QUEUE_NAME", "jobs")
    ROUNDS_QUEUE_NAME = os.environ.get("ROUNDS_QUEUE_NAME", "rounds")
    JOB_FOLDER = os.environ.get("JOB_FOLDER") or None
    JOB_STALLED_SECONDS = int(os.environ.get("JOB_STALLED_SECONDS", "120"))
    # Finished jobs (and their result files: print runs, certificates, reports) are deleted by the hourly
    # job-files round this many days after they finished.
    JOB_FILES_KEEP_DAYS = int(os.environ.get("JOB_FILES_KEEP_DAYS", "30"))
    # Badges: batches up to BADGE_INLINE_LIMIT badges are rendered while the organizer waits; larger ones
    # become a background job (kind badge-print), stopped after BADGE_JOB_TIMEOUT_SECONDS. Finished PDFs are
    # kept in BADGE_FOLDER (default instance/uploads/badges).
    BADGE_INLINE_LIMIT = int(os.environ.get("BADGE_INLINE_LIMIT", "300"))
    BADGE_FOLDER = os.environ.get("BADGE_FOLDER") or None
    BADGE_RENDER_PROCESSES = int(os.environ.get("BADGE_RENDER_PROCESSES", str(min(os.cpu_count() or 1, 4))))
    BADGE_JOB_TIMEOUT_SECONDS = int(os.environ.get("BADGE_JOB_TIMEOUT_SECONDS", "3600"))
    # The door checks people in from this many minutes before an event starts until it ends.
    CHECKIN_OPENS_BEFORE_MINUTES = int(os.environ.get("CHECKIN_OPENS_BEFORE_MINUTES", "120"))
    # Public calendar feeds: how long a process reuses the events' fingerprint (their ETag) before asking
    # the database again; other workers' changes reach the feeds within this many seconds.
    CALENDAR_FINGERPRINT_SECONDS = float(os.environ.get("CALENDAR_FINGERPRINT_SECONDS", "5"))
    # Analytics figures are computed by the scheduler into a summary table (eventsapp.analytics.snapshots):
    # it looks for snapshots to compute every ANALYTICS_POLL_SECONDS, computes again those older than
    # ANALYTICS_REFRESH_SECONDS that someone viewed in the last ANALYTICS_KEEP_DAYS days, forgets the others.
    ANALYTICS_POLL_SECONDS = int(os.environ.get("ANALYTICS_POLL_SECONDS", "10"))
    ANALYTICS_REFRESH_SECONDS = int(os.environ.get("ANALYTICS_REFRESH_SECONDS", "900"))
    ANALYTICS_KEEP_DAYS = int(os.environ.get("ANALYTICS_KEEP_DAYS", "14"))
    # True: a page view computes its figures first (the tests); never in production, where it takes seconds.
    ANALYTICS_REFRESH_IN_REQUEST = False
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

    # The scheduler (`flask schedule run`): how often it delivers the outbox and looks for reminders due.
    OUTBOX_INTERVAL_SECONDS = float(os.environ.get("OUTBOX_INTERVAL_SECONDS", "5"))
    OUTBOX_BATCH = int(os.environ.get("OUTBOX_BATCH", "200"))
    REMINDER_INTERVAL_SECONDS = float(os.environ.get("REMINDER_INTERVAL_SECONDS", "300"))
    SURVEY_INTERVAL_SECONDS = float(os.environ.get("SURVEY_INTERVAL_SECONDS", "300"))
    # Reminders sent "the day before" leave at this hour on the event's clock.
    REMINDER_LOCAL_HOUR = int(os.environ.get("REMINDER_LOCAL_HOUR", "10"))
    # Organizers' broadcasts: at most this many per event in any hour, counted in the database.
    BROADCASTS_PER_EVENT_PER_HOUR = int(os.environ.get("BROADCASTS_PER_EVENT_PER_HOUR", "3"))

    # Running in production (eventsapp/ops, deploy/): Redis for readiness checks and metrics; one JSON log line
    # per request ("json", the default in production) or the usual text lines; who may read /metrics besides
    # loopback (comma-separated networks, e.g. "10.0.0.0/8,192.168.5.7"); where `flask backup create` writes.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    METRICS_ALLOWED_NETWORKS = os.environ.get("METRICS_ALLOWED_NETWORKS", "")
    BACKUP_FOLDER = os.environ.get("BACKUP_FOLDER") or None  # default: instance/backups
    BACKUP_KEEP = int(os.environ.get("BACKUP_KEEP", "14"))  # archives `flask backup create` keeps (0: all)
    # Webhooks (eventsapp.webhooks): sent by the scheduler's job every WEBHOOK_INTERVAL_SECONDS, or by
    # `flask webhooks deliver`, from WEBHOOK_CONCURRENCY threads, each attempt cut off after the timeout.
    WEBHOOK_INTERVAL_SECONDS = float(os.environ.get("WEBHOOK_INTERVAL_SECONDS", "2"))
    WEBHOOK_BATCH = int(os.environ.get("WEBHOOK_BATCH", "500"))
    WEBHOOK_CONCURRENCY = int(os.environ.get("WEBHOOK_CONCURRENCY", "32"))
    WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "5"))  # for a whole attempt
    WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "10"))
    WEBHOOK_RETRY_BASE_SECONDS = float(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "30"))
    WEBHOOK_RETRY_LONGEST_SECONDS = float(os.environ.get("WEBHOOK_RETRY_LONGEST_SECONDS", str(6 * 3600)))
    # An endpoint is disabled (and its owner e-mailed) after this many failed attempts in a row.
    WEBHOOK_DISABLE_AFTER = int(os.environ.get("WEBHOOK_DISABLE_AFTER", "15"))
    # Development and tests only (refused in production): http:// to a loopback host, and private or
    # loopback targets at all (otherwise refused: a webhook must not reach servers behind the firewall).
    WEBHOOK_ALLOW_HTTP = _env_flag("WEBHOOK_ALLOW_HTTP", False)
    WEBHOOK_ALLOW_PRIVATE = _env_flag("WEBHOOK_ALLOW_PRIVATE", False)
    # The key that encrypts endpoint secrets at rest (eventsapp.webhooks.vault); unset: derived from SECRET_KEY
    # (development only: production requires it). WEBHOOK_OLD_SECRET_KEYS: former keys (comma-separated) that
    # still read secrets sealed with them, while `flask webhooks rotate-key` re-seals them with the new one.
    WEBHOOK_SECRET_KEY = os.environ.get("WEBHOOK_SECRET_KEY", "")
    WEBHOOK_OLD_SECRET_KEYS = os.environ.get("WEBHOOK_OLD_SECRET_KEYS", "")


class ProductionConfig(Config):
    APP_ENV = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    # No defaults: links in e-mails and feeds must point at the real site, and the data must live in the
    # PostgreSQL database named (check_production_settings).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    SQLALCHEMY_DATABASE_URI = normalize_database_url(os.environ.get("DATABASE_URL", ""))
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")


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
    JOB_QUEUE_URL = ""  # jobs run in-process, scheduled rounds in the scheduler, unless a test sets a queue
    CALENDAR_CACHE_URL = ""  # feeds are cached in-process, never in a developer's Redis
    GC_FREEZE_AT_START = False  # the suite makes apps again and again: nothing of theirs may stay frozen
    ANALYTICS_REFRESH_IN_REQUEST = True  # every view computes its snapshot, then reads it back from the table
    WEBHOOK_ALLOW_HTTP = True  # the tests' receivers listen on 127.0.0.1
    WEBHOOK_ALLOW_PRIVATE = True


def config_from_environment() -> type[Config]:
    return ProductionConfig if os.environ.get("APP_ENV") == "production" else Config


class ConfigurationError(RuntimeError):
    """The app refuses to start with settings that would be unsafe."""


def check_production_settings(config: dict, instance_path: str | Path | None = None) -> None:
    """Refuse to start in production with settings that are missing or unsafe, naming each problem and how
    to fix it (all at once, so one restart shows them all). The result folders are checked in every
    environment: a wrong one costs people's files (``result_folder_problems``)."""
    problems = result_folder_problems(config, instance_path)
    if config.get("APP_ENV") == "production":
        problems += [*_secret_problems(config), *_address_problems(config), *_store_problems(config),
                     *_mail_problems(config), *_network_problems(config), *_webhook_problems(config)]
    if problems:
        raise ConfigurationError("\n".join(problems))


def _secret_problems(config: dict) -> list[str]:
    key = config.get("SECRET_KEY") or ""
    weak = key == DEVELOPMENT_SECRET_KEY or len(key) < 32 or len(set(key)) < 10
    return ["APP_ENV=production needs a real SECRET_KEY (at least 32 random characters), "
            "e.g. SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(48))')"] if weak else []


def _address_problems(config: dict) -> list[str]:
    base_url = urlsplit(config.get("PUBLIC_BASE_URL") or "")
    if base_url.scheme != "https" or not base_url.netloc or base_url.path.strip("/") or base_url.query:
        return ["APP_ENV=production needs PUBLIC_BASE_URL, the https address people reach the site at, without a "
                "path (e.g. PUBLIC_BASE_URL=https://talent.example.cn): links in e-mails and calendar feeds are "
                "built on it"]
    return []


def _store_problems(config: dict) -> list[str]:
    problems = []
    database = config.get("SQLALCHEMY_DATABASE_URI") or ""
    if not database.startswith("postgresql"):
        problems.append("APP_ENV=production needs DATABASE_URL, the PostgreSQL database "
                        "(e.g. DATABASE_URL=postgresql://talent:PASSWORD@127.0.0.1:5432/talent): the embedded "
                        "SQLite file serves one machine only" + (f" (now: {urlsplit(database).scheme}://…)"
                                                                  if database else " (now: not set)"))
    elif not urlsplit(database).path.strip("/"):
        problems.append("DATABASE_URL names no database (e.g. postgresql://talent@127.0.0.1:5432/talent)")
    redis_urls = {name: config.get(name) or "" for name in ("REDIS_URL", "JOB_QUEUE_URL", "CALENDAR_CACHE_URL")}
    for name, url in redis_urls.items():
        if url and urlsplit(url).scheme not in REDIS_SCHEMES:
            problems.append(f"{name} must be a Redis address (redis://host:6379/0, rediss:// or unix://), "
                            f"not {url.split('://')[0] or url!r}")
    if not redis_urls["JOB_QUEUE_URL"]:
        problems.append("APP_ENV=production needs JOB_QUEUE_URL (or REDIS_URL), the Redis the background jobs and "
                        "the scheduler's rounds are queued on (e.g. JOB_QUEUE_URL=redis://127.0.0.1:6379/0): "
                        "without it they run in threads of the web process and are lost when it restarts")
    if config.get("JOB_QUEUE_NAME", "jobs") == config.get("ROUNDS_QUEUE_NAME", "rounds"):
        problems.append("ROUNDS_QUEUE_NAME must differ from JOB_QUEUE_NAME: the scheduler's rounds (e-mails, "
                        "reminders, webhooks) need their own queue and worker, or a long job holds them back")
    if not redis_urls["CALENDAR_CACHE_URL"]:
        problems.append("APP_ENV=production needs CALENDAR_CACHE_URL (or REDIS_URL), the Redis the built calendar "
                        "feeds are cached in (e.g. CALENDAR_CACHE_URL=redis://127.0.0.1:6379/0): without it each "
                        "process keeps its own copy and a change shows late on the other nodes")
    if str(config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://"):
        problems.append("APP_ENV=production needs the rate limits in Redis (REDIS_URL=redis://host:6379/0, or "
                        "RATELIMIT_STORAGE_URI): in-process counters are per worker and forgotten on restart, "
                        "so limits on logins would not hold")
    return problems


def _mail_problems(config: dict) -> list[str]:
    problems = []
    if not (config.get("SMTP_HOST") or "").strip():
        problems.append("APP_ENV=production needs SMTP_HOST, the mail server e-mails leave through (with "
                        "SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD): without it e-mails are only written to the log")
    elif config.get("SMTP_USERNAME") and not config.get("SMTP_PASSWORD"):
        problems.append("SMTP_USERNAME is set but SMTP_PASSWORD is empty")
    sender = parseaddr(config.get("MAIL_FROM") or "")[1]
    domain = sender.rpartition("@")[2].lower()
    if "@" not in sender or not domain or domain == "example.com" or domain.endswith(".example.com"):
        problems.append("APP_ENV=production needs MAIL_FROM, the sender of e-mails at the site's own domain "
                        "(e.g. MAIL_FROM='Hangzhou Talent Events <noreply@talent.example.cn>')")
    return problems


def webhook_old_keys(config) -> list[str]:
    """WEBHOOK_OLD_SECRET_KEYS as a list: the former keys, in the order given (blanks around the commas ignored;
    an empty item is kept, for the production check to name)."""
    value = config.get("WEBHOOK_OLD_SECRET_KEYS") or ""
    return [key.strip() for key in value.split(",")] if value.strip() else []


def _webhook_problems(config: dict) -> list[str]:
    problems = []
    if config.get("WEBHOOK_ALLOW_HTTP") or config.get("WEBHOOK_ALLOW_PRIVATE"):
        problems.append("APP_ENV=production refuses WEBHOOK_ALLOW_HTTP and WEBHOOK_ALLOW_PRIVATE: webhooks go to "
                        "public https addresses only")
    if len(config.get("WEBHOOK_SECRET_KEY") or "") < 32:
        problems.append("APP_ENV=production needs WEBHOOK_SECRET_KEY (at least 32 random characters), the key that "
                        "encrypts webhook secrets at rest, e.g. WEBHOOK_SECRET_KEY=$(python -c 'import secrets; "
                        "print(secrets.token_urlsafe(48))')")
    if any(len(key) < 32 for key in webhook_old_keys(config)):
        problems.append("WEBHOOK_OLD_SECRET_KEYS lists an empty or short key: each former key (comma-separated) "
                        "must be given whole, at least 32 characters like WEBHOOK_SECRET_KEY")
    return problems


# The folders of uploaded files, and the folders of the jobs' results, with their defaults under
# instance/uploads/ (as the features that store them decide).
UPLOAD_FOLDERS = {"RESUME_FOLDER": "resumes", "DECK_FOLDER": "decks", "LOGO_FOLDER": "logos"}
RESULT_FOLDERS = {"JOB_FOLDER": "jobs", "BADGE_FOLDER": "badges"}


def result_folder_problems(config: dict, instance_path: str | Path | None) -> list[str]:
    """The hourly job-files round deletes the files of JOB_FOLDER and BADGE_FOLDER that no job names: neither
    may be, hold or lie inside a folder of uploads (résumés, pitch decks, logos). Without ``instance_path``
    only the folders set are compared."""
    def folder(setting: str, default: str) -> Path | None:
        if config.get(setting):
            return Path(config[setting]).resolve()
        return (Path(instance_path) / "uploads" / default).resolve() if instance_path is not None else None

    problems = []
    for setting, default in RESULT_FOLDERS.items():
        results = folder(setting, default)
        for upload_setting, upload_default in UPLOAD_FOLDERS.items():
            uploads = folder(upload_setting, upload_default)
            if results is None or uploads is None:
                continue
            if results == uploads or results in uploads.parents or uploads in results.parents:
                problems.append(f"{setting} ({results}) must be a folder of its own, neither {upload_setting} "
                                f"({uploads}) nor inside or around it: the hourly job-files round deletes the "
                                f"files there that no job names")
    return problems


def _network_problems(config: dict) -> list[str]:
    try:
        metrics_networks(config.get("METRICS_ALLOWED_NETWORKS") or "")
    except ValueError as error:
        return [f"METRICS_ALLOWED_NETWORKS: {error} (e.g. METRICS_ALLOWED_NETWORKS=10.0.0.0/8,192.168.5.7)"]
    return []


REDIS_SCHEMES = ("redis", "rediss", "unix")


def metrics_networks(text: str) -> list[IPv4Network | IPv6Network]:
    """The networks named in METRICS_ALLOWED_NETWORKS (comma- or space-separated addresses or CIDR ranges)."""
    networks = []
    for part in text.replace(",", " ").split():
        try:
            networks.append(ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"{part!r} is not an address or network") from None
    return networks
