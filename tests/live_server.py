"""The test app behind a real WSGI server, for tests whose requests must travel over HTTP: a browser, or
many people at once. The server's threads work on their own connections, so such a test asks for
``real_commits`` (see tests/conftest.py)."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server


@contextmanager
def served(app) -> Iterator[str]:
    """The app on a free port of 127.0.0.1, a thread per request, while the block runs: its address."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
