"""Who may open what: each rule lives here once and views declare which one they need."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def organizer_required(view):
    """Organizers and administrators manage events."""
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_organizer:
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def admin_required(view):
    """Only administrators grant roles."""
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapped
