"""The key hierarchy of sealed bids: platform key -> tender key -> data key of each file.

The platform key comes from the environment (``PLATFORM_KEY``, 32 bytes, base64) and is never
stored in the database. Outside production a development key is created once in the instance
folder, so `make run` works without configuration. Unwrapping a tender's key is only done by
the services that seal a new file (wrapping needs the key) and by the opening.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from flask import current_app

from procurement.bids import sealing
from procurement.bids.models import TenderKey
from procurement.database import utcnow
from procurement.extensions import db
from procurement.tenders.models import Tender

DEV_KEY_FILE = "platform.key"


class PlatformKeyError(RuntimeError):
    """PLATFORM_KEY is missing or malformed: sealed bids cannot be written or opened."""


def decode_platform_key(text: str) -> bytes:
    try:
        key = base64.b64decode(
            text.strip(), altchars=b"-_" if "-" in text or "_" in text else None, validate=True
        )
    except (binascii.Error, ValueError) as err:
        raise PlatformKeyError("PLATFORM_KEY is not valid base64") from err
    if len(key) != sealing.KEY_BYTES:
        raise PlatformKeyError(f"PLATFORM_KEY must be {sealing.KEY_BYTES} bytes, base64-encoded")
    return key


def _development_key() -> bytes:
    path = Path(current_app.instance_path) / DEV_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(base64.b64encode(sealing.new_key()).decode("ascii"))
    return decode_platform_key(path.read_text())


def platform_key() -> bytes:
    """The platform key of this installation."""
    configured = current_app.config.get("PLATFORM_KEY") or ""
    if configured:
        return decode_platform_key(configured)
    if current_app.config["APP_ENV"] == "production":
        raise PlatformKeyError("PLATFORM_KEY must be set in production")
    return _development_key()


def tender_key(tender: Tender) -> bytes:
    """The tender's key in clear, created (and stored wrapped) on first use."""
    master = platform_key()
    row = db.session.get(TenderKey, tender.id)
    if row is None:
        key = sealing.new_key()
        row = TenderKey(
            tender_id=tender.id,
            wrapped_key=sealing.wrap_key(key, master),
            platform_key_id=sealing.key_id(master),
            created_at=utcnow(),
        )
        db.session.add(row)
        db.session.flush()
        return key
    if row.platform_key_id != sealing.key_id(master):
        raise PlatformKeyError(
            f"tender {tender.id} was sealed with platform key {row.platform_key_id}, "
            f"this installation has {sealing.key_id(master)}"
        )
    return sealing.unwrap_key(row.wrapped_key, master)
