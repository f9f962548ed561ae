"""Configuration read from the environment; see README "Configuration"."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _flag(environ: dict[str, str], name: str, default: bool) -> bool:
    value = environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _default_rules_dir(name: str) -> str:
    """The official validation artefacts beside the checkout (``../shared/<name>``), if present."""
    candidate = ROOT.parent / "shared" / name
    return str(candidate) if candidate.is_dir() else ""


def load_config(environ: dict[str, str] | None = None) -> dict[str, object]:
    """Build the Flask configuration from environment variables."""
    env = dict(os.environ if environ is None else environ)
    production = env.get("APP_ENV", "development") == "production"
    secret_key = env.get("SECRET_KEY")
    if production and not secret_key:
        raise RuntimeError("SECRET_KEY must be set when APP_ENV=production")
    platform_key = env.get("PLATFORM_KEY", "")
    if production and not platform_key:
        raise RuntimeError("PLATFORM_KEY must be set when APP_ENV=production")
    instance = Path(env.get("INSTANCE_PATH", ROOT / "instance"))
    return {
        "APP_ENV": "production" if production else "development",
        "SECRET_KEY": secret_key or "dev-only-not-secret",
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL", f"sqlite:///{instance / 'vergabe.sqlite'}"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        # SMTP_URL: smtp://host:port, smtp+starttls://user:pass@host:587 or smtps://...;
        # unset means mail is written to the log instead of being sent.
        "SMTP_URL": env.get("SMTP_URL", ""),
        "MAIL_FROM": env.get("MAIL_FROM", "Vergabe-Marktplatz <noreply@vergabe-marktplatz.example>"),
        "MAIL_SEND_AFTER_REQUEST": _flag(env, "MAIL_SEND_AFTER_REQUEST", not production),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute"),
        # JSON API: per token, per client address without one
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT", "120 per minute"),
        "INVITATION_VALID_DAYS": int(env.get("INVITATION_VALID_DAYS", "7")),
        "PASSWORD_RESET_VALID_SECONDS": int(env.get("PASSWORD_RESET_VALID_SECONDS", "7200")),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(env.get("SESSION_HOURS", "8"))),
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "MAX_CONTENT_LENGTH": int(env.get("MAX_FORM_BYTES", str(2 * 1024 * 1024))),
        "WTF_CSRF_TIME_LIMIT": int(env.get("CSRF_TIME_LIMIT_SECONDS", "3600")),
        "BABEL_DEFAULT_LOCALE": "de",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Berlin",
        "LANGUAGES": ("de", "en"),
        "BOOTSTRAP_SERVE_LOCAL": True,
        "INSTANCE_PATH": str(instance),
        # Uploaded documents of the marketplace (local directory; later bids use it too).
        "STORAGE_DIR": env.get("STORAGE_DIR", str(instance / "storage")),
        "MAX_DOCUMENT_BYTES": int(env.get("MAX_DOCUMENT_BYTES", str(20 * 1024 * 1024))),
        # Sealed bids: the key that wraps every tender's key (32 bytes, base64). Unset outside
        # production: a development key is created in the instance folder.
        "PLATFORM_KEY": platform_key,
        "MAX_BID_FILE_BYTES": int(env.get("MAX_BID_FILE_BYTES", str(200 * 1024 * 1024))),
        "MAX_BID_BYTES": int(env.get("MAX_BID_BYTES", str(1024 * 1024 * 1024))),
        # the largest Vergabeakte (ZIP) the check page accepts; spooled to a temporary file
        "MAX_ARCHIVE_BYTES": int(env.get("MAX_ARCHIVE_BYTES", str(4 * 1024 * 1024 * 1024))),
        # Where files are kept: unset means the local STORAGE_DIR; s3://bucket/prefix for
        # S3-compatible object storage (endpoint and credentials from the S3_* variables).
        "STORAGE_URL": env.get("STORAGE_URL", ""),
        "S3_ENDPOINT_URL": env.get("S3_ENDPOINT_URL", ""),
        # The official CPV list as CSV (code;label_de[;label_en]); unset: the built-in selection.
        "CPV_CODES_FILE": env.get("CPV_CODES_FILE", ""),
        # Search results kept per worker process, keyed by the index version (0: no cache).
        "SEARCH_CACHE_SIZE": int(env.get("SEARCH_CACHE_SIZE", "256")),
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted
        # (client address for rate limits and the audit log, https for links and cookies).
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        # The official eForms SDK artefacts (schemas/, xslt/), laid out like ../shared/eforms;
        # without them only the platform's own checks run on a notice.
        "EFORMS_RULES_DIR": env.get("EFORMS_RULES_DIR", _default_rules_dir("eforms")),
        # §60 VgV: a price more than this share below the next bid of the lot is flagged as
        # abnormally low and must be explained before the award or an exclusion.
        "ABNORMALLY_LOW_THRESHOLD": Decimal(env.get("ABNORMALLY_LOW_THRESHOLD", "0.20")),
        # The official XRechnung artefacts (xsd/, xslt/), laid out like ../shared/xrechnung (KoSIT's
        # validator configuration); without them only the xrechnung library's own checks run.
        "XRECHNUNG_RULES_DIR": env.get("XRECHNUNG_RULES_DIR", _default_rules_dir("xrechnung")),
        # Largest XRechnung file the check page accepts (bytes); larger uploads are refused unread.
        "MAX_XRECHNUNG_BYTES": int(env.get("MAX_XRECHNUNG_BYTES", str(10 * 1024 * 1024))),
        # OCDS: the publisher's registered ocid prefix; the default only looks like one and must be
        # replaced by the operator's prefix from the Open Contracting Partnership.
        "OCDS_PREFIX": env.get("OCDS_PREFIX", "ocds-vm0dev"),
        # "Invoice all participants" validates large batches in this many worker processes per
        # app process (each compiles the official rules once, ~100 MB); 1 validates in-process.
        "INVOICE_VALIDATION_WORKERS": int(env.get("INVOICE_VALIDATION_WORKERS", "2")),
    }
