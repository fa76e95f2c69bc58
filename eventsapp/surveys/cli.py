"""`flask surveys ...`: send the surveys that are due and their reminders, once, for scripts and cron.
The scheduler runs the same functions (``send_due_surveys``, ``send_survey_reminders``)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.surveys.services import send_due_surveys, send_survey_reminders

surveys_group = AppGroup("surveys", help="Post-event surveys.")


@surveys_group.command("send-due")
def send_due_command() -> None:
    """Send the surveys of events that have ended, then the reminders that are due."""
    now = utcnow()
    invited = send_due_surveys(now)
    reminded = send_survey_reminders(now)
    db.session.commit()
    click.echo(f"{invited} invitations and {reminded} reminders queued.")
