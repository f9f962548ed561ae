"""Vergabe-Marktplatz: the Smart-City marketplace and joint procurement platform."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import ROOT, load_config


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, hooks, commands."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(load_config()["INSTANCE_PATH"]),
    )
    app.config.from_mapping(load_config())
    app.jinja_env.add_extension("jinja2.ext.do")
    if test_config:
        app.config.from_mapping(test_config)
    from procurement.web import DatabaseId

    app.url_map.converters["int"] = DatabaseId  # before any route: ids beyond INTEGER are 404

    from procurement import web
    from procurement.accounts.views import bp as accounts_bp
    from procurement.api import models as api_models  # noqa: F401
    from procurement.api.core import init_api
    from procurement.awards import (  # noqa: F401  (tables, tender guards; routes register on the blueprint)
        award_notice_views,
        award_views,
        contract_views,
        evaluation_views,
    )
    from procurement.awards import models as award_models  # noqa: F401
    from procurement.awards.blueprint import bp as awards_bp
    from procurement.bids import opening_views, vendor_views  # noqa: F401  (routes register on the blueprint)
    from procurement.bids.blueprint import bp as bids_bp
    from procurement.cli import register_commands
    from procurement.desk import faq_views, queue_views, request_views  # noqa: F401
    from procurement.desk import models as desk_models  # noqa: F401
    from procurement.desk.blueprint import bp as desk_bp
    from procurement.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate
    from procurement.invoices import inbox_views  # noqa: F401
    from procurement.invoices import models as invoice_models  # noqa: F401
    from procurement.invoices import vendor_views as invoice_vendor_views  # noqa: F401
    from procurement.invoices.blueprint import bp as invoices_bp
    from procurement.marketplace.views import bp as marketplace_bp
    from procurement.needs.views import bp as needs_bp
    from procurement.records import akte_views, vermerk_views, workspace_views  # noqa: F401
    from procurement.records import models as record_models  # noqa: F401
    from procurement.records.blueprint import bp as records_bp
    from procurement.search.views import bp as search_bp
    from procurement.site.views import bp as site_bp
    from procurement.tenders import (  # noqa: F401  (routes register on the blueprint)
        document_views,
        notice_views,
        participation_views,
        public_views,
        views,
    )
    from procurement.tenders.blueprint import bp as tenders_bp

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=web.select_locale,
        default_translation_directories=str(ROOT / "procurement" / "translations"),
    )
    bootstrap.init_app(app)
    limiter.init_app(app)

    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]

    app.register_blueprint(site_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(marketplace_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(needs_bp)
    app.register_blueprint(tenders_bp)
    app.register_blueprint(bids_bp)
    app.register_blueprint(awards_bp)
    app.register_blueprint(invoices_bp)
    app.register_blueprint(records_bp)
    app.register_blueprint(desk_bp)
    web.init_app(app)
    init_api(app)  # after the web's error handlers: it answers /api/ with problem details
    register_commands(app)
    return app
