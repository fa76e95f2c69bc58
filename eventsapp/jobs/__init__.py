"""Background jobs: long work (a year report, later badge print runs and the rest) run outside the web
request, with progress, a heartbeat, stalled detection and a stored result to download. One table
(``background_job``), one runner: RQ on JOB_QUEUE_URL when set, a thread of the web process otherwise. A
feature registers what a kind of job does with ``register_kind(app, kind, func)``; the pages at
``/manage/jobs/<id>`` show any job's progress and offer its result.

May import, besides the shared modules at eventsapp's top level: accounts.
"""

ALLOWED_IMPORTS = frozenset({"accounts"})
