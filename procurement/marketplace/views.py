"""Marketplace blueprint: solutions and pilot projects (create, edit, curate, documents)."""

from __future__ import annotations

from flask import Blueprint

from procurement.marketplace import models  # noqa: F401 - registers the tables

bp = Blueprint("marketplace", __name__)
