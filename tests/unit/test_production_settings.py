"""APP_ENV=production starts only with its settings from the environment, complete and safe; each problem is
named with how to fix it, all of them at once."""
import os
import subprocess
import sys

import pytest

from eventsapp import PROJECT_ROOT
from eventsapp.config import ConfigurationError, check_production_settings, metrics_networks
from tests.apps import make_app

STRONG_KEY = "kJ3v9Qx2Lr7TzW0aYp5NcB8mHs4DfG6eUi1oRt_XyZ-q"
PRODUCTION = {"APP_ENV": "production", "SECRET_KEY": STRONG_KEY, "PUBLIC_BASE_URL": "https://talent.example.cn",
              "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://talent:secret@db.internal:5432/talent",
              "REDIS_URL": "redis://127.0.0.1:6379/0", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
              "JOB_QUEUE_URL": "redis://127.0.0.1:6379/0", "CALENDAR_CACHE_URL": "redis://127.0.0.1:6379/0",
              "SMTP_HOST": "smtp.example.cn", "SMTP_USERNAME": "", "SMTP_PASSWORD": "",
              "MAIL_FROM": "Hangzhou Talent Events <noreply@talent.example.cn>", "METRICS_ALLOWED_NETWORKS": "",
              "WEBHOOK_SECRET_KEY": "Wq8vN2xR5tY7uI0oP3aS6dF9gH1jK4lZ"}


def problems(**changes) -> str:
    with pytest.raises(ConfigurationError) as refused:
        check_production_settings({**PRODUCTION, **changes})
    return str(refused.value)


def test_complete_settings_start_and_development_is_never_checked():
    check_production_settings(PRODUCTION)
    check_production_settings({"APP_ENV": "development", "SECRET_KEY": "dev-only-not-secret"})


@pytest.mark.parametrize("key", ["dev-only-not-secret", "short", "x" * 48, "abababababababababababababababababab"])
def test_a_weak_or_missing_secret_key_is_refused(key):
    assert "SECRET_KEY" in problems(SECRET_KEY=key)
    assert "token_urlsafe" in problems(SECRET_KEY=key)  # says how to make one


def test_the_app_factory_refuses_to_start_with_a_weak_key():
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        make_app(**{**PRODUCTION, "SECRET_KEY": "short"})


@pytest.mark.parametrize("base_url", ["", "http://talent.example.cn", "talent.example.cn", "https://",
                                      "https://talent.example.cn/app", "https://talent.example.cn/?x=1"])
def test_production_refuses_to_start_without_the_sites_https_address(base_url):
    assert "PUBLIC_BASE_URL" in problems(PUBLIC_BASE_URL=base_url)


def test_trailing_slash_on_the_address_is_fine():
    check_production_settings({**PRODUCTION, "PUBLIC_BASE_URL": "https://talent.example.cn/"})


@pytest.mark.parametrize(("url", "says"), [("", "not set"), ("sqlite:////srv/talent.db", "sqlite://")])
def test_production_needs_postgresql(url, says):
    message = problems(SQLALCHEMY_DATABASE_URI=url)
    assert "DATABASE_URL" in message and "PostgreSQL" in message and says in message


