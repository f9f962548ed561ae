"""Needs blueprint: needs, bundling proposals, invitations, the municipality dashboard."""

from __future__ import annotations

from flask import Blueprint

from procurement.needs import models  # noqa: F401 - registers the tables

bp = Blueprint("needs", __name__)
