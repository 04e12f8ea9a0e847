"""A local stand-in for the WeChat server API (api.weixin.qq.com), for development and tests.

It answers the endpoints this project calls with WeChat's request and response shapes: errors
come back as HTTP 200 with ``{"errcode", "errmsg"}``, JSON bodies are accepted without a
Content-Type header (wechatpy sends none). Access tokens expire. ``/cgi-bin/token`` leaves the
previous token valid for five minutes only; ``/cgi-bin/stable_token`` (getStableAccessToken) is
kept apart from it, as WeChat keeps them: its normal mode hands back the current token unchanged,
its force-refresh mode ends the previous one at once and is allowed 20 times a day. Every call's
parameter names are recorded, so a test sees a token sent where WeChat takes none.

What a phone would do (``wx.login``, ``wx.requestSubscribeMessage``, ``wx.requestFacialVerify``,
``getPhoneNumber``) is played through control endpoints under ``/__emulator__/``, which also
expose what was sent, so tests and the README walk-through can read it.

Error codes answered (WeChat's own): -1 system busy (as a fault), 40001 invalid credential,
40002 invalid grant_type, 40003 invalid openid, 40013 invalid appid, 40029 invalid code,
40037 invalid template_id, 40097 invalid argument, 40125 invalid appsecret, 40163 code been used,
40169 invalid scene, 40226 high-risk user (login refused), 41001 access_token missing,
41030 page not in the released mini-program, 42001 access_token expired, 43101 user refused
the message (no subscription left), 45009 daily quota (stable token force refresh),
45011 API minute-quota reached, 47001 data format error, 47003 a template parameter WeChat
would refuse (checked per keyword type as 订阅消息参数值内容限制 says: thing ≤ 20 characters,
phrase ≤ 5 Chinese characters, character_string ≤ 32, time / date formats, amount,
phone_number, car_number, name, number, letter, symbol), 84001 invalid verify_id,
84002 verify_id expired. For ``queryverifyinfo`` WeChat's page says
it checks ``cert_hash``/``openid``/``out_seq_no`` against the ``getverifyid`` call and answers an
errcode instead of ``verify_ret`` when they differ without listing the codes; the stand-in
answers 40003 for another openid and 84001 (with a message saying which) for the others.

It is served by cheroot, which keeps connections alive as WeChat's servers do (HTTP/1.1), where
werkzeug's development server closes every connection after one answer: each login then paid for
a TCP handshake and, at the stand-in, a new thread and a request log line. Cheroot's pool of
threads serves the kept connections: a code2session costs the stand-in half the CPU it did
(≈ 0.3 ms against 0.6 ms) and our client no handshake.
"""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import segno
from cheroot import wsgi as cheroot_wsgi
from werkzeug.wrappers import Request, Response

TOKEN_TTL_SECONDS = 7200
OLD_TOKEN_GRACE_SECONDS = 300
CODE_TTL_SECONDS = 300
VERIFY_ID_TTL_SECONDS = 3600
# verify_ret the stand-in gives when the face step was never played: 90004 "用户在识别过程中取消".
VERIFY_RET_NOT_DONE = 90004
VERIFY_RET_OK = 10000
MAX_RECORDS = 1000
STABLE_TOKEN_FORCE_REFRESHES_PER_DAY = 20
_OUT_SEQ_NO_RE = re.compile(r"[A-Za-z0-9_-]{5,32}")
_TEMPLATE_RE = re.compile(r"[A-Za-z0-9_-]{1,128}")
# The pages of the released (formal) build: subscribe messages and 小程序码 naming another page
# are refused with 41030 when the formal build is asked for.
RELEASED_PAGES = (
    "pages/index/index",
    "pages/filings/detail",
    "pages/enterprise/index",
    "pages/invitations/accept",
)
MINIPROGRAM_STATES = frozenset({"formal", "trial", "developer"})
LANGS = frozenset({"zh_CN", "en_US", "zh_HK", "zh_TW"})
ENV_VERSIONS = frozenset({"release", "trial", "develop"})
# wxacode.getUnlimited scene: at most 32 visible characters of this set.
_SCENE_RE = re.compile(r"[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}")
# Threads answering calls, and connections kept open between calls (two gunicorn workers, the RQ
# worker, the tests' and the benchmark's own clients each hold one or a few).
SERVER_THREADS = 8
KEPT_CONNECTIONS = 64

