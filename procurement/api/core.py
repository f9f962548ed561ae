"""The JSON API's core: the flask-smorest ``Api``, token auth, problem details, pagination, ETags.

Why flask-smorest: it works with our plain Flask app and ordinary Flask blueprints (no second
application class as APIFlask would bring), validates and documents with marshmallow schemas,
and generates the OpenAPI 3 description from the code (``/api/v1/openapi.json``).

How an API module plugs in (``procurement/api/public.py``, ``procurement/api/private.py``)::

    from procurement.api.core import api_blueprint, token_auth, current_token, paginate, PageArgs

    blp = api_blueprint("needs", __name__, "/needs", description="...")

    @blp.route("/")
    class Needs(MethodView):
        @token_auth("read")
        @blp.arguments(PageArgs, location="query")
        @blp.response(200, NeedSchema(many=True), headers=PAGE_HEADERS)
        def get(self, args):
            page = paginate(select(Need).where(...), args)
            return page.items, page.headers

Every module named in ``API_MODULES`` (config ``API_MODULES`` overrides it) that exists is
imported and its ``blp`` registered: add a new module's name there.

Rules every endpoint gets from here:
- errors under ``/api/`` are RFC 9457 problem details (``application/problem+json`` with
  type/title/status/detail/instance); request validation fails with 400 and ``errors`` (a list of
  ``{"location", "field", "messages"}``); domain rules refusing a well-formed request give 422
  (``DomainError``) or 409 (``InvalidTransition``, a concurrent change);
- ``token_auth(scope)``: 401 without/with an unknown or revoked token, 403 for a missing scope;
- rate limit ``API_RATE_LIMIT`` per token (anonymous callers: per client address), 429 with
  Retry-After;
- the views are exempt from CSRF (no cookies: a bearer token or nothing).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from http import HTTPStatus
from pathlib import Path
from typing import Any, Optional, TypeVar

import flask_smorest
import marshmallow as ma
import swagger_ui_bundle
from flask import Blueprint as FlaskBlueprint
from flask import (
    Flask,
    Response,
    current_app,
    g,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_smorest.utils import prepare_response
from sqlalchemy import Select, func, select
from sqlalchemy.orm.exc import StaleDataError
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from procurement.api.models import ApiToken
from procurement.database import utcnow
from procurement.errors import DomainError
from procurement.extensions import csrf, db, limiter
from procurement.web import transition_message
from workflows import InvalidTransition

API_PREFIX = "/api/v1"
# the modules whose ``blp`` (or ``bp``, or list ``blueprints``) make up the API; a module is
# listed once it imports cleanly (the app factory imports every one of them)
API_MODULES = ("procurement.api.public", "procurement.api.private")
PROBLEM_JSON = "application/problem+json"
BEARER_SECURITY = [{"bearerAuth": []}]
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100

F = TypeVar("F", bound=Callable[..., Any])


# --- problem details (RFC 9457) -----------------------------------------------------------


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem details object."""

    type = ma.fields.String(metadata={"description": "URI of the problem type; about:blank: see status"})
    title = ma.fields.String(metadata={"description": "Short summary of the problem type"})
    status = ma.fields.Integer(metadata={"description": "HTTP status code"})
    detail = ma.fields.String(metadata={"description": "What happened, for a person"})
    instance = ma.fields.String(metadata={"description": "The request path"})
    errors = ma.fields.List(
        ma.fields.Dict(),
        metadata={"description": "Validation errors: location, field, messages"},
    )


def is_api_request() -> bool:
    return request.path == API_PREFIX or request.path.startswith("/api/")


