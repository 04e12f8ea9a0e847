"""WeChat server API through wechatpy, pointed at a configurable base URL.

wechatpy 1.8 hard-codes api.weixin.qq.com (class attributes and the token URL), so a small
subclass moves every URL under ``WECHAT_API_BASE_URL``: production sets it to
``https://api.weixin.qq.com``, dev and tests to the local stand-in. The access token lives in
wechatpy session storage shared by every process (Redis when configured, else the database), so
one process's refresh serves all. wechatpy retries 40001/40014/42001 after refreshing the token
without limit; here one refresh per call is allowed, then the error stands.

The access token comes from ``getStableAccessToken`` (``POST /cgi-bin/stable_token``) in its
normal mode: other holders of the same AppID (a second deployment, a console tool) keep their
token, where ``/cgi-bin/token`` would invalidate it. ``jscode2session`` is called with only
appid, secret, js_code and grant_type, so logging in never depends on the token endpoint.

Every failure leaves as :class:`WeChatError` (an ``ExternalServiceError``) carrying WeChat's
``errcode``; the use cases turn the codes a user can act on into clear refusals.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

import requests
import urllib3
from redis.exceptions import RedisError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from entryfiling import messages as msg
from entryfiling.db.models import KeyValue
from entryfiling.domain.errors import ExternalServiceError
from entryfiling.integrations.tls import verified_pool_options
from entryfiling.metrics import count_push

log = logging.getLogger(__name__)

# WeChat error codes this project acts on.
SYSTEM_BUSY = -1
INVALID_CREDENTIAL = 40001
INVALID_OPENID = 40003
INVALID_CODE = 40029
CODE_USED = 40163
HIGH_RISK_USER = 40226
INVALID_PAGE = 41030
TEMPLATE_DATA_INVALID = 47003
EXPIRED_ACCESS_TOKEN = 42001
SUBSCRIPTION_REFUSED = 43101
CODE2SESSION_RATE_LIMITED = 45011
OUT_OF_API_FREQ = 45009
INVALID_VERIFY_ID = 84001
EXPIRED_VERIFY_ID = 84002
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
# Endpoints WeChat serves without an access token. wechatpy adds one to every call; fetching it
# first would make each login fail whenever the token endpoint does.
TOKENLESS_ENDPOINTS = ("sns/jscode2session",)
# subscribeMessage.send ``miniprogram_state`` → wxacode.getUnlimited ``env_version``.
ENV_VERSIONS = {"formal": "release", "trial": "trial", "developer": "develop"}
MAX_TOKEN_REFRESHES_PER_CALL = 1
DEFAULT_TIMEOUT_SECONDS = 10


class WeChatError(ExternalServiceError):
    """WeChat refused or failed; ``errcode`` is WeChat's, ``None`` when it could not be reached."""

    def __init__(self, errcode: int | None, errmsg: str) -> None:
        super().__init__(msg.WECHAT_FAILED.format(errcode=errcode) if errcode is not None else msg.WECHAT_UNREACHABLE)
        self.errcode = errcode
        self.errmsg = errmsg


class PhoneNotForThisApp(WeChatError):
    """A phone_info whose watermark names another AppID: not WeChat's answer to us."""

    def __init__(self) -> None:
        super().__init__(None, "phone_info watermark appid is not ours")


def cert_hash(cert_type: str, cert_name: str, cert_no: str) -> str:
    """The digest queryverifyinfo expects (WeChat 人脸核身 docs, 注意事项).

    Each of cert_type, cert_name, cert_no is standard-base64 encoded (UTF-8 bytes), joined as
    ``cert_type=…&cert_name=…&cert_no=…`` in that order, and SHA-256 hashed to lower-case hex.
    WeChat's worked example (IDENTITY_CARD / 张三 / 310101199801011234 → 3c241f7f…108b) is a test.
    """

    def b64(value: str) -> str:
        return base64.b64encode(value.encode("utf-8")).decode("ascii")

    joined = f"cert_type={b64(cert_type)}&cert_name={b64(cert_name)}&cert_no={b64(cert_no)}"
    return hashlib.sha256(joined.encode("ascii")).hexdigest()


# ---------------------------------------------------------------------------- token storage


