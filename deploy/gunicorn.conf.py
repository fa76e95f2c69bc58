"""gunicorn's settings for production: `gunicorn -c deploy/gunicorn.conf.py` (what `make prod` and the
systemd unit and Compose file run). Every value can be changed from the environment."""
import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
chdir = str(PROJECT_ROOT)
wsgi_app = "app:app"

# nginx (deploy/nginx.conf) sits in front on the same machine; GUNICORN_BIND=0.0.0.0:8000 in a container.
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
# Synchronous workers, as nginx buffers slow clients: twice the cores plus one, gunicorn's rule of thumb
# (WEB_CONCURRENCY overrides, e.g. on a machine shared with PostgreSQL).
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
# A request that takes longer is a bug (long work is a job): its worker is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On SIGTERM (systemctl stop, docker stop, a deploy) workers finish the requests in hand for this long.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5  # behind nginx's keep-alive upstream connections
# Workers are replaced now and then, at different times, so a slow leak never grows.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# Heartbeat files in memory, not on a disk that may stall (Docker's overlay, a busy volume).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicornc's control socket, one per address: two nodes on one machine (or a test beside them) keep apart.
_node = bind[0].replace(":", "-").replace("/", "_")
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET") or str(Path(tempfile.gettempdir())
                                                                   / f"eventsapp-gunicorn-{_node}.ctl")
# X-Forwarded-* from nginx on this machine; the app's ProxyFix (TRUSTED_PROXIES) decides what it believes.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The app writes one JSON line per request itself (logger eventsapp.request: method, path, status, duration,
# endpoint, request id). gunicorn's own access log repeats it in the classic format when asked for
# (GUNICORN_ACCESS_LOG=- for standard output, or a file), with the request id at the end.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = '%(h)s - %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s" %({x-request-id}o)s'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
if os.environ.get("LOG_FORMAT", "json" if os.environ.get("APP_ENV") == "production" else "text") == "json":
    # gunicorn's own lines (worker started, timeout, ...) as JSON too, through the handler the app's lines use
    # (named as eventsapp.requestlog names it, so the app adds no second one).
    logconfig_dict = {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"json": {"()": "eventsapp.requestlog.JsonFormatter"}},
        "handlers": {"eventsapp-json": {"class": "logging.StreamHandler", "formatter": "json",
                                        "stream": "ext://sys.stderr"}},
        "root": {"level": os.environ.get("LOG_LEVEL", "INFO").upper(), "handlers": ["eventsapp-json"]},
        "loggers": {"gunicorn.error": {"level": loglevel.upper(), "handlers": [], "propagate": True},
                    # the app writes the line per request; gunicorn repeats it only when asked
                    "gunicorn.access": {"level": "INFO" if accesslog else "WARNING", "handlers": [],
                                        "propagate": True}},
    }

# Prometheus: each worker writes its counters to files here, and /metrics adds every worker's up. The
# folder is emptied when gunicorn starts (old workers' files would count twice) and a dead worker's
# gauges are dropped. Set before the workers import prometheus_client, which reads it once.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR",
                      str(Path(tempfile.gettempdir()) / f"eventsapp-metrics-{_node}"))


def on_starting(server):
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, mode=0o700)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
