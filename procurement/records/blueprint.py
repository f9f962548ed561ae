"""The records pages: Vergabevermerk, Vergabeakte, notes, grants, the auditor's workspace, the
archive check, the Kompetenzzentrum's overview."""

from flask import Blueprint

bp = Blueprint("records", __name__)