class DatabaseSessionStorage(SessionStorage):  # type: ignore[misc]
    """wechatpy session storage in the ``key_values`` table: shared by every process, with TTL."""

    def __init__(self, session_factory: sessionmaker[Session], clock: Callable[[], datetime], prefix: str) -> None:
        self._session_factory = session_factory
        self._clock = clock
        self._prefix = prefix

    def _key(self, key: str) -> str:
        return f"{self._prefix}:{key}"

    def get(self, key: str, default: Any = None) -> Any:
        with self._session_factory() as session:
            row = session.scalar(select(KeyValue).where(KeyValue.key == self._key(key)))
            if row is None or (row.expires_at is not None and row.expires_at <= self._clock()):
                return default
            return row.value

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        if value is None:
            return
        expires_at = self._clock() + timedelta(seconds=int(ttl)) if ttl else None
        with self._session_factory() as session:
            changed = session.execute(
                update(KeyValue).where(KeyValue.key == self._key(key)).values(value=value, expires_at=expires_at)
            )
            if changed.rowcount == 0:  # type: ignore[attr-defined]
                try:
                    with session.begin_nested():
                        session.add(KeyValue(key=self._key(key), value=value, expires_at=expires_at))
                except IntegrityError:  # another process stored it first: last writer wins
                    session.execute(
                        update(KeyValue)
                        .where(KeyValue.key == self._key(key))
                        .values(value=value, expires_at=expires_at)
                    )
            session.commit()

    def delete(self, key: str) -> None:
        with self._session_factory() as session:
            session.execute(delete(KeyValue).where(KeyValue.key == self._key(key)))
            session.commit()


class FallbackSessionStorage(SessionStorage):  # type: ignore[misc]
    """Redis first, the database behind it: the access token is written to both, and read from the
    database while Redis is unreachable, so an outage of Redis does not stop WeChat logins."""

    def __init__(self, primary: SessionStorage, fallback: SessionStorage) -> None:
        self._primary = primary
        self._fallback = fallback

    def get(self, key: str, default: Any = None) -> Any:
        try:
            value = self._primary.get(key, None)
        except RedisError:
            log.warning("redis unavailable: WeChat token read from the database")
            return self._fallback.get(key, default)
        return value if value is not None else self._fallback.get(key, default)

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        self._fallback.set(key, value, ttl)
        try:
            self._primary.set(key, value, ttl)
        except RedisError:
            log.warning("redis unavailable: WeChat token kept in the database only")

    def delete(self, key: str) -> None:
        self._fallback.delete(key)
        try:
            self._primary.delete(key)
        except RedisError:
            log.warning("redis unavailable: WeChat token deleted from the database only")


def make_session_storage(
    redis_url: str | None, session_factory: sessionmaker[Session], clock: Callable[[], datetime], appid: str
) -> SessionStorage:
    if redis_url:
        import redis
        from wechatpy.session.redisstorage import RedisStorage

        connection = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5)
        database = DatabaseSessionStorage(session_factory, clock, prefix="wechat")
        return FallbackSessionStorage(RedisStorage(connection, prefix="entryfiling:wechat"), database)
    return DatabaseSessionStorage(session_factory, clock, prefix="wechat")


# ---------------------------------------------------------------------------- the wechatpy client


