"""Application factory: configuration, extensions, blueprints, error pages and CLI commands."""
from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: object | dict | None = None) -> Flask:
    # Imported here, so `eventsapp.matching` and other pure packages load without Flask.
    from flask import Flask

    from eventsapp.config import check_production_settings, config_from_environment

    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.from_object(config_from_environment())
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    check_production_settings(app.config, app.instance_path)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        from eventsapp.pgcursor import LazyDescriptionCursor

        # Our list queries sit just above PostgreSQL's JIT threshold: compiling them costs more
        # (~10 ms a request) than it saves. The cursors build their column descriptions only when read.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
        options["connect_args"] = {"options": "-c jit=off", "cursor_factory": LazyDescriptionCursor,
                                   **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith(f"sqlite:///{app.instance_path}"):
        Path(app.instance_path).mkdir(exist_ok=True)  # the embedded database lives there

    register_extensions(app)
    register_url_converters(app)
    register_blueprints(app)
    register_emails(app)
    register_jobs(app)
    register_errorhandlers(app)
    register_commands(app)
    if app.config.get("GC_FREEZE_AT_START"):
        freeze_start_up_objects()
    return app


def freeze_start_up_objects() -> None:
    """Collect what start-up left over, then keep the rest (which lives as long as the process) out of
    every later collection. Before a fork (gunicorn --preload) it also keeps the workers' copies of these
    pages shared, as a collection no longer writes to them."""
    gc.collect()
    gc.freeze()


def register_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from eventsapp import i18n, models, requestlog, security  # noqa: F401 - models registers every table
    from eventsapp.accounts.services import load_user
    from eventsapp.extensions import babel, csrf, db, limiter, login_manager, migrate
    from eventsapp.main import errors
    from eventsapp.ops import metrics

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    requestlog.init_app(app)
    metrics.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, default_translation_directories="translations")
    i18n.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "warning"
    login_manager.needs_refresh_message = _l("Please log in again to see this page.")
    login_manager.needs_refresh_message_category = "warning"
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(errors.login_needed)
    # The messages are lazy strings: turned into text in the language of the request that flashes them.
    login_manager.localize_callback = str


def register_url_converters(app: Flask) -> None:
    """Before any route is added: `<int:...>` takes only numbers the database can hold."""
    from eventsapp.requestbounds import BoundedRequest, DatabaseIntegerConverter

    app.url_map.converters["int"] = DatabaseIntegerConverter
    app.request_class = BoundedRequest


def register_blueprints(app: Flask) -> None:
    from eventsapp.accounts.views import blueprint as accounts
    from eventsapp.admin.views import blueprint as admin
    from eventsapp.analytics.views import blueprint as analytics
    from eventsapp.audit.views import blueprint as activity
    from eventsapp.awards.views import blueprint as awards
    from eventsapp.badges.views import blueprint as badges
    from eventsapp.badges.views import manage as badges_manage
    from eventsapp.booths.views import blueprint as booths
    from eventsapp.browse.views import blueprint as browse
    from eventsapp.calendars.views import blueprint as calendars
    from eventsapp.candidates.views import blueprint as candidates
    from eventsapp.checkin.views import blueprint as checkin
    from eventsapp.contests.manage_views import blueprint as contests_manage
    from eventsapp.contests.views import blueprint as contests
    from eventsapp.events.views import blueprint as events
    from eventsapp.jobs.views import blueprint as background_jobs
    from eventsapp.main.views import blueprint as main
    from eventsapp.manage.views import blueprint as manage
    from eventsapp.matchmaking.preference_views import blueprint as preferences
    from eventsapp.matchmaking.run_views import blueprint as match_runs
    from eventsapp.messages.views import blueprint as event_messages
    from eventsapp.notifications.views import blueprint as outbox
    from eventsapp.openings.views import blueprint as openings
    from eventsapp.ops.views import blueprint as ops
    from eventsapp.organizations.views import blueprint as organizations
    from eventsapp.registrations.views import blueprint as registrations
    from eventsapp.registrations.views import manage as registrants
    from eventsapp.reports.views import blueprint as reports
    from eventsapp.reviews.views import blueprint as reviews
    from eventsapp.surveys.views import blueprint as surveys
    from eventsapp.surveys.views import manage as surveys_manage
    from eventsapp.talentcode.views import blueprint as talentcode
    from eventsapp.webhooks.views import blueprint as webhooks

    for blueprint in (main, accounts, events, manage, admin, registrations, registrants, candidates, outbox,
                      organizations, booths, openings, browse, preferences, match_runs, badges, badges_manage,
                      activity, contests, contests_manage, reviews):
        app.register_blueprint(blueprint)
    app.register_blueprint(checkin)
    app.register_blueprint(calendars)
    app.register_blueprint(awards)
    app.register_blueprint(event_messages)
    app.register_blueprint(surveys)
    app.register_blueprint(surveys_manage)
    app.register_blueprint(analytics)
    app.register_blueprint(reports)
    app.register_blueprint(ops)
    app.register_blueprint(background_jobs)
    app.register_blueprint(talentcode)
    app.register_blueprint(webhooks)
    register_api(app)


def register_api(app: Flask) -> None:
    """The JSON API under /api/v1 and its OpenAPI document (eventsapp.api)."""
    from eventsapp.api import core
    from eventsapp.api.docs import blueprint as api_docs
    from eventsapp.api.resources import BLUEPRINTS
    from eventsapp.api.token_views import blueprint as api_tokens

    core.init_app(app, BLUEPRINTS)
    app.register_blueprint(api_docs)
    app.register_blueprint(api_tokens)


