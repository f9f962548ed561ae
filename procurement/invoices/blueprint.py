"""The invoice pages: a vendor's invoices per contract, a municipality's incoming invoices, the
XRechnung check of uploaded files."""

from flask import Blueprint

bp = Blueprint("invoices", __name__)