def problem(
    status: int,
    detail: Optional[str] = None,
    *,
    type_: str = "about:blank",
    title: Optional[str] = None,
    headers: Optional[dict[str, str]] = None,
    **extra: Any,
) -> Response:
    """Build a problem details response."""
    body: dict[str, Any] = {
        "type": type_,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or HTTPStatus(status).description,
        "instance": request.path,
        **extra,
    }
    response = current_app.json.response(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _flatten(messages: Any, path: tuple[str, ...] = ()) -> Iterable[tuple[str, list[str]]]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _flatten(value, (*path, str(key)))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        yield ".".join(path), list(messages)
    else:
        yield ".".join(path), [str(messages)]


def validation_errors(messages: dict[str, Any]) -> list[dict[str, Any]]:
    """Turn webargs' ``{"query": {"page": ["..."]}}`` into a flat list of field errors."""
    errors = []
    for location, fields in messages.items():
        for field, texts in _flatten(fields):
            errors.append({"location": location, "field": field or None, "messages": texts})
    return errors


_DETAILS = {
    400: lambda: _("Die Anfrage ist fehlerhaft."),
    401: lambda: _("Für diese Anfrage ist ein gültiger API-Token nötig (Authorization: Bearer …)."),
    403: lambda: _("Dieser API-Token darf das nicht."),
    404: lambda: _("Diese Ressource gibt es nicht."),
    405: lambda: _("Diese Methode ist hier nicht erlaubt."),
    413: lambda: _("Die Anfrage ist zu groß."),
    415: lambda: _("Dieses Format wird hier nicht angenommen."),
    429: lambda: _("Zu viele Anfragen in kurzer Zeit. Bitte warten Sie, bevor Sie es erneut versuchen."),
    500: lambda: _("Ein interner Fehler ist aufgetreten."),
}


def _http_problem(err: HTTPException) -> Response:
    code = err.code or 500
    data = getattr(err, "data", None) or {}
    headers: dict[str, str] = {}
    extra: dict[str, Any] = {}
    detail = data.get("message") or (_DETAILS[code]() if code in _DETAILS else None)
    type_ = "about:blank"
    messages = data.get("errors") or data.get("messages")
    if messages and code in (400, 422):
        extra["errors"] = validation_errors(messages)
        type_ = f"{API_PREFIX}/docs#problem-validation"
        detail = data.get("message") or _("Die Anfrage enthält ungültige Angaben.")
    if code == 405 and getattr(err, "valid_methods", None):
        headers["Allow"] = ", ".join(err.valid_methods)
    if code == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    if code == 429:
        headers["Retry-After"] = str(_retry_after())
    headers.update(data.get("headers") or {})
    return problem(code, detail, type_=type_, headers=headers, **extra)


def _retry_after() -> int:
    current = getattr(g, "view_rate_limit", None) or limiter.current_limit
    reset_at = getattr(current, "reset_at", None)
    if reset_at:
        return max(1, math.ceil(reset_at - time.time()))
    return 60


def _chain_error_handler(app: Flask, exc_class: type[BaseException], api_handler: Callable) -> None:
    """Answer ``exc_class`` under /api/ with problem details; keep the web's handler elsewhere."""
    previous = app.error_handler_spec[None][None].get(exc_class)

    def handler(err):  # type: ignore[no-untyped-def]
        if is_api_request():
            db.session.rollback()
            return api_handler(err)
        if previous is not None:
            return previous(err)
        if isinstance(err, HTTPException):
            return err
        raise err

    app.register_error_handler(exc_class, handler)


def _handle_http(err: HTTPException):  # type: ignore[no-untyped-def]
    if err.code == 304:
        # If-None-Match named the current ETag (flask-smorest's etag or ``conditional``)
        response = current_app.response_class(status=304)
        named = list(request.if_none_match)  # empty for "If-None-Match: *"
        if named:
            response.set_etag(named[0])
        return response
    if err.code is not None and err.code < 400:
        return err
    return _http_problem(err)


def _handle_domain(err: DomainError) -> Response:
    message = str(err.message)
    return problem(err.status_code, message % err.params if err.params else message)


def _handle_transition(err: InvalidTransition) -> Response:
    db.session.rollback()
    return problem(409, transition_message(err), type_=f"{API_PREFIX}/docs#problem-transition")


def _handle_stale(err: StaleDataError) -> Response:
    return problem(409, _("Jemand anderes hat diesen Datensatz gerade geändert. Bitte erneut laden."))


# --- Api, blueprints ----------------------------------------------------------------------


class _Parser(FlaskParser):
    # a request that does not fit the documented parameters is a bad request; 422 stays for
    # domain rules refusing a well-formed one
    DEFAULT_VALIDATION_STATUS = 400


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint of the API (validation 400, ETag over the pagination headers)."""

    ARGUMENTS_PARSER = _Parser()
    ETAG_INCLUDE_HEADERS = ["X-Total-Count", "Link"]


class Api(flask_smorest.Api):
    """flask-smorest's Api with problem details instead of its own error payload."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        # registered in init_api, chained with the web's handlers (HTML stays HTML)
        pass

    def _register_responses(self) -> None:
        for status in HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Problem details (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def api_blueprint(name: str, import_name: str, path: str, *, description: str = "") -> Blueprint:
    """Create a blueprint of the API mounted at ``/api/v1<path>``."""
    return Blueprint(f"api_{name}", import_name, url_prefix=API_PREFIX + path, description=description)


def current_api(app: Optional[Flask] = None) -> Api:
    return (app or current_app).extensions["procurement-api"]


# --- tokens -------------------------------------------------------------------------------

_UNRESOLVED = object()


def _request_token() -> Optional[ApiToken]:
    """Resolve the request's bearer token once (rate limit key and token_auth share it)."""
    cached = g.get("_api_token", _UNRESOLVED)
    if cached is _UNRESOLVED:
        from procurement.api.tokens import bearer_value, resolve_token

        cached = resolve_token(bearer_value(request.headers.get("Authorization")))
        g._api_token = cached
    return cached  # type: ignore[return-value]


def current_token() -> ApiToken:
    """Return the token that authenticated this request (inside ``token_auth`` views)."""
    token = g.get("api_token")
    if token is None:
        raise RuntimeError("current_token() outside a token_auth view")
    return token


def _abort_problem(status: int, detail: str) -> None:
    err = HTTPException(description=detail)
    err.code = status
    err.data = {"message": detail}  # type: ignore[attr-defined]
    raise err


def token_auth(scope: str = "read") -> Callable[[F], F]:
    """Require a valid bearer token with ``scope`` ("read" or "write"); 401 or 403 otherwise."""

    def decorator(func: F) -> F:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from procurement.api.tokens import mark_used

            token = _request_token()
            if token is None:
                if request.headers.get("Authorization"):
                    _abort_problem(401, _("Der API-Token ist unbekannt oder wurde widerrufen."))
                _abort_problem(401, _DETAILS[401]())
            assert token is not None
            if not token.has_scope(scope):
                _abort_problem(
                    403, _("Dieser API-Token hat nicht die Berechtigung „%(scope)s“.", scope=scope)
                )
            g.api_token = token
            mark_used(token, now=utcnow())
            return func(*args, **kwargs)

        doc = flask_smorest.Blueprint.doc(
            security=BEARER_SECURITY,
            # names of flask-smorest's lazily registered responses (problem details)
            responses={"401": "UNAUTHORIZED", "403": "FORBIDDEN"},
        )
        return doc(wrapper)  # type: ignore[return-value]

    return decorator


def rate_limit_key() -> str:
    """Key API rate limits by token; anonymous callers (and unknown tokens) by client address."""
    token = _request_token()
    if token is not None:
        return f"api-token:{token.id}"
    return f"api-addr:{get_remote_address()}"


def _rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", "120 per minute")


# one Limit object: applied to a blueprint again (a second app) it is not counted twice
_api_limit = limiter.limit(_rate_limit, key_func=rate_limit_key)


# --- pagination ---------------------------------------------------------------------------


class PageArgs(ma.Schema):
    """page (from 1) and per_page (1–100) of a list."""

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=100_000))
    per_page = ma.fields.Integer(
        load_default=DEFAULT_PER_PAGE, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE)
    )