def test_a_database_url_without_a_database_name_is_refused():
    assert "names no database" in problems(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://talent@db:5432")


def test_production_refuses_rate_limits_kept_in_one_process():
    assert "REDIS_URL" in problems(RATELIMIT_STORAGE_URI="memory://")


@pytest.mark.parametrize("setting", ["REDIS_URL", "JOB_QUEUE_URL", "CALENDAR_CACHE_URL"])
def test_a_redis_setting_that_is_not_a_redis_address_is_named(setting):
    message = problems(**{setting: "http://cache.internal:6379"})
    assert f"{setting} must be a Redis address" in message and "'http'" in message


@pytest.mark.parametrize(("setting", "says"), [("JOB_QUEUE_URL", "queued"), ("CALENDAR_CACHE_URL", "feeds")])
def test_production_needs_the_job_queue_and_the_feed_cache_in_redis(setting, says):
    message = problems(**{setting: ""})
    assert f"needs {setting} (or REDIS_URL)" in message and says in message
    assert len(message.splitlines()) == 1


def test_the_rounds_need_a_queue_of_their_own():
    message = problems(JOB_QUEUE_NAME="work", ROUNDS_QUEUE_NAME="work")
    assert "ROUNDS_QUEUE_NAME must differ from JOB_QUEUE_NAME" in message
    check_production_settings({**PRODUCTION, "JOB_QUEUE_NAME": "work", "ROUNDS_QUEUE_NAME": "work-rounds"})


def test_production_needs_a_mail_server():
    assert "SMTP_HOST" in problems(SMTP_HOST="")
    assert "SMTP_PASSWORD is empty" in problems(SMTP_USERNAME="mailer")
    check_production_settings({**PRODUCTION, "SMTP_USERNAME": "mailer", "SMTP_PASSWORD": "s3cret"})


@pytest.mark.parametrize("sender", ["", "Talent <noreply@example.com>", "not an address", "x@mail.example.com"])
def test_production_needs_a_real_sender(sender):
    assert "MAIL_FROM" in problems(MAIL_FROM=sender)


def test_metrics_networks_must_parse():
    assert "METRICS_ALLOWED_NETWORKS: '10.0.0.300/8' is not an address" in problems(
        METRICS_ALLOWED_NETWORKS="192.168.5.7, 10.0.0.300/8")
    assert [str(n) for n in metrics_networks("10.0.0.0/8, 192.168.5.7 fd00::/8")] == [
        "10.0.0.0/8", "192.168.5.7/32", "fd00::/8"]


def test_every_problem_is_named_at_once():
    message = problems(SECRET_KEY="", PUBLIC_BASE_URL="", SQLALCHEMY_DATABASE_URI="", SMTP_HOST="", MAIL_FROM="")
    assert len(message.splitlines()) == 5


@pytest.mark.parametrize("setting", ["JOB_FOLDER", "BADGE_FOLDER"])
@pytest.mark.parametrize("place", ["uploads", "resumes", "inside the logos"])
def test_a_result_folder_overlapping_an_upload_folder_is_refused(tmp_path, setting, place):
    uploads = {"RESUME_FOLDER": str(tmp_path / "uploads" / "resumes"), "LOGO_FOLDER": str(tmp_path / "logos")}
    folder = {"uploads": tmp_path / "uploads", "resumes": tmp_path / "uploads" / "resumes",
              "inside the logos": tmp_path / "logos" / "results"}[place]
    said = problems(**uploads, **{setting: str(folder)})
    assert f"{setting} ({folder}) must be a folder of its own" in said
    assert ("LOGO_FOLDER" if place == "inside the logos" else "RESUME_FOLDER") in said


def test_result_folders_of_their_own_start_and_the_defaults_never_overlap(tmp_path):
    check_production_settings({**PRODUCTION, "JOB_FOLDER": str(tmp_path / "jobs"),
                               "BADGE_FOLDER": str(tmp_path / "jobs"), "RESUME_FOLDER": str(tmp_path / "resumes"),
                               "LOGO_FOLDER": str(tmp_path / "jobs-logos")}, tmp_path / "instance")
    check_production_settings(PRODUCTION, tmp_path / "instance")


def test_every_environment_refuses_to_start_with_a_result_folder_holding_the_uploads(tmp_path):
    """The default résumé folder is instance/uploads/resumes: a JOB_FOLDER of instance/uploads holds it."""
    with pytest.raises(ConfigurationError, match="JOB_FOLDER .* RESUME_FOLDER"):
        make_app(JOB_FOLDER=str(PROJECT_ROOT / "instance" / "uploads"))


def start_in_production(**environment: str) -> subprocess.CompletedProcess:
    names = ("PUBLIC_BASE_URL", "REDIS_URL", "RATELIMIT_STORAGE_URI", "DATABASE_URL", "SMTP_HOST", "MAIL_FROM",
             "JOB_QUEUE_URL", "CALENDAR_CACHE_URL", "SECRET_KEY", "SMTP_USERNAME", "METRICS_ALLOWED_NETWORKS",
             "WEBHOOK_SECRET_KEY")
    env = {key: value for key, value in os.environ.items() if key not in names}
    env.update(APP_ENV="production", SECRET_KEY=STRONG_KEY, **environment)
    return subprocess.run([sys.executable, "-c", "from eventsapp import create_app; create_app()"],
                          env=env, capture_output=True, text=True, timeout=60, cwd=PROJECT_ROOT)


def test_production_start_up_reads_everything_from_the_environment():
    complete = {"PUBLIC_BASE_URL": "https://talent.example.cn", "REDIS_URL": "redis://127.0.0.1:6379/0",
                "DATABASE_URL": "postgresql://talent@127.0.0.1:5432/talent", "SMTP_HOST": "smtp.example.cn",
                "MAIL_FROM": "noreply@talent.example.cn", "WEBHOOK_SECRET_KEY": "Wq8vN2xR5tY7uI0oP3aS6dF9gH1jK4lZ"}
    for missing in complete:
        refused = start_in_production(**{key: value for key, value in complete.items() if key != missing})
        assert refused.returncode != 0, missing
        assert missing in refused.stderr, (missing, refused.stderr)
        others = set(complete) - {missing, "REDIS_URL"}  # without REDIS_URL the rate limits say REDIS_URL too
        assert not any(f"needs {name}" in refused.stderr for name in others), (missing, refused.stderr)
    started = start_in_production(**complete)
    assert started.returncode == 0, started.stderr


def test_the_entry_point_names_the_problems_without_a_traceback():
    """`flask --app app ...` and `gunicorn app:app` load app.py: its refusal is the list, and gunicorn's
    "app failed to load" code (4), which stops gunicorn instead of restarting workers."""
    names = ("PUBLIC_BASE_URL", "REDIS_URL", "RATELIMIT_STORAGE_URI", "DATABASE_URL", "SMTP_HOST", "MAIL_FROM")
    env = {key: value for key, value in os.environ.items() if key not in names}
    env.update(APP_ENV="production", SECRET_KEY="short")
    refused = subprocess.run([sys.executable, "-c", "import app"], env=env, capture_output=True, text=True,
                             timeout=60, cwd=PROJECT_ROOT)
    assert refused.returncode == 4
    assert refused.stderr.startswith("The app cannot start with these settings:\n")
    assert "Traceback" not in refused.stderr and "SECRET_KEY" in refused.stderr and "SMTP_HOST" in refused.stderr
