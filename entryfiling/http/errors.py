"""Every error as application/problem+json (RFC 9457) with a Chinese ``detail``.

Domain refusals map to a status once, here; flask-smorest / webargs validation errors keep their
field paths in ``errors`` with marshmallow's English texts translated.
"""

from __future__ import annotations

import http
import logging
import re
from typing import Any

from flask import Flask, Response, current_app, json
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from marshmallow import EXCLUDE, Schema, fields
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from entryfiling import messages as msg
from entryfiling.domain import errors as e
from entryfiling.http.openapi import ContractPlugin, ProblemResponsesPlugin
from entryfiling.http.outages import register_outage_handlers

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

STATUS_BY_ERROR: dict[type[e.DomainError], int] = {
    e.ValidationFailed: 422,
    e.SubmissionRefused: 422,
    e.AuthenticationFailed: 401,
    e.PermissionDenied: 403,
    e.NotFound: 404,
    e.Conflict: 409,
    e.NotApplicable: 403,
    e.PreconditionFailed: 412,
    e.PreconditionRequired: 428,
    e.PayloadTooLarge: 413,
    e.RateLimited: 429,
    e.ServiceUnavailable: 503,  # before its base class: the first match wins
    e.ExternalServiceError: 502,
}

TITLES = {
    400: "请求格式有误",
    401: "未登录或登录无效",
    403: "无权办理",
    404: "未找到",
    405: "不支持的请求方法",
    409: "与当前状态冲突",
    412: "内容已被修改",
    413: "内容过大",
    415: "不支持的内容类型",
    422: "填写有误",
    428: "缺少前置条件",
    429: "请求过于频繁",
    500: "服务器内部错误",
    502: "外部服务异常",
    503: "服务暂不可用",
}

_FRAMEWORK_PATTERNS = [(re.compile(pattern), text) for pattern, text in msg.FRAMEWORK_PATTERNS]
_CJK = re.compile(r"[\u3400-\u9fff]")


def translate_framework_message(text: str) -> str:
    """A webargs / marshmallow English text in Chinese; our own (Chinese) texts pass unchanged.

    marshmallow has no message catalogue to switch, so its texts are matched here, once, for
    both APIs; an unknown English text gets a general Chinese one rather than reaching a user.
    """
    if _CJK.search(text):
        return text
    if text in msg.FRAMEWORK_MESSAGES:
        return msg.FRAMEWORK_MESSAGES[text]
    for pattern, chinese in _FRAMEWORK_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return chinese.format(*match.groups())
    return msg.FRAMEWORK_FALLBACK


def _translate(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _translate(v) for k, v in value.items()}
    if isinstance(value, list):
        translated = [_translate(v) for v in value]
        return translated[0] if len(translated) == 1 and isinstance(translated[0], str) else translated
    if isinstance(value, str):
        return translate_framework_message(value)
    return value


def _flatten_webargs(messages: Any, *, translate: bool = True) -> dict[str, Any]:
    """webargs nests errors by location (json, query, headers, form, files): flatten to field paths,
    with the framework's English texts in Chinese unless ``translate`` is off."""
    if not isinstance(messages, dict):
        return {"_": messages}
    flat: dict[str, Any] = {}
    for location, located in messages.items():
        if isinstance(located, dict) and location in {
            "json",
            "query",
            "headers",
            "form",
            "files",
            "multipart",
            "view_args",
        }:
            for name, text in located.items():
                flat.update(_field_paths(str(name), text))
        else:
            flat.update(_field_paths(str(location), located))
    if not translate:
        return flat
    translated: dict[str, Any] = _translate(flat)
    return translated


def _field_paths(path: str, messages: Any) -> dict[str, Any]:
    """marshmallow nests the errors of nested fields (``{"rows": {"0": {"x": [...]}}}``): one entry per
    field path (``rows[0].x``), as domain errors are keyed, so ``errors`` is a flat map of texts."""
    if not isinstance(messages, dict):
        return {path: messages}
    flat: dict[str, Any] = {}
    for key, nested in messages.items():
        name = str(key)
        flat.update(_field_paths(f"{path}[{name}]" if name.isdigit() else f"{path}.{name}", nested))
    return flat


def problem(status: int, detail: str, *, code: str | None = None, errors: Any = None, **extra: Any) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "错误"),
        "status": status,
        "detail": detail,
    }
    if code:
        body["code"] = code
    if errors:
        body["errors"] = errors
    body.update({k: v for k, v in extra.items() if v is not None})
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON)
    if status in (429, 503) and "retry_after" in extra:
        response.headers["Retry-After"] = str(extra["retry_after"])
    return response


