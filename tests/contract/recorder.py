"""Records requests and answers at the HTTP boundary, by OpenAPI operation, to keep as examples."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, request
from flask.testing import FlaskClient

from entryfiling.ops.web import StaticAnswers

JSON_TYPES = ("application/json", "application/problem+json")
_RULE_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def openapi_path(rule: str) -> str:
    """``/api/v1/filings/<int:filing_id>`` → ``/api/v1/filings/{filing_id}``."""
    return _RULE_PARAM.sub(r"{\1}", rule)


@dataclass
class Call:
    """How an operation was called successfully: enough to call it again, differently."""

    method: str
    url: str
    headers: dict[str, str]
    path_args: dict[str, Any]


@dataclass
class Recorder:
    exchanges: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: dict[str, Call] = field(default_factory=dict)
    pending: dict[str, Any] | None = None

    def install(self, app: Flask) -> None:
        app.after_request(self._capture_request)
        if isinstance(app.wsgi_app, StaticAnswers):
            # The recorder reads requests in Flask's hooks, which static answers are served ahead
            # of; the app's own routes give the same answers (tests/api checks that).
            app.wsgi_app = app.wsgi_app.inner  # type: ignore[method-assign]
        recorder = self

        class RecordingClient(FlaskClient):
            def open(self, *args: Any, **kwargs: Any) -> Any:
                recorder.pending = None
                response = super().open(*args, **kwargs)
                recorder._capture_answer(response)
                return response

        app.test_client_class = RecordingClient

    def _capture_request(self, response: Any) -> Any:
        rule = request.url_rule
        if rule is None and response.status_code == 405:
            # A method the path does not offer: what the path's "default" error looks like.
            rule, _args = current_app.url_map.bind_to_environ(request.environ).match(method="GET", return_rule=True)
        if rule is None:
            return response
        body: dict[str, Any] | None = None
        if request.mimetype == "application/json" and request.get_data():
            body = {"content_type": "application/json", "body": request.get_json(silent=True)}
        elif request.mimetype == "multipart/form-data":
            form: dict[str, Any] = dict(request.form)
            for name, upload in request.files.items(multi=True):
                form[name] = f"（文件 {upload.filename}）"
            body = {"content_type": "multipart/form-data", "body": form}
        method = "GET" if response.status_code == 405 else request.method
        self.pending = {
            "key": f"{method} {openapi_path(rule.rule)}",
            "request": body,
            "call": Call(
                request.method,
                request.full_path.rstrip("?"),
                {k: v for k, v in request.headers.items() if k in ("Authorization", "If-Match")},
                dict(request.view_args or {}),
            ),
        }
        return response

    def _capture_answer(self, response: Any) -> None:
        pending, self.pending = self.pending, None
        if pending is None:
            return
        status = "default" if response.status_code == 405 else str(response.status_code)
        if response.mimetype in JSON_TYPES:
            answer: Any = response.get_json(silent=True)
            if isinstance(answer, list):
                answer = answer[:1]  # one element shows the shape; the whole catalogue would be 60 KB
        elif response.status_code == 204:
            answer = None
        else:
            answer = f"（{response.mimetype}，{len(response.data)} 字节）"
        exchange = self.exchanges.setdefault(pending["key"], {"request": None, "responses": {}})
        if response.status_code < 400 and pending["key"] not in self.calls:
            # The first call that worked is the example: later ones may be deliberately odd.
            exchange["request"] = pending["request"]
            self.calls[pending["key"]] = pending["call"]
        if answer is not None:
            exchange["responses"].setdefault(status, {"content_type": response.mimetype, "body": answer})
