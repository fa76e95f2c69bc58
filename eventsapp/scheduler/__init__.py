"""One scheduler for the work that runs on a clock: delivering the outbox, sending reminders, and whatever a
feature registers. A feature (or the application factory) calls ``register_job(app, name, every, func)``;
``flask schedule run`` runs each job every ``every``, as ``func(now)`` inside an app context, never from a
web request; with JOB_QUEUE_URL set it only queues the round on the rounds' RQ queue ROUNDS_QUEUE_NAME
(eventsapp.rqueue) and the rounds' worker (`flask jobs worker --rounds`) runs it. Two schedulers may run at
once: a job's round is claimed on its row of ``scheduled_job`` with a lease (a lock with an expiry), so each
round runs (or is queued) once.

May import only the shared modules at eventsapp's top level.
"""

ALLOWED_IMPORTS = frozenset()
