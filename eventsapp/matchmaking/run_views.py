"""Matching runs: organizers run, review and publish; candidates and employers see the interviews."""
from flask import Blueprint

blueprint = Blueprint("match_runs", __name__)
