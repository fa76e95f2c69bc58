"""Entry point: `flask --app app <command>` and `gunicorn app:app` find the application here."""
from eventsapp import create_app

app = create_app()
