"""Settings: the site's own address follows the port `make run` serves on."""
import os
import subprocess
import sys
from pathlib import Path

from eventsapp.config import default_public_base_url


def test_links_follow_the_port_unless_public_base_url_is_set():
    assert default_public_base_url({}) == "http://127.0.0.1:5000"
    assert default_public_base_url({"PORT": "8000"}) == "http://127.0.0.1:8000"
    assert default_public_base_url({"PORT": "8000", "PUBLIC_BASE_URL": "https://talent.example.cn"}) \
        == "https://talent.example.cn"


def test_make_serve_hands_its_port_to_the_server_and_the_outbox_worker():
    """`PORT=8000 make run` ends in `make serve`: the app (and so its links) must see PORT=8000."""
    root = Path(__file__).resolve().parents[2]
    plan = subprocess.run(["make", "--no-print-directory", "-n", "serve"], cwd=root, capture_output=True, text=True,
                          check=True, env={**os.environ, "PORT": "8000"}).stdout
    assert "export PORT=8000;" in plan and "--port 8000" in plan
    read_setting = "from eventsapp.config import Config; print(Config.PUBLIC_BASE_URL)"
    environment = {**{k: v for k, v in os.environ.items() if k != "PUBLIC_BASE_URL"}, "PORT": "8000"}
    configured = subprocess.run([sys.executable, "-c", read_setting], cwd=root, capture_output=True, text=True,
                                check=True, env=environment)
    assert configured.stdout.strip() == "http://127.0.0.1:8000"
