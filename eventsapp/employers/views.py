"""Organizations: the employer's own organization and its staff; organizers verify them."""
from flask import Blueprint

blueprint = Blueprint("organizations", __name__)
