"""Entry point: `flask --app app <command>` and `gunicorn app:app` find the application here."""
import sys

from eventsapp import create_app
from eventsapp.config import ConfigurationError

try:
    app = create_app()
except ConfigurationError as problems:
    # The settings' problems, each with its fix, and no traceback; 4 is gunicorn's "app failed to load",
    # which stops gunicorn instead of starting workers again and again.
    print(f"The app cannot start with these settings:\n{problems}", file=sys.stderr)
    sys.exit(4)