def domain_error_response(error: e.DomainError) -> Response:
    status = next((code for cls, code in STATUS_BY_ERROR.items() if isinstance(error, cls)), 400)
    return problem(status, error.message, code=error.code, errors=error.errors, **error.extra)


def _validation_detail(raw: dict[str, Any], errors: dict[str, Any]) -> str:
    """One field refused with a message of ours (Chinese already, not a framework text) is the
    detail itself; anything else gets the general one, with the fields in ``errors``."""
    texts = [v[0] if isinstance(v, list) and len(v) == 1 else v for v in raw.values()]
    if len(texts) == 1 and isinstance(texts[0], str) and _CJK.search(texts[0]):
        return str(next(iter(errors.values())))
    return msg.HTTP_VALIDATION


def http_error_response(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    if status == 422 and "messages" in data:
        raw = _flatten_webargs(data["messages"], translate=False)
        errors = _translate(raw)
        return problem(422, _validation_detail(raw, errors), code="validation_failed", errors=errors)
    detail = msg.HTTP_DETAILS.get(status) or TITLES.get(status, "错误")
    if status == 413:
        limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
        detail = msg.HTTP_TOO_LARGE.format(limit=limit)
    if "messages" in data:
        errors = _flatten_webargs(data["messages"])
        if errors.get("json") == msg.HTTP_INVALID_JSON:
            return problem(status, msg.HTTP_INVALID_JSON, errors=errors, hint=msg.HTTP_INVALID_JSON_HINT)
        return problem(status, detail, errors=errors)
    response = problem(status, detail)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(e.DomainError, domain_error_response)
    app.register_error_handler(HTTPException, http_error_response)
    register_outage_handlers(app, domain_error_response)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return http_error_response(error)
        log.exception("unhandled error")
        return problem(500, msg.HTTP_INTERNAL)


class ProblemSchema(Schema):
    """RFC 9457 problem details, as every error of this API is answered.

    Extension members are allowed (RFC 9457 §3.2); the ones this API sends are listed.
    """

    class Meta:
        # Documents the members this API sends; others may follow (RFC 9457 §3.2), so none is refused.
        unknown = EXCLUDE

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String(metadata={"description": "给用户看的中文说明（可直接用 wx.showModal 展示）"})
    hint = fields.String(metadata={"description": "给开发者的说明（请求头、参数、微信错误码等），不要展示给用户"})
    code = fields.String()
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(metadata={"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}),
        metadata={"description": "按字段路径（如 qualifications[1].valid_until）列出的原因：一条为文字，多条为列表"},
    )
    problems = fields.List(fields.String(), metadata={"description": "提交时需要处理的全部问题"})
    retry_after = fields.Integer(metadata={"description": "（429、503）多少秒后再试，同 Retry-After 响应头"})
    etag = fields.String(metadata={"description": "（412）办件当前的 ETag"})
    needs_confirmation = fields.Boolean(metadata={"description": "（409）须本人确认后带确认参数再次提交"})
    result = fields.String(metadata={"description": "（实名认证）核身结果"})
    result_code = fields.Integer(metadata={"description": "（实名认证）微信 verify_ret"})


class ProblemApi(Api):  # type: ignore[misc]  # flask-smorest ships no type hints
    """flask-smorest's Api documenting our problem+json errors instead of its default error body,
    with each operation's own error statuses (entryfiling.http.openapi)."""

    ERROR_SCHEMA = ProblemSchema

    def _init_spec(self, *, extra_plugins: Any = None, **options: Any) -> None:
        plugins = [*(extra_plugins or ()), ProblemResponsesPlugin(), ContractPlugin(TITLES)]
        super()._init_spec(extra_plugins=plugins, **options)

    def _register_responses(self) -> None:
        """flask-smorest's responses for every status, as application/problem+json."""
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": TITLES.get(status.value, status.phrase)}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "其他错误（如请求格式有误、方法不支持、内容过大）", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


# Swagger UI's files, served by the app from the installed package (see create_app).
DOCS_ASSETS = "/docs/assets/"


def openapi_config(prefix: str, *, title: str, description: str, url_prefix: str) -> dict[str, Any]:
    """flask-smorest settings of one API: its OpenAPI document and offline docs page under url_prefix."""
    settings = {
        "API_TITLE": title,
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": url_prefix,
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": DOCS_ASSETS,
        "API_SPEC_OPTIONS": {
            "info": {"description": f"{description}错误均为 application/problem+json。"},
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
    }
    return {prefix + key: value for key, value in settings.items()}
