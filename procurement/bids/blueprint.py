"""The bids blueprint: vendors' bid pages and the lead officers' opening pages.

Routes live in ``vendor_views`` (prepare, upload, submit, withdraw, receipt) and
``opening_views`` (confirm the opening, the opening record, opened bids); both register on
this one blueprint, and `create_app` imports them.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("bids", __name__)
