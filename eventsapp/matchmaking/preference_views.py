"""Matching preferences: the organizer's settings, candidates' ranked booths, employers' view of their ranking."""
from flask import Blueprint

blueprint = Blueprint("preferences", __name__)