# Template parameter values WeChat accepts, per keyword type (订阅消息参数值内容限制), written
# from WeChat's table independently of the service's own fitting so that the two check each other;
# anything else is refused with 47003 "argument invalid! data.<key>.value invalid".
_HAN = "\u4e00-\u9fff"
_SYMBOL = r"[^0-9A-Za-z\u4e00-\u9fff\s]"
_CLOCK = r"([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?"
_M = r"(0?[1-9]|1[0-2])"
_D = r"(0?[1-9]|[12]\d|3[01])"
_DAY = (
    rf"(\d{{4}}年{_M}月{_D}日|\d{{4}}年{_M}月|{_M}月{_D}日"
    rf"|\d{{4}}[-/.]{_M}[-/.]{_D}|\d{{4}}[-/.]{_M}|{_M}[-/.]{_D})"
)
_TIME_POINT = rf"({_DAY}\s*)?{_CLOCK}"
_DATE_POINT = rf"{_DAY}(\s*{_CLOCK})?"
_MAX_TIME_LENGTH = 64


def _matches(pattern: str, value: str) -> bool:
    return re.fullmatch(pattern, value) is not None


def _is_span_of(point: str, value: str) -> bool:
    """One point, or two joined by "~" (WeChat allows a span of time)."""
    return len(value) <= _MAX_TIME_LENGTH and _matches(rf"{point}(\s*~\s*{point})?", value)


def _no_control(value: str) -> bool:
    return re.search(r"[\x00-\x1f\x7f]", value) is None


def _is_name(value: str) -> bool:
    """Ten characters when any is Chinese (mixed names count as Chinese), else twenty letters or symbols."""
    if re.search(f"[{_HAN}]", value):
        return len(value) <= 10 and _no_control(value)
    return len(value) <= 20 and _matches(r"[A-Za-z\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e ]+", value)


_PARAM_RULES: dict[str, Callable[[str], bool]] = {
    "thing": lambda v: len(v) <= 20 and _no_control(v),
    "number": lambda v: len(v) <= 32 and _matches(r"[0-9]+(\.[0-9]+)?", v),
    "letter": lambda v: len(v) <= 32 and _matches(r"[A-Za-z]+", v),
    "symbol": lambda v: len(v) <= 5 and _matches(rf"{_SYMBOL}+", v),
    "character_string": lambda v: len(v) <= 32 and _matches(r"[\x21-\x7e]+", v),
    "time": lambda v: _is_span_of(_TIME_POINT, v),
    "date": lambda v: _is_span_of(_DATE_POINT, v),
    "amount": lambda v: _matches(r"[¥$€£￥][0-9]{1,10}(\.[0-9]+)?元?", v),
    "phone_number": lambda v: len(v) <= 17 and _matches(r"[0-9+\-() ]+", v) and any(c.isdigit() for c in v),
    "car_number": lambda v: len(v) <= 8 and _matches(rf"[{_HAN}A-Za-z0-9][A-Za-z0-9]*[{_HAN}A-Za-z0-9]?", v),
    "name": _is_name,
    "phrase": lambda v: len(v) <= 5 and _matches(f"[{_HAN}]+", v),
}


def template_value_ok(key: str, value: str) -> bool:
    """Would WeChat take ``value`` for the template keyword ``key`` (``thing1``, ``time4`` …)?"""
    rule = _PARAM_RULES.get(key.rstrip("0123456789"))
    return bool(value) and (rule is None or rule(value))


def cert_hash(cert_type: str, cert_name: str, cert_no: str) -> str:
    """WeChat's digest of cert_info: sha256 hex of ``cert_type=b64&cert_name=b64&cert_no=b64``."""

    def b64(value: str) -> str:
        return base64.b64encode(value.encode("utf-8")).decode("ascii")

    joined = f"cert_type={b64(cert_type)}&cert_name={b64(cert_name)}&cert_no={b64(cert_no)}"
    return hashlib.sha256(joined.encode("ascii")).hexdigest()


def _error(errcode: int, errmsg: str) -> dict[str, Any]:
    return {"errcode": errcode, "errmsg": f"{errmsg} rid: {secrets.token_hex(4)}"}


@dataclass
class _Token:
    value: str
    expires_at: float


@dataclass
class _Code:
    openid: str
    unionid: str | None
    expires_at: float


