"""The support desk pages: /beratung (municipalities' requests), /kompetenzzentrum/anfragen (queue), /faq."""

from flask import Blueprint

bp = Blueprint("desk", __name__)