def _settle_environment(http: requests.Session, base_url: str) -> None:
    """Read once what requests would read from the environment on every call.

    With ``trust_env`` on, each request scans every environment variable for proxy settings,
    checks ``no_proxy`` against the URL, looks for a ``~/.netrc`` and for ``REQUESTS_CA_BUNDLE``:
    about a fifth of a millisecond of CPU per call, on every login. Every call of this client goes
    to ``base_url``, so the proxy the environment names for it and the CA bundle are settled here,
    when the client is made, and the per-call lookup is off. (A ``.netrc`` entry is not used: WeChat
    authenticates by AppID and secret in the query, never by HTTP authentication.)
    """
    http.proxies.update(requests.utils.get_environ_proxies(base_url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        http.verify = bundle
    http.trust_env = False


class ConfiguredWeChatClient(WeChatClient):  # type: ignore[misc]
    """WeChatClient whose every URL is under ``base_url`` and whose token refresh is capped."""

    def __init__(self, base_url: str, appid: str, secret: str, session: SessionStorage, timeout: float) -> None:
        super().__init__(appid, secret, session=session, timeout=timeout)
        self.base_url = base_url.rstrip("/")
        _settle_environment(self._http, self.base_url)
        self.API_BASE_URL = f"{self.base_url}/cgi-bin/"
        # wechatpy makes one WeChatWxa per client instance: this overrides its class attribute only here.
        self.wxa.API_BASE_URL = f"{self.base_url}/"
        self._depth = threading.local()

    def fetch_access_token(self) -> Any:
        """getStableAccessToken, normal mode (force_refresh false): while the current token is valid
        WeChat returns it unchanged, so no other holder of the AppID loses theirs."""
        body = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret, "force_refresh": False}
        response = self._http.post(
            f"{self.base_url}/cgi-bin/stable_token", data=json.dumps(body).encode("utf-8"), timeout=self.timeout
        )
        try:
            response.raise_for_status()
            result = response.json()
        except (requests.RequestException, ValueError):
            raise WeChatClientException(None, None, client=self, request=response.request, response=response) from None
        if not isinstance(result, dict) or int(result.get("errcode") or 0) != 0 or not result.get("access_token"):
            errcode = int(result.get("errcode") or 0) if isinstance(result, dict) else None
            errmsg = str(result.get("errmsg") or "") if isinstance(result, dict) else "not JSON"
            raise WeChatClientException(errcode, errmsg, client=self, request=response.request, response=response)
        expires_in = int(result.get("expires_in") or 7200)
        self.session.set(self.access_token_key, result["access_token"], expires_in)
        self.expires_at = int(time.time()) + expires_in
        return result

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        if url_or_endpoint.endswith(TOKENLESS_ENDPOINTS):
            # wechatpy adds a token unless the key is present; requests drops a None-valued parameter.
            kwargs["params"] = {**(kwargs.get("params") or {}), "access_token": None}
        depth = getattr(self._depth, "value", 0)
        self._depth.value = depth + 1
        try:
            return super()._request(method, url_or_endpoint, **kwargs)
        finally:
            self._depth.value = depth

    def _handle_result(
        self, res: Any, method: Any = None, url: Any = None, result_processor: Any = None, **kw: Any
    ) -> Any:
        """Refresh-and-retry at most MAX_TOKEN_REFRESHES_PER_CALL times, then let the error stand;
        a tokenless endpoint is never retried with a token."""
        retried = getattr(self._depth, "value", 1) - 1
        tokenless = isinstance(url, str) and url.endswith(TOKENLESS_ENDPOINTS)
        if (tokenless or retried >= MAX_TOKEN_REFRESHES_PER_CALL) and isinstance(res, requests.Response):
            result = self._decode_result(res)
            if isinstance(result, dict) and int(result.get("errcode") or 0) in TOKEN_ERRCODES:
                raise WeChatClientException(
                    int(result["errcode"]), result.get("errmsg", ""), client=self, request=res.request, response=res
                )
            if isinstance(result, dict) and int(result.get("errcode") or 0) == 0:
                # Decoded once: wechatpy takes an answer as a dict (it needs the response only to
                # raise an error with it).
                return super()._handle_result(result, method, url, result_processor, **kw)
        return super()._handle_result(res, method, url, result_processor, **kw)


class Code2SessionTransport:
    """``jscode2session`` on urllib3's connection pool directly, beneath requests and wechatpy.

    Written by hand because every login pays for it: through wechatpy and requests a call cost
    ≈ 0.6 ms of CPU in our process (requests' preparation of the request, its hooks, cookie jar,
    the typing-protocol ``isinstance`` checks of requests 2.34, wechatpy's URL building and result
    handling), on urllib3 alone ≈ 0.3 ms, measured side by side against the stand-in. It is the
    one tokenless call: wechatpy's access-token handling, which is what it adds, never applies.
    What requests gave it is kept: one kept-alive pool per process (ten connections, as requests),
    a dropped connection noticed before reuse, the same timeout for connecting and reading, no
    retry (a code is single use), TLS verified against requests' own CA bundle or the one the
    environment named, and no redirect followed (WeChat answers where it is asked). An address
    the environment sends through a proxy keeps the wechatpy/requests path (``of`` gives None),
    which knows every kind of proxy. Failures leave as wechatpy's would have, as ``WeChatError``:
    WeChat's errcode, or None (unreachable, an HTTP error, an answer that is not JSON)."""

    _HEADERS: ClassVar[dict[str, str]] = {"Accept": "*/*", "Accept-Encoding": "gzip, deflate"}

    def __init__(self, base_url: str, verify: bool | str, timeout: float) -> None:
        pool_options = verified_pool_options(verify) if base_url.lower().startswith("https") else {}
        self._pool = urllib3.connection_from_url(
            base_url, maxsize=10, timeout=urllib3.Timeout(connect=timeout, read=timeout), **pool_options
        )
        self._path = f"{urlsplit(base_url).path.rstrip('/')}/sns/jscode2session?"

    @classmethod
    def of(cls, client: ConfiguredWeChatClient) -> Code2SessionTransport | None:
        if requests.utils.select_proxy(client.base_url, client._http.proxies):
            return None
        return cls(client.base_url, client._http.verify, client.timeout or DEFAULT_TIMEOUT_SECONDS)

    def get(self, params: dict[str, str]) -> dict[str, Any]:
        try:
            response = self._pool.urlopen(
                "GET", self._path + urlencode(params), headers=self._HEADERS, retries=False, redirect=False
            )
        except urllib3.exceptions.HTTPError as error:
            raise WeChatError(None, _as_requests_names_it(error)) from None
        if response.status >= 400:
            raise WeChatError(None, "")
        try:
            result = json.loads(response.data.decode("utf-8", "ignore"), strict=False)
        except ValueError:
            raise WeChatError(None, "not JSON") from None
        if not isinstance(result, dict):
            raise WeChatError(None, "not JSON")
        errcode = int(result.get("errcode") or 0)
        if errcode != 0:
            # As wechatpy words a refusal without errmsg (the code itself; nothing for a token error).
            errmsg = result.get("errmsg", "" if errcode in TOKEN_ERRCODES else errcode)
            raise WeChatError(errcode, str(errmsg or ""))
        return result


def _as_requests_names_it(error: urllib3.exceptions.HTTPError) -> str:
    """The name requests gives a failure (what ``WeChat._call`` records as the message)."""
    if isinstance(error, urllib3.exceptions.SSLError):
        return "SSLError"
    if isinstance(error, urllib3.exceptions.ReadTimeoutError):
        return "ReadTimeout"
    if isinstance(error, urllib3.exceptions.ConnectTimeoutError) and not isinstance(
        error, urllib3.exceptions.NewConnectionError
    ):
        return "ConnectTimeout"
    return "ConnectionError"


# ---------------------------------------------------------------------------- what the use cases call


@dataclass(frozen=True)
class WeChatSession:
    openid: str
    unionid: str | None
    session_key: str


@dataclass(frozen=True)
class VerifyId:
    verify_id: str
    expires_in: int


@dataclass(frozen=True)
class PhoneNumber:
    """getuserphonenumber's answer: the number without and with its country code."""

    country_code: str
    pure_number: str

    @property
    def international(self) -> str:
        return f"+{self.country_code} {self.pure_number}"


class WeChat:
    """The WeChat calls this project makes, each returning plain values or raising WeChatError."""

    def __init__(
        self,
        client: ConfiguredWeChatClient,
        *,
        miniprogram_state: str = "formal",
        lang: str = "zh_CN",
    ) -> None:
        self.client = client
        self.miniprogram_state = miniprogram_state
        self.lang = lang
        self._code2session = Code2SessionTransport.of(client)

    @classmethod
    def from_settings(
        cls, settings: Any, session_factory: sessionmaker[Session], clock: Callable[[], datetime]
    ) -> WeChat:
        storage = make_session_storage(settings.redis_url, session_factory, clock, settings.wechat_appid)
        client = ConfiguredWeChatClient(
            settings.wechat_api_base_url,
            settings.wechat_appid,
            settings.wechat_secret,
            storage,
            timeout=DEFAULT_TIMEOUT_SECONDS,
        )
        return cls(client, miniprogram_state=settings.wechat_miniprogram_state, lang=settings.wechat_message_lang)

    def _call(self, do: Callable[[], Any]) -> dict[str, Any]:
        try:
            result = do()
        except WeChatClientException as error:
            code = int(error.errcode) if error.errcode is not None else None
            raise WeChatError(code, str(error.errmsg or "")) from None
        except requests.RequestException as error:
            raise WeChatError(None, type(error).__name__) from None
        if not isinstance(result, dict):
            raise WeChatError(None, "not JSON")
        return result

    def _post(self, endpoint: str, data: dict[str, Any], **kwargs: Any) -> Any:
        return self.client.post(endpoint, data=data, api_base_url=f"{self.client.base_url}/", **kwargs)

    def code_to_session(self, code: str) -> WeChatSession:
        """jscode2session with exactly WeChat's four parameters (no access token)."""
        params = {"appid": self.client.appid, "secret": self.client.secret, "js_code": code}
        params["grant_type"] = "authorization_code"
        if self._code2session is not None:
            result = self._code2session.get(params)
        else:
            result = self._call(
                lambda: self.client.get("sns/jscode2session", params=params, api_base_url=f"{self.client.base_url}/")
            )
        if not result.get("openid") or not result.get("session_key"):
            raise WeChatError(None, "code2session without openid")
        return WeChatSession(result["openid"], result.get("unionid"), result["session_key"])

    def send_subscribe_message(self, openid: str, template_id: str, data: dict[str, Any], page: str | None) -> int:
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": data,
            "miniprogram_state": self.miniprogram_state,
            "lang": self.lang,
        }
        if page:
            body["page"] = page
        try:
            result = self._call(lambda: self._post("cgi-bin/message/subscribe/send", body))
        except WeChatError as error:
            count_push(error.errcode)
            raise
        count_push(0)
        return int(result.get("msgid") or 0)

    def get_phone_number(self, code: str, openid: str) -> PhoneNumber:
        """getuserphonenumber (wechatpy 1.8 has no helper: the generic post, as its 2.0 does).

        The answer is WeChat's only if its watermark names our AppID; the country code is kept.
        """
        result = self._call(lambda: self._post("wxa/business/getuserphonenumber", {"code": code, "openid": openid}))
        info = result.get("phone_info") or {}
        watermark = info.get("watermark") or {}
        if watermark.get("appid") != self.client.appid:
            raise PhoneNotForThisApp()
        pure = str(info.get("purePhoneNumber") or "")
        country_code = str(info.get("countryCode") or "").lstrip("+")
        if not pure.isdigit() or not country_code.isdigit():
            raise WeChatError(None, "phone_info without a number")
        return PhoneNumber(country_code, pure)

    def get_unlimited_code(self, scene: str, page: str, width: int = 430) -> bytes:
        """wxacode.getUnlimited: the 小程序码 image for ``scene`` opening ``page``.

        The page is checked against the released mini-program (``check_path``) only for the formal
        build: trial and developer builds may have pages not yet released.
        """
        body = {
            "scene": scene,
            "page": page,
            "check_path": self.miniprogram_state == "formal",
            "env_version": ENV_VERSIONS[self.miniprogram_state],
            "width": width,
        }
        try:
            response = self._post("wxa/getwxacodeunlimit", body)
        except WeChatClientException as error:
            code = int(error.errcode) if error.errcode is not None else None
            raise WeChatError(code, str(error.errmsg or "")) from None
        except requests.RequestException as error:
            raise WeChatError(None, type(error).__name__) from None
        # An image comes back as bytes (wechatpy hands over the response); an error as JSON.
        if isinstance(response, requests.Response) and response.headers.get("Content-Type", "").startswith("image/"):
            return response.content
        raise WeChatError(None, "getwxacodeunlimit answered no image")

    def get_verify_id(self, out_seq_no: str, name: str, id_number: str, openid: str) -> VerifyId:
        cert_info = {"cert_type": "IDENTITY_CARD", "cert_name": name, "cert_no": id_number}
        result = self._call(
            lambda: self._post(
                "cityservice/face/identify/getverifyid",
                {"out_seq_no": out_seq_no, "cert_info": cert_info, "openid": openid},
            )
        )
        if not result.get("verify_id"):
            raise WeChatError(None, "getverifyid without verify_id")
        return VerifyId(str(result["verify_id"]), int(result.get("expires_in") or 3600))

    def query_verify_info(self, verify_id: str, out_seq_no: str, name: str, id_number: str, openid: str) -> int:
        """verify_ret of the face step; 10000 (with errcode 0) is the only pass."""
        result = self._call(
            lambda: self._post(
                "cityservice/face/identify/queryverifyinfo",
                {
                    "verify_id": verify_id,
                    "out_seq_no": out_seq_no,
                    "cert_hash": cert_hash("IDENTITY_CARD", name, id_number),
                    "openid": openid,
                },
            )
        )
        return int(result.get("verify_ret") or 0)
