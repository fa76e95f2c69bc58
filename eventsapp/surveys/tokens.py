"""The personal link of a survey invitation: the invitation's id signed with the app's key, so it works
without logging in and cannot be made up or bent to another invitation."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "survey-invitation"
MAX_TOKEN_LENGTH = 200


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def invitation_token(invitation_id: int) -> str:
    return _serializer().dumps(invitation_id)


def invitation_id_from(token: str) -> int | None:
    """The invitation id inside a link this app signed; None for anything else."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        invitation_id = _serializer().loads(token)
    except BadSignature:
        return None
    return invitation_id if type(invitation_id) is int else None
