"""The mini-program HTTP layer (``/miniapp/v1``): parses, calls ``handlers``, serialises.

A second flask-smorest ``Api`` with its own OpenAPI document (``/miniapp/openapi.json``); errors
are the same application/problem+json as the enterprise API.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from entryfiling.http.errors import ProblemApi, openapi_config
from entryfiling.http.gate import authenticate_before_validation
from miniapp_api.auth import current_user
from miniapp_api.businesses.resources import blp as businesses_blp
from miniapp_api.employments.resources import blp as employments_blp
from miniapp_api.filings.resources import blp as filings_blp
from miniapp_api.guided.resources import blp as guided_blp
from miniapp_api.identity.resources import blp as identity_blp
from miniapp_api.invitations.resources import blp as invitations_blp
from miniapp_api.login.resources import blp as login_blp
from miniapp_api.me.resources import blp as me_blp
from miniapp_api.notifications.resources import blp as notifications_blp
from miniapp_api.subscriptions.resources import blp as subscriptions_blp

CONFIG_PREFIX = "MINIAPP_"


def register_miniapp_api(app: Flask) -> Api:
    app.config.update(
        openapi_config(
            CONFIG_PREFIX,
            title="区外建设工程企业进疆信息报送管理系统 — 小程序 API",
            description="人员在微信小程序中登录、实名认证（微信人脸核身）、接受企业聘用邀请；报送联系人可为企业办理报送。",
            url_prefix="/miniapp",
        )
    )
    api = ProblemApi(app, config_prefix=CONFIG_PREFIX)
    blueprints = (
        login_blp,
        identity_blp,
        me_blp,
        invitations_blp,
        employments_blp,
        subscriptions_blp,
        filings_blp,
        guided_blp,
        notifications_blp,
        businesses_blp,
    )
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    # Every mini-program endpoint that declares bearer security: the caller is identified first.
    authenticate_before_validation(app, [b.name for b in blueprints], current_user)
    app.extensions["entryfiling_miniapp_api"] = api
    return api