def register_emails(app: Flask) -> None:
    """Tell the outbox, which knows no feature, who writes each kind of e-mail queued to be written later."""
    from eventsapp.awards import emails as award_emails
    from eventsapp.matchmaking import emails as interview_emails
    from eventsapp.messages import emails as event_messages
    from eventsapp.notifications.services import register_renderers
    from eventsapp.registrations import emails as registration_emails
    from eventsapp.reviews import emails as review_emails
    from eventsapp.surveys import emails as survey_emails

    register_renderers(app, registration_emails.RENDERERS)
    register_renderers(app, award_emails.RENDERERS)
    register_renderers(app, review_emails.RENDERERS)
    register_renderers(app, interview_emails.RENDERERS)
    register_renderers(app, event_messages.RENDERERS)
    register_renderers(app, survey_emails.RENDERERS)


def register_jobs(app: Flask) -> None:
    """The scheduled work `flask schedule run` does (eventsapp.scheduler); never run from a web request. With
    JOB_QUEUE_URL set, the scheduler queues each round and a `flask jobs worker` runs it (timeouts below).
    Each round is idempotent: it works on what is due and marks it done in the same transaction."""
    from datetime import timedelta

    from eventsapp.analytics.snapshots import refresh_due
    from eventsapp.api.tokens import forget_old_idempotent_responses
    from eventsapp.awards.jobs import register as register_certificate_jobs
    from eventsapp.badges.jobs import register as register_badge_jobs
    from eventsapp.jobs.files import remove_old_jobs
    from eventsapp.jobs.services import fail_stalled_round
    from eventsapp.messages.reminders import send_due_reminders
    from eventsapp.notifications.services import deliver_due_messages
    from eventsapp.reports.jobs import register as register_report_jobs
    from eventsapp.retention.services import run_retention
    from eventsapp.scheduler.services import register_job
    from eventsapp.surveys.services import send_due_surveys, send_survey_reminders
    from eventsapp.webhooks.delivery import scheduled_round as deliver_webhooks

    register_job(app, "outbox", timedelta(seconds=app.config["OUTBOX_INTERVAL_SECONDS"]),
                 lambda now: deliver_due_messages(limit=app.config["OUTBOX_BATCH"]))
    register_job(app, "reminders", timedelta(seconds=app.config["REMINDER_INTERVAL_SECONDS"]), send_due_reminders)
    # Surveys go out when an event ends and remind days later: a few minutes late is on time.
    register_job(app, "surveys", timedelta(seconds=app.config["SURVEY_INTERVAL_SECONDS"]), send_due_surveys)
    # The answers kept under the API's Idempotency-Keys are forgotten after API_IDEMPOTENCY_HOURS.
    register_job(app, "api-idempotency-keys", timedelta(hours=1), lambda now: forget_old_idempotent_responses(
        now, timedelta(hours=app.config["API_IDEMPOTENCY_HOURS"])))
    register_job(app, "survey-reminders", timedelta(seconds=app.config["SURVEY_INTERVAL_SECONDS"]),
                 send_survey_reminders)
    # The analytics summary: snapshots asked for (a first view, "Refresh") and those gone stale.
    register_report_jobs(app)  # the year report's kind of background job (eventsapp.jobs)
    register_badge_jobs(app)  # badge print runs, kind badge-print
    register_certificate_jobs(app)  # a contest's certificates, kind contest-certificates
    # Jobs whose process died are failed with a reason: in the scheduler itself, as no worker may be left.
    register_job(app, "stalled-jobs", timedelta(seconds=60), fail_stalled_round, inline=True)
    # Finished jobs older than JOB_FILES_KEEP_DAYS go with their result files, and files no job names.
    register_job(app, "job-files", timedelta(hours=1), remove_old_jobs)
    register_job(app, "analytics", timedelta(seconds=app.config["ANALYTICS_POLL_SECONDS"]), refresh_due)
    register_job(app, "webhooks", timedelta(seconds=app.config["WEBHOOK_INTERVAL_SECONDS"]), deliver_webhooks)
    register_job(app, "retention", timedelta(seconds=app.config["RETENTION_INTERVAL_SECONDS"]),
                 lambda now: len(run_retention(now, default_months=app.config["RETENTION_MONTHS"])), timeout=3600)


def register_errorhandlers(app: Flask) -> None:
    from eventsapp.main.errors import register
    register(app)


def register_commands(app: Flask) -> None:
    from eventsapp.accounts.cli import create_user_command
    from eventsapp.awards import cli as award_commands
    from eventsapp.badges.cli import badges_group
    from eventsapp.contests.cli import contest_group
    from eventsapp.demo.cli import seed_demo_command
    from eventsapp.jobs.cli import jobs_group
    from eventsapp.matchmaking.cli import match_group
    from eventsapp.notifications.cli import outbox_group
    from eventsapp.ops.cli import backup_group
    from eventsapp.reports.cli import report_group
    from eventsapp.retention.cli import retention_group
    from eventsapp.reviews import cli as review_commands
    from eventsapp.scheduler.cli import schedule_group
    from eventsapp.surveys.cli import surveys_group
    from eventsapp.talentday.cli import talent_day_group
    from eventsapp.webhooks.cli import webhooks_group

    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(talent_day_group)
    app.cli.add_command(match_group)
    app.cli.add_command(outbox_group)
    app.cli.add_command(schedule_group)
    app.cli.add_command(badges_group)
    app.cli.add_command(surveys_group)
    review_commands.add_commands(contest_group)  # the features running a contest add to its group
    award_commands.add_commands(contest_group)
    app.cli.add_command(contest_group)
    app.cli.add_command(report_group)
    app.cli.add_command(backup_group)
    app.cli.add_command(jobs_group)
    app.cli.add_command(webhooks_group)
    app.cli.add_command(retention_group)
