"""The ``flask contest`` command group. Contests own the group; the features that run a contest add
their commands to it when the app is made (``eventsapp.register_commands``): judging's ``contest
assign`` (eventsapp.reviews.cli) and the results' ``contest results`` (eventsapp.awards.cli)."""
from __future__ import annotations

from flask.cli import AppGroup

contest_group = AppGroup("contest", help="Run a contest from the command line: judging assignments and results.")
