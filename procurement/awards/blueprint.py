"""The evaluation and award pages: /vergaben/<id>/wertung/…, /vergaben/<id>/zuschlag/…, contracts."""

from flask import Blueprint

bp = Blueprint("awards", __name__)
