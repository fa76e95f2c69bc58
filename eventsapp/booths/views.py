"""Booths: applications, organizers' approval, halls and placement, the public floor plan."""
from flask import Blueprint

blueprint = Blueprint("booths", __name__)
