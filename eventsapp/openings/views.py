"""Openings: employers list their jobs at a fair; candidates search them and bookmark booths."""
from flask import Blueprint

blueprint = Blueprint("openings", __name__)
