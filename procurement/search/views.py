"""Search blueprint: public full-text search over published solutions and pilot projects."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("search", __name__)
