"""Employers browse the registrants they may see, shortlist them; candidates see who viewed them."""
from flask import Blueprint

blueprint = Blueprint("browse", __name__)
