"""Application factory: settings, services, the two HTTP APIs and the error mapping."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import swagger_ui_bundle
from flask import Flask, send_from_directory
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from entryfiling.config import Settings, load_settings
from entryfiling.domain.fields import MAX_ID
from entryfiling.http.auth import NoCookieSessions
from entryfiling.http.businesses import CATALOGUE_MAX_AGE, static_catalogue
from entryfiling.http.errors import DOCS_ASSETS, ProblemApi, openapi_config, register_error_handlers
from entryfiling.http.gate import authenticate_before_validation
from entryfiling.http.json_provider import OrjsonProvider
from entryfiling.http.security import register_request_security
from entryfiling.http.text_safety import register_text_safety
from entryfiling.mobile import register_mobile_client
from entryfiling.ops.logs import configure_logging
from entryfiling.ops.startup import check_letter_font
from entryfiling.ops.web import register_operations, serve_static_answers
from entryfiling.web_api.auth import current_enterprise
from entryfiling.web_api.businesses.resources import blp as businesses_blp
from entryfiling.web_api.employments.resources import blp as employments_blp
from entryfiling.web_api.enterprise.resources import blp as enterprise_blp
from entryfiling.web_api.filings.resources import blp as filings_blp
from entryfiling.web_api.history.resources import blp as history_blp
from entryfiling.web_api.invitations.resources import blp as invitations_blp
from entryfiling.web_api.jobs.resources import blp as jobs_blp
from entryfiling.web_api.login.resources import blp as login_blp
from entryfiling.web_api.public.resources import blp as public_blp
from entryfiling.web_api.review.resources import blp as review_blp
from entryfiling.web_api.review.resources import current_regulator
from handlers.services import Services
from jobs.dispatcher import make_dispatcher
from jobs.queues import QUEUES
from miniapp_api import register_miniapp_api


class EntryFilingFlask(Flask):
    """Flask, remembering which functions are synchronous: ``ensure_sync`` asks
    ``inspect.iscoroutinefunction`` of every hook and view on every request (nine times for a
    request here), and the answer for a function never changes."""

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        return self.async_to_sync(func) if _is_coroutine_function(func) else func


@functools.lru_cache(maxsize=1024)  # bounded: a callback made per request (after_this_request) ages out
def _is_coroutine_function(func: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(func)


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    settings = settings or load_settings()
    if overrides:
        settings = settings.with_overrides(**overrides)
    configure_logging(settings.log_level, settings.log_format)
    check_letter_font(settings)
    app = EntryFilingFlask(__name__, instance_path=str(settings.instance_path))
    app.json = OrjsonProvider(app)
    register_operations(app, QUEUES)
    _configure(app, settings)
    _register_services(app, settings)
    # First, so that the source address is known to everything after it (the gate's refusals too).
    register_request_security(app)
    _register_blueprints(app)
    _register_miniapp_api(app)
    register_text_safety(app)  # after the gate the blueprints registered: the caller is known first
    register_mobile_client(app)
    register_error_handlers(app)
    serve_static_answers(app, static_catalogue(app), CATALOGUE_MAX_AGE)
    return app


class RowIdConverter(IntegerConverter):
    """``<int:…>`` in every route: ids beyond the 32-bit integer columns are simply not found."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _configure(app: Flask, settings: Settings) -> None:
    app.url_map.converters["int"] = RowIdConverter
    app.session_interface = NoCookieSessions()
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        JSON_AS_ASCII=False,
        **openapi_config(
            "",
            title="区外建设工程企业进疆信息报送管理系统 — 企业端 API",
            description="企业以 CA 证书登录后办理进疆信息报送业务。",
            url_prefix="/",
        ),
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    if settings.trusted_proxy_hops:
        # Only as many X-Forwarded-For entries as there are proxies of ours: a client cannot pick its address.
        hops = settings.trusted_proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def _register_services(app: Flask, settings: Settings) -> None:
    services = Services.from_settings(settings)
    services.dispatcher = make_dispatcher(settings, lambda: services)
    app.extensions["entryfiling"] = services


def _register_blueprints(app: Flask) -> None:
    api = ProblemApi(app)
    for blueprint in (
        login_blp,
        businesses_blp,
        filings_blp,
        enterprise_blp,
        invitations_blp,
        employments_blp,
        jobs_blp,
    ):
        api.register_blueprint(blueprint)
    for blueprint in (history_blp, public_blp, review_blp):
        api.register_blueprint(blueprint)
    enterprise_blueprints = [
        b.name for b in (login_blp, filings_blp, enterprise_blp, invitations_blp, employments_blp, jobs_blp)
    ]
    authenticate_before_validation(app, [*enterprise_blueprints, history_blp.name], current_enterprise)
    authenticate_before_validation(app, [review_blp.name], current_regulator)
    app.extensions["entryfiling_api"] = api

    @app.get(f"{DOCS_ASSETS}<path:filename>")
    def docs_assets(filename: str) -> Any:
        """Swagger UI's files, served from the installed package: the docs work offline."""
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)


def _register_miniapp_api(app: Flask) -> None:
    """The mini-program API: a second flask-smorest Api with its own OpenAPI document."""
    register_miniapp_api(app)