@dataclass
class _PhoneCode:
    phone: str
    country_code: str
    openid: str | None
    watermark_appid: str | None
    expires_at: float


@dataclass
class _Verification:
    verify_id: str
    out_seq_no: str
    openid: str
    cert_info: dict[str, str]
    expires_at: float
    verify_ret: int = VERIFY_RET_NOT_DONE


@dataclass
class _State:
    tokens: dict[str, _Token] = field(default_factory=dict)
    codes: dict[str, _Code] = field(default_factory=dict)
    phone_codes: dict[str, _PhoneCode] = field(default_factory=dict)
    used_codes: set[str] = field(default_factory=set)
    # openids WeChat judges high-risk: code2session answers 40226 for them.
    risky_openids: set[str] = field(default_factory=set)
    stable_token: _Token | None = None
    stable_force_refreshes: list[float] = field(default_factory=list)
    wxacodes: list[dict[str, Any]] = field(default_factory=list)
    verifications: dict[str, _Verification] = field(default_factory=dict)
    out_seq_nos: set[str] = field(default_factory=set)
    # (openid, template_id) -> one-time subscriptions the user accepted on the phone
    subscriptions: dict[tuple[str, str], int] = field(default_factory=dict)
    known_openids: set[str] = field(default_factory=set)
    # endpoint path -> list of errcodes to answer next, one per call
    faults: dict[str, list[int]] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    token_fetches: int = 0
    # Issued session keys, so tests can check that none of them ever leaves our server.
    session_keys: list[str] = field(default_factory=list)


