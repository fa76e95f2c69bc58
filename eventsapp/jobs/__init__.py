"""Background jobs: long work (year reports, badge print runs, ...) run outside the web request, with
progress, a heartbeat, stalled detection, retries with back-off, a timeout per kind and a stored result to
download. One table (``background_job``), one runner: the RQ queue JOB_QUEUE_NAME on JOB_QUEUE_URL when set
(`flask jobs worker`), a thread of the web process otherwise. A feature registers what a kind of job does
with ``register_kind(app, kind, func, ...)``; ``/manage/jobs/`` lists the running, queued and failed jobs
(and, for administrators, the scheduled work), ``/manage/jobs/<id>`` shows one job's progress and result.

May import, besides the shared modules at eventsapp's top level: accounts, events (an event job's name and
its organizers), scheduler (the scheduled work on the jobs page).
"""

ALLOWED_IMPORTS = frozenset({"accounts", "events", "scheduler"})
