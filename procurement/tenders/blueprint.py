"""The tenders blueprint: officers' pages under /vergaben, the public ones under /ausschreibungen.

Routes live in several modules (views, participation_views, document_views, public_views) that
all register on this one blueprint; `create_app` imports them.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("tenders", __name__)
