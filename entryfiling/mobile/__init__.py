"""The reference mobile client at ``/m/``: static files calling only the documented mini-program API.

It is the mini-program's twin in a browser (and usable inside a mini-program ``web-view``), so a
filing done on a phone can be seen and tested end to end. No build step: plain HTML, CSS and
JavaScript modules, served as they are.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, send_from_directory
from flask.typing import ResponseReturnValue

STATIC = Path(__file__).parent / "static"

blp = Blueprint("mobile", __name__, url_prefix="/m")


@blp.get("/")
def index() -> ResponseReturnValue:
    response = send_from_directory(STATIC, "index.html")
    response.headers["Cache-Control"] = "no-cache"
    return response


@blp.get("/<path:name>")
def asset(name: str) -> ResponseReturnValue:
    return send_from_directory(STATIC, name)


def register_mobile_client(app: Flask) -> None:
    app.register_blueprint(blp)