PAGE_HEADERS = {
    "X-Total-Count": {"description": "Number of items in all pages", "schema": {"type": "integer"}},
    "Link": {"description": "RFC 8288 links: first, prev, next, last", "schema": {"type": "string"}},
}


@dataclass
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def last_page(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Total-Count": str(self.total), "Link": self.link_header()}

    def link_header(self) -> str:
        args = request.args.to_dict(flat=False)  # repeated parameters (category=a&category=b) stay

        def link(page: int, rel: str) -> str:
            url = url_for(request.endpoint or "", **(request.view_args or {}), **{**args, "page": page})
            return f'<{url}>; rel="{rel}"'

        links = [link(1, "first")]
        if self.page > 1:
            links.append(link(min(self.page - 1, self.last_page), "prev"))
        if self.page < self.last_page:
            links.append(link(self.page + 1, "next"))
        links.append(link(self.last_page, "last"))
        return ", ".join(links)


def paginate(statement: Select, args: dict[str, Any]) -> Page:
    """Run a select for one page (``args`` from ``PageArgs``); return items and headers."""
    page, per_page = args.get("page", 1), args.get("per_page", DEFAULT_PER_PAGE)
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    items = list(db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, total=total or 0, page=page, per_page=per_page)


def paginate_query(statement: Select) -> tuple[list[Any], dict[str, str]]:
    """Paginate a select by the request's ``page``/``per_page``; return ``(items, headers)``.

    For views that do not declare ``PageArgs`` themselves (declare it to have them documented).
    """
    try:
        args = PageArgs().load(
            {key: request.args[key] for key in ("page", "per_page") if key in request.args}
        )
    except ma.ValidationError as err:
        raise _validation_error({"query": err.messages}) from err
    page = paginate(statement, args)
    return page.items, page.headers


def _validation_error(messages: dict[str, Any]) -> HTTPException:
    err = HTTPException(description="invalid request")
    err.code = 400
    err.data = {"messages": messages}  # type: ignore[attr-defined]
    return err


def paginate_list(items: list[Any], args: dict[str, Any]) -> Page:
    """Paginate items already in memory (e.g. search results)."""
    page, per_page = args.get("page", 1), args.get("per_page", DEFAULT_PER_PAGE)
    start = (page - 1) * per_page
    return Page(items=items[start : start + per_page], total=len(items), page=page, per_page=per_page)


# --- ETags for files ----------------------------------------------------------------------


def etag_of(*parts: object) -> str:
    """Return a strong ETag value for the given parts (e.g. a stored file's sha256)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def conditional(response: Response, etag: str) -> Response:
    """Set the ETag; answer 304 Not Modified when If-None-Match names it."""
    response.set_etag(etag)
    if request.if_none_match.contains(etag):
        not_modified = current_app.response_class(status=304)
        not_modified.set_etag(etag)
        return not_modified
    return response


# --- interactive docs (Swagger UI from the locally installed swagger-ui-bundle) --------------

SWAGGER_UI_DIR = Path(swagger_ui_bundle.swagger_ui_path)
docs_bp = FlaskBlueprint("api_docs", __name__, url_prefix=API_PREFIX)
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


@docs_bp.get("/docs")
def docs() -> Response:
    response = current_app.make_response(render_template("api/docs.html"))
    # Swagger UI sets inline styles; scripts stay 'self' only
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


@docs_bp.get("/docs/init.js")
def docs_init() -> Response:
    # validatorUrl None: Swagger UI would otherwise send the description to validator.swagger.io
    config = {"url": url_for("api-docs.openapi_json"), "dom_id": "#swagger-ui", "validatorUrl": None}
    script = (
        "window.addEventListener('load', function () {\n"
        f"  var config = {current_app.json.dumps(config)};\n"
        "  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset];\n"
        "  config.layout = 'StandaloneLayout';\n"
        "  window.ui = SwaggerUIBundle(config);\n"
        "});\n"
    )
    return current_app.response_class(script, mimetype="text/javascript")


@docs_bp.get("/docs/assets/<path:filename>")
def docs_asset(filename: str) -> Response:
    return send_from_directory(SWAGGER_UI_DIR, filename, max_age=86400)


@docs_bp.get("/")
def index() -> Response:
    return current_app.json.response(
        {
            "openapi": url_for("api-docs.openapi_json"),
            "docs": url_for("api_docs.docs"),
        }
    )


# --- wiring -------------------------------------------------------------------------------


def init_api(app: Flask) -> Api:
    """Set up the API on the app; call after the web's error handlers are registered."""
    app.config.setdefault("API_TITLE", "Vergabe-Marktplatz API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_RATE_LIMIT", "120 per minute")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": (
                    "Read the marketplace, public tenders, awards and OCDS without a token; "
                    "needs, invoices and bids of your organisation with a bearer token "
                    "(created on the profile page). Errors are RFC 9457 problem details."
                )
            },
            "servers": [{"url": "/"}],
        },
    )
    api = Api()
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "API token (vm_…)"}
    )
    app.extensions["procurement-api"] = api

    for module_name in app.config.get("API_MODULES", API_MODULES):
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        blueprints = getattr(module, "blueprints", None) or [getattr(module, "blp", None) or module.bp]
        for blp in blueprints:
            csrf.exempt(blp)
            _api_limit(blp)
            api.register_blueprint(blp)

    app.register_blueprint(docs_bp)
    from procurement.api.tokens import can_manage_tokens
    from procurement.api.views import bp as tokens_page_bp

    app.register_blueprint(tokens_page_bp)
    app.add_template_global(can_manage_tokens, "can_manage_api_tokens")

    _chain_error_handler(app, HTTPException, _handle_http)
    _chain_error_handler(app, DomainError, _handle_domain)
    _chain_error_handler(app, InvalidTransition, _handle_transition)
    _chain_error_handler(app, StaleDataError, _handle_stale)
    return api
