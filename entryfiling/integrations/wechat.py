"""WeChat server API through wechatpy, pointed at a configurable base URL.

wechatpy 1.8 hard-codes api.weixin.qq.com (class attributes and the token URL), so a small
subclass moves every URL under ``WECHAT_API_BASE_URL``: production sets it to
``https://api.weixin.qq.com``, dev and tests to the local stand-in. The access token lives in
wechatpy session storage shared by every process (Redis when configured, else the database), so
one process's refresh serves all. wechatpy retries 40001/40014/42001 after refreshing the token
without limit; here one refresh per call is allowed, then the error stands.

Every failure leaves as :class:`WeChatError` (an ``ExternalServiceError``) carrying WeChat's
``errcode``; the use cases turn the codes a user can act on into clear refusals.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
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
from entryfiling.metrics import count_push

log = logging.getLogger(__name__)

# WeChat error codes this project acts on.
INVALID_CREDENTIAL = 40001
INVALID_OPENID = 40003
INVALID_CODE = 40029
EXPIRED_ACCESS_TOKEN = 42001
SUBSCRIPTION_REFUSED = 43101
CODE2SESSION_RATE_LIMITED = 45011
OUT_OF_API_FREQ = 45009
INVALID_VERIFY_ID = 84001
EXPIRED_VERIFY_ID = 84002
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
MAX_TOKEN_REFRESHES_PER_CALL = 1
DEFAULT_TIMEOUT_SECONDS = 10


class WeChatError(ExternalServiceError):
    """WeChat refused or failed; ``errcode`` is WeChat's, ``None`` when it could not be reached."""

    def __init__(self, errcode: int | None, errmsg: str) -> None:
        super().__init__(msg.WECHAT_FAILED.format(errcode=errcode) if errcode is not None else msg.WECHAT_UNREACHABLE)
        self.errcode = errcode
        self.errmsg = errmsg


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


class ConfiguredWeChatClient(WeChatClient):  # type: ignore[misc]
    """WeChatClient whose every URL is under ``base_url`` and whose token refresh is capped."""

    def __init__(self, base_url: str, appid: str, secret: str, session: SessionStorage, timeout: float) -> None:
        super().__init__(appid, secret, session=session, timeout=timeout)
        self.base_url = base_url.rstrip("/")
        self.API_BASE_URL = f"{self.base_url}/cgi-bin/"
        # wechatpy makes one WeChatWxa per client instance: this overrides its class attribute only here.
        self.wxa.API_BASE_URL = f"{self.base_url}/"
        self._depth = threading.local()

    def fetch_access_token(self) -> Any:
        return self._fetch_access_token(
            url=f"{self.base_url}/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        depth = getattr(self._depth, "value", 0)
        self._depth.value = depth + 1
        try:
            return super()._request(method, url_or_endpoint, **kwargs)
        finally:
            self._depth.value = depth

    def _handle_result(
        self, res: Any, method: Any = None, url: Any = None, result_processor: Any = None, **kw: Any
    ) -> Any:
        """Refresh-and-retry at most MAX_TOKEN_REFRESHES_PER_CALL times, then let the error stand."""
        retried = getattr(self._depth, "value", 1) - 1
        if retried >= MAX_TOKEN_REFRESHES_PER_CALL and isinstance(res, requests.Response):
            result = self._decode_result(res)
            if isinstance(result, dict) and int(result.get("errcode") or 0) in TOKEN_ERRCODES:
                raise WeChatClientException(
                    int(result["errcode"]), result.get("errmsg", ""), client=self, request=res.request, response=res
                )
        return super()._handle_result(res, method, url, result_processor, **kw)


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


class WeChat:
    """The WeChat calls this project makes, each returning plain values or raising WeChatError."""

    def __init__(self, client: ConfiguredWeChatClient) -> None:
        self.client = client

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
        return cls(client)

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

    def code_to_session(self, code: str) -> WeChatSession:
        result = self._call(lambda: self.client.wxa.code_to_session(code))
        if not result.get("openid") or not result.get("session_key"):
            raise WeChatError(None, "code2session without openid")
        return WeChatSession(result["openid"], result.get("unionid"), result["session_key"])

    def send_subscribe_message(self, openid: str, template_id: str, data: dict[str, Any], page: str | None) -> int:
        try:
            result = self._call(lambda: self.client.wxa.send_subscribe_message(openid, template_id, data, page))
        except WeChatError as error:
            count_push(error.errcode)
            raise
        count_push(0)
        return int(result.get("msgid") or 0)

    def get_phone_number(self, code: str) -> str:
        """getuserphonenumber (wechatpy 1.8 has no helper: the generic post, as its 2.0 does)."""
        result = self._call(
            lambda: self.client.post(
                "wxa/business/getuserphonenumber", data={"code": code}, api_base_url=f"{self.client.base_url}/"
            )
        )
        info = result.get("phone_info") or {}
        return str(info.get("purePhoneNumber") or info.get("phoneNumber") or "")

    def get_verify_id(self, out_seq_no: str, name: str, id_number: str, openid: str) -> VerifyId:
        cert_info = {"cert_type": "IDENTITY_CARD", "cert_name": name, "cert_no": id_number}
        result = self._call(
            lambda: self.client.post(
                "cityservice/face/identify/getverifyid",
                data={"out_seq_no": out_seq_no, "cert_info": cert_info, "openid": openid},
                api_base_url=f"{self.client.base_url}/",
            )
        )
        if not result.get("verify_id"):
            raise WeChatError(None, "getverifyid without verify_id")
        return VerifyId(str(result["verify_id"]), int(result.get("expires_in") or 3600))

    def query_verify_info(self, verify_id: str, out_seq_no: str, name: str, id_number: str, openid: str) -> int:
        """verify_ret of the face step; 10000 (with errcode 0) is the only pass."""
        result = self._call(
            lambda: self.client.post(
                "cityservice/face/identify/queryverifyinfo",
                data={
                    "verify_id": verify_id,
                    "out_seq_no": out_seq_no,
                    "cert_hash": cert_hash("IDENTITY_CARD", name, id_number),
                    "openid": openid,
                },
                api_base_url=f"{self.client.base_url}/",
            )
        )
        return int(result.get("verify_ret") or 0)