class WeChatEmulator:
    """The stand-in's state and WSGI app; ``start()`` serves it on a loopback port in a thread."""

    def __init__(
        self,
        appid: str = "wx0000000000dev000",
        secret: str = "dev-wechat-secret",
        *,
        token_ttl: int = TOKEN_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
        released_pages: tuple[str, ...] = RELEASED_PAGES,
    ) -> None:
        self.appid = appid
        self.released_pages = frozenset(released_pages)
        self.secret = secret
        self.token_ttl = token_ttl
        self.clock = clock
        self._lock = threading.Lock()
        self._state = _State()
        self._server: cheroot_wsgi.Server | None = None
        self._thread: threading.Thread | None = None
        self._serial = itertools.count(1)
        self._routes: dict[tuple[str, str], Callable[[Request], dict[str, Any] | bytes]] = {
            ("GET", "/cgi-bin/token"): self._token,
            ("POST", "/cgi-bin/stable_token"): self._stable_token,
            ("POST", "/wxa/getwxacodeunlimit"): self._wxacode_unlimited,
            ("GET", "/sns/jscode2session"): self._jscode2session,
            ("POST", "/cgi-bin/message/subscribe/send"): self._subscribe_send,
            ("POST", "/wxa/business/getuserphonenumber"): self._phone_number,
            ("POST", "/cityservice/face/identify/getverifyid"): self._get_verify_id,
            ("POST", "/cityservice/face/identify/queryverifyinfo"): self._query_verify_info,
            ("POST", "/__emulator__/login"): self._ctl_login,
            ("POST", "/__emulator__/phone-codes"): self._ctl_phone_code,
            ("POST", "/__emulator__/facial-verify"): self._ctl_facial_verify,
            ("POST", "/__emulator__/subscribe"): self._ctl_subscribe,
            ("POST", "/__emulator__/faults"): self._ctl_faults,
            ("POST", "/__emulator__/expire-tokens"): self._ctl_expire_tokens,
            ("POST", "/__emulator__/reset"): self._ctl_reset,
            ("GET", "/__emulator__/sent"): self._ctl_sent,
            ("GET", "/__emulator__/calls"): self._ctl_calls,
            ("GET", "/__emulator__/verifications"): self._ctl_verifications,
            ("GET", "/__emulator__/wxacodes"): self._ctl_wxacodes,
        }

    # ------------------------------------------------------------------ serving

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a daemon thread; port 0 picks a free port. Returns the base URL."""
        self._server = self._make_server(host, port)
        self._server.prepare()  # binds: the port chosen for port 0 is known from here on
        self._thread = threading.Thread(target=self._server.serve, name="wechat-emulator", daemon=True)
        self._thread.start()
        return self.url

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("emulator not started")
        host, port = self._server.bind_addr[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def serve_forever(self, host: str, port: int) -> None:
        """Serve in the foreground (the CLI command) until interrupted."""
        self._make_server(host, port).safe_start()

    def _make_server(self, host: str, port: int) -> cheroot_wsgi.Server:
        server = cheroot_wsgi.Server((host, port), self.wsgi_app, numthreads=SERVER_THREADS)
        server.keep_alive_conn_limit = KEPT_CONNECTIONS
        return server

    def wsgi_app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        if request.path.startswith("/__emulator__/"):
            # The reference mobile client in a browser plays the phone's side through the controls.
            response = self._control(request)
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
            return response(environ, start_response)
        return self._answer(request)(environ, start_response)

    def _control(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status=204, headers={"Access-Control-Allow-Methods": "GET, POST"})
        return self._answer(request)

    def _answer(self, request: Request) -> Response:
        handler = self._routes.get((request.method, request.path))
        if handler is None:
            # WeChat answers unknown paths with 404 and an HTML page; JSON is friendlier to read.
            return Response(json.dumps({"errcode": 404, "errmsg": "not found"}), status=404)
        with self._lock:
            if not request.path.startswith("/__emulator__/"):
                self._record_call(request)
            try:
                body = self._fault(request.path) or handler(request)
            except _BadRequest as bad:
                body = _error(bad.errcode, bad.errmsg)
        if isinstance(body, bytes):  # an image (wxacode): WeChat answers the bytes themselves
            return Response(body, status=200, content_type="image/png")
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return Response(payload, status=200, content_type="application/json; charset=utf-8")

    # ------------------------------------------------------------------ helpers

    def _now(self) -> float:
        return self.clock()

    def _record_call(self, request: Request) -> None:
        params = {k: v for k, v in request.args.items() if k not in ("secret", "access_token")}
        self._state.calls.append(
            {"path": request.path, "params": params, "param_names": sorted(request.args), "at": self._now()}
        )
        del self._state.calls[:-MAX_RECORDS]

    def _fault(self, path: str) -> dict[str, Any] | None:
        queue = self._state.faults.get(path)
        if queue:
            return _error(queue.pop(0), "fault injected by the stand-in")
        return None

    def _json(self, request: Request) -> dict[str, Any]:
        """The body as JSON whatever the Content-Type (wechatpy sends none)."""
        try:
            data = json.loads(request.get_data(as_text=True) or "{}")
        except ValueError:
            raise _BadRequest(47001, "data format error") from None
        if not isinstance(data, dict):
            raise _BadRequest(47001, "data format error")
        return data

    def _check_token(self, request: Request) -> None:
        value = request.args.get("access_token")
        if not value:
            raise _BadRequest(41001, "access_token missing")
        token = self._state.tokens.get(value)
        if token is None:
            raise _BadRequest(40001, "invalid credential, access_token is invalid or not latest")
        if token.expires_at <= self._now():
            raise _BadRequest(42001, "access_token expired")

    def _openid(self, data: dict[str, Any], key: str) -> str:
        openid = data.get(key)
        if not isinstance(openid, str) or openid not in self._state.known_openids:
            raise _BadRequest(40003, f"invalid openid {key}")
        return openid

    # ------------------------------------------------------------------ WeChat endpoints

    def _token(self, request: Request) -> dict[str, Any]:
        if request.args.get("grant_type") != "client_credential":
            raise _BadRequest(40002, "invalid grant_type")
        if request.args.get("appid") != self.appid:
            raise _BadRequest(40013, "invalid appid")
        if request.args.get("secret") != self.secret:
            raise _BadRequest(40001, "invalid credential, access_token is invalid or not latest")
        now = self._now()
        for old in self._state.tokens.values():
            old.expires_at = min(old.expires_at, now + OLD_TOKEN_GRACE_SECONDS)
        value = f"ACCESS_TOKEN_{next(self._serial)}_{secrets.token_urlsafe(24)}"
        self._state.tokens[value] = _Token(value, now + self.token_ttl)
        self._state.token_fetches += 1
        return {"access_token": value, "expires_in": self.token_ttl}

    def _stable_token(self, request: Request) -> dict[str, Any]:
        """getStableAccessToken: apart from /cgi-bin/token; normal mode keeps the current token."""
        data = self._json(request)
        if data.get("grant_type") != "client_credential":
            raise _BadRequest(40002, "invalid grant_type")
        if data.get("appid") != self.appid:
            raise _BadRequest(40013, "invalid appid")
        if data.get("secret") != self.secret:
            raise _BadRequest(40125, "invalid appsecret")
        now = self._now()
        current = self._state.stable_token
        force = data.get("force_refresh") is True
        if force:
            recent = [t for t in self._state.stable_force_refreshes if t > now - 86400]
            if len(recent) >= STABLE_TOKEN_FORCE_REFRESHES_PER_DAY:
                raise _BadRequest(45009, "reach max api daily quota limit")
            self._state.stable_force_refreshes = [*recent, now]
            if current is not None:
                current.expires_at = min(current.expires_at, now)  # force refresh ends the old one at once
        elif current is not None and current.expires_at > now:
            return {"access_token": current.value, "expires_in": int(current.expires_at - now)}
        value = f"STABLE_TOKEN_{next(self._serial)}_{secrets.token_urlsafe(24)}"
        token = _Token(value, now + self.token_ttl)
        self._state.tokens[value] = token
        self._state.stable_token = token
        self._state.token_fetches += 1
        return {"access_token": value, "expires_in": self.token_ttl}

    def _jscode2session(self, request: Request) -> dict[str, Any]:
        args = request.args
        if args.get("grant_type") != "authorization_code":
            raise _BadRequest(40002, "invalid grant_type")
        if args.get("appid") != self.appid:
            raise _BadRequest(40013, "invalid appid")
        if args.get("secret") != self.secret:
            raise _BadRequest(40125, "invalid appsecret")
        js_code = args.get("js_code") or ""
        code = self._state.codes.pop(js_code, None)  # single use
        if code is None and js_code in self._state.used_codes:
            raise _BadRequest(40163, "code been used")
        if code is None or code.expires_at <= self._now():
            raise _BadRequest(40029, "invalid code")
        self._state.used_codes.add(js_code)
        if code.openid in self._state.risky_openids:
            raise _BadRequest(40226, "high risk user, login blocked")
        session_key = base64.b64encode(secrets.token_bytes(16)).decode()
        self._state.session_keys.append(session_key)
        del self._state.session_keys[:-MAX_RECORDS]
        body: dict[str, Any] = {"openid": code.openid, "session_key": session_key}
        if code.unionid:
            body["unionid"] = code.unionid
        return body

    def _subscribe_send(self, request: Request) -> dict[str, Any]:
        self._check_token(request)
        data = self._json(request)
        openid = self._openid(data, "touser")
        template_id = data.get("template_id")
        if not isinstance(template_id, str) or not _TEMPLATE_RE.fullmatch(template_id):
            raise _BadRequest(40037, "invalid template_id")
        state = data.get("miniprogram_state", "formal")
        if state not in MINIPROGRAM_STATES:
            raise _BadRequest(47001, "data format error: miniprogram_state")
        if data.get("lang", "zh_CN") not in LANGS:
            raise _BadRequest(47001, "data format error: lang")
        if not isinstance(data.get("data"), dict) or not data["data"]:
            raise _BadRequest(47003, "argument invalid! data.data is empty")
        for key, item in data["data"].items():
            value = item.get("value") if isinstance(item, dict) else None
            if not isinstance(value, str) or not template_value_ok(str(key), value):
                raise _BadRequest(47003, f"argument invalid! data.{key}.value invalid")
        page = data.get("page")
        if page is not None and (not isinstance(page, str) or (state == "formal" and not self._released(page))):
            raise _BadRequest(41030, "invalid page rid")
        key = (openid, template_id)
        if self._state.subscriptions.get(key, 0) <= 0:
            raise _BadRequest(43101, "user refuse to accept the msg")
        self._state.subscriptions[key] -= 1
        self._state.sent.append(
            {
                "touser": openid,
                "template_id": template_id,
                "page": data.get("page"),
                "data": data["data"],
                "miniprogram_state": state,
                "lang": data.get("lang", "zh_CN"),
                "received_at": self._now(),
            }
        )
        del self._state.sent[:-MAX_RECORDS]
        return {"errcode": 0, "errmsg": "ok", "msgid": next(self._serial)}

    def _released(self, page: str) -> bool:
        return page.split("?", 1)[0].lstrip("/") in self.released_pages

    def _phone_number(self, request: Request) -> dict[str, Any]:
        self._check_token(request)
        data = self._json(request)
        found = self._state.phone_codes.pop(str(data.get("code") or ""), None)  # single use
        if found is None or found.expires_at <= self._now():
            raise _BadRequest(40029, "invalid code")
        if "openid" in data and found.openid is not None and data["openid"] != found.openid:
            raise _BadRequest(40003, "invalid openid: not the user of this code")
        international = found.phone if found.country_code == "86" else f"+{found.country_code} {found.phone}"
        return {
            "errcode": 0,
            "errmsg": "ok",
            "phone_info": {
                "phoneNumber": international,
                "purePhoneNumber": found.phone,
                "countryCode": found.country_code,
                "watermark": {"timestamp": int(self._now()), "appid": found.watermark_appid or self.appid},
            },
        }

    def _wxacode_unlimited(self, request: Request) -> dict[str, Any] | bytes:
        """wxacode.getUnlimited: a real PNG (a QR code of ``page?scene=…``, standing in for the 小程序码)."""
        self._check_token(request)
        data = self._json(request)
        scene = data.get("scene")
        if not isinstance(scene, str) or len(scene) > 32:
            raise _BadRequest(40169, "invalid length for scene, or the data is not json string")
        if not _SCENE_RE.fullmatch(scene):
            raise _BadRequest(40097, "invalid args: scene")
        env_version = data.get("env_version", "release")
        if env_version not in ENV_VERSIONS:
            raise _BadRequest(40097, "invalid args: env_version")
        page = data.get("page") or "pages/index/index"
        if not isinstance(page, str) or page.startswith("/"):
            raise _BadRequest(40097, "invalid args: page")
        if data.get("check_path", True) is not False and not self._released(page):
            raise _BadRequest(41030, "invalid page rid")
        width = data.get("width", 430)
        if not isinstance(width, int) or not 280 <= width <= 1280:
            raise _BadRequest(40097, "invalid args: width")
        self._state.wxacodes.append({"scene": scene, "page": page, "env_version": env_version})
        del self._state.wxacodes[:-MAX_RECORDS]
        image = io.BytesIO()
        segno.make_qr(f"{page}?scene={scene}", error="m").save(image, kind="png", scale=max(1, width // 60), border=4)
        return image.getvalue()

    def _get_verify_id(self, request: Request) -> dict[str, Any]:
        self._check_token(request)
        data = self._json(request)
        openid = self._openid(data, "openid")
        out_seq_no = data.get("out_seq_no")
        if not isinstance(out_seq_no, str) or not _OUT_SEQ_NO_RE.fullmatch(out_seq_no):
            raise _BadRequest(47001, "data format error: out_seq_no")
        if out_seq_no in self._state.out_seq_nos:
            raise _BadRequest(47001, "data format error: out_seq_no already used")
        cert = data.get("cert_info")
        if not isinstance(cert, dict) or cert.get("cert_type") != "IDENTITY_CARD":
            raise _BadRequest(47001, "data format error: cert_info")
        if not all(isinstance(cert.get(k), str) and cert[k] for k in ("cert_name", "cert_no")):
            raise _BadRequest(47001, "data format error: cert_info")
        verify_id = secrets.token_urlsafe(32)
        self._state.out_seq_nos.add(out_seq_no)
        self._state.verifications[verify_id] = _Verification(
            verify_id,
            out_seq_no,
            openid,
            {k: cert[k] for k in ("cert_type", "cert_name", "cert_no")},
            self._now() + VERIFY_ID_TTL_SECONDS,
        )
        return {"errcode": 0, "errmsg": "ok", "verify_id": verify_id, "expires_in": VERIFY_ID_TTL_SECONDS}

    def _query_verify_info(self, request: Request) -> dict[str, Any]:
        self._check_token(request)
        data = self._json(request)
        found = self._state.verifications.get(str(data.get("verify_id") or ""))
        if found is None:
            raise _BadRequest(84001, "invalid verify_id")
        if data.get("openid") != found.openid:
            raise _BadRequest(40003, "invalid openid: not the user of this verify_id")
        if data.get("out_seq_no") != found.out_seq_no:
            raise _BadRequest(84001, "out_seq_no does not match the verify_id")
        if data.get("cert_hash") != cert_hash(**found.cert_info):
            raise _BadRequest(84001, "cert_hash does not match the cert_info of the verify_id")
        if found.verify_ret == VERIFY_RET_NOT_DONE and found.expires_at <= self._now():
            raise _BadRequest(84002, "verify_id expired")
        return {"errcode": 0, "errmsg": "ok", "verify_ret": found.verify_ret}

    # ------------------------------------------------------------------ control (the phone's side)

    def _ctl_login(self, request: Request) -> dict[str, Any]:
        """wx.login(): a fresh single-use code for this openid (one is made up when none is given)."""
        data = self._json(request)
        openid = str(data.get("openid") or f"o{secrets.token_urlsafe(20)}")
        code = str(data.get("code") or secrets.token_urlsafe(24))
        self._state.known_openids.add(openid)
        if data.get("high_risk"):
            self._state.risky_openids.add(openid)
        self._state.codes[code] = _Code(openid, data.get("unionid"), self._now() + CODE_TTL_SECONDS)
        return {"code": code, "openid": openid}

    def _ctl_phone_code(self, request: Request) -> dict[str, Any]:
        """The getPhoneNumber button of ``openid``: a single-use code resolving to this phone number
        (``country_code`` default 86; ``watermark_appid`` plays an answer meant for another AppID)."""
        data = self._json(request)
        code = secrets.token_urlsafe(24)
        self._state.phone_codes[code] = _PhoneCode(
            str(data.get("phone") or "13800138000"),
            str(data.get("country_code") or "86"),
            str(data["openid"]) if data.get("openid") else None,
            str(data["watermark_appid"]) if data.get("watermark_appid") else None,
            self._now() + CODE_TTL_SECONDS,
        )
        return {"code": code}

    def _ctl_facial_verify(self, request: Request) -> dict[str, Any]:
        """wx.requestFacialVerify(): the person did the face step; verify_ret 10000 unless told."""
        data = self._json(request)
        found = self._state.verifications.get(str(data.get("verify_id") or ""))
        if found is None:
            raise _BadRequest(84001, "invalid verify_id")
        found.verify_ret = int(data.get("verify_ret", VERIFY_RET_OK))
        if data.get("expire"):
            found.expires_at = self._now() - 1
        return {"verify_id": found.verify_id, "verify_ret": found.verify_ret}

    def _ctl_subscribe(self, request: Request) -> dict[str, Any]:
        """wx.requestSubscribeMessage() accepted: one more one-time subscription per template."""
        data = self._json(request)
        openid = str(data.get("openid") or "")
        self._state.known_openids.add(openid)
        for template_id in data.get("template_ids") or []:
            key = (openid, str(template_id))
            self._state.subscriptions[key] = self._state.subscriptions.get(key, 0) + 1
        return {"subscriptions": self._subscriptions_of(openid)}

    def _subscriptions_of(self, openid: str) -> dict[str, int]:
        return {t: n for (o, t), n in self._state.subscriptions.items() if o == openid}

    def _ctl_faults(self, request: Request) -> dict[str, Any]:
        """Answer the next calls of ``path`` with these errcodes, one per call."""
        data = self._json(request)
        path = str(data.get("path") or "")
        codes = [int(c) for c in data.get("errcodes") or []][:100]
        self._state.faults.setdefault(path, []).extend(codes)
        return {"path": path, "pending": len(self._state.faults[path])}

    def _ctl_expire_tokens(self, request: Request) -> dict[str, Any]:
        now = self._now()
        for token in self._state.tokens.values():
            token.expires_at = min(token.expires_at, now)
        return {"expired": len(self._state.tokens)}

    def _ctl_reset(self, request: Request) -> dict[str, Any]:
        self._state = _State()
        return {"reset": True}

    def _ctl_sent(self, request: Request) -> dict[str, Any]:
        return {"sent": list(self._state.sent)}

    def _ctl_calls(self, request: Request) -> dict[str, Any]:
        return {
            "calls": list(self._state.calls),
            "token_fetches": self._state.token_fetches,
            "session_keys": list(self._state.session_keys),
        }

    def _ctl_wxacodes(self, request: Request) -> dict[str, Any]:
        return {"wxacodes": list(self._state.wxacodes)}

    def _ctl_verifications(self, request: Request) -> dict[str, Any]:
        return {
            "verifications": [
                {"verify_id": v.verify_id, "out_seq_no": v.out_seq_no, "openid": v.openid, "verify_ret": v.verify_ret}
                for v in self._state.verifications.values()
            ]
        }


class _BadRequest(Exception):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(errmsg)
        self.errcode = errcode
        self.errmsg = errmsg
