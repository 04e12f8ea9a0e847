"""Real-name verification (实名认证) providers behind one interface.

WeChat opens 人脸核身 only to some account categories, so the provider is configuration
(``IDENTITY_PROVIDER``): ``wechat_face`` (the default) or ``package.module:factory`` naming a
callable that takes the app's Services and returns an object with ``start`` and ``check``.
A provider never decides who a person is in our database; it only says whether this WeChat user
proved to be the holder of this name and ID number.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from entryfiling import messages as msg
from entryfiling.domain.errors import ValidationFailed
from entryfiling.integrations.wechat import (
    EXPIRED_VERIFY_ID,
    INVALID_OPENID,
    INVALID_VERIFY_ID,
    WeChat,
    WeChatError,
)

VERIFY_RET_OK = 10000
# getverifyid refusals caused by what the user typed (WeChat: 47001 data format error).
_INPUT_REFUSALS = frozenset({47001})


@dataclass(frozen=True)
class StartedVerification:
    verify_id: str
    expires_in: int


@dataclass(frozen=True)
class VerificationOutcome:
    status: Literal["passed", "failed", "expired"]
    code: int | None
    reason: str


class IdentityVerifier(Protocol):
    name: str

    def start(self, *, openid: str, out_seq_no: str, name: str, id_number: str) -> StartedVerification: ...

    def check(
        self, *, openid: str, out_seq_no: str, verify_id: str, name: str, id_number: str
    ) -> VerificationOutcome: ...


class WeChatFaceVerifier:
    """微信人脸核身 (getverifyid, then wx.requestFacialVerify on the phone, then queryverifyinfo)."""

    name = "wechat_face"

    def __init__(self, wechat: WeChat) -> None:
        self.wechat = wechat

    def start(self, *, openid: str, out_seq_no: str, name: str, id_number: str) -> StartedVerification:
        try:
            started = self.wechat.get_verify_id(out_seq_no, name, id_number, openid)
        except WeChatError as error:
            if error.errcode in _INPUT_REFUSALS:
                text = msg.IDENTITY_PROVIDER_REFUSED.format(errcode=error.errcode)
                raise ValidationFailed.on("id_number", text) from None
            raise
        return StartedVerification(started.verify_id, started.expires_in)

    def check(self, *, openid: str, out_seq_no: str, verify_id: str, name: str, id_number: str) -> VerificationOutcome:
        """Passed only when errcode == 0 and verify_ret == 10000; anything else says why not."""
        try:
            verify_ret = self.wechat.query_verify_info(verify_id, out_seq_no, name, id_number, openid)
        except WeChatError as error:
            if error.errcode == EXPIRED_VERIFY_ID:
                return VerificationOutcome("expired", error.errcode, msg.IDENTITY_VERIFICATION_EXPIRED)
            if error.errcode in (INVALID_VERIFY_ID, INVALID_OPENID):
                return VerificationOutcome("failed", error.errcode, msg.IDENTITY_VERIFICATION_NOT_FOUND)
            raise
        if verify_ret == VERIFY_RET_OK:
            return VerificationOutcome("passed", verify_ret, "")
        reason = msg.VERIFY_RET_REASONS.get(verify_ret) or msg.VERIFY_RET_OTHER.format(code=verify_ret)
        return VerificationOutcome("failed", verify_ret, reason)


PROVIDERS: dict[str, Callable[[Any], IdentityVerifier]] = {
    "wechat_face": lambda services: WeChatFaceVerifier(services.wechat()),
}


def make_identity_verifier(name: str, services: Any) -> IdentityVerifier:
    """The provider named by configuration: a built-in key, or ``module:factory`` of a deployment."""
    if name in PROVIDERS:
        return PROVIDERS[name](services)
    module_name, _, attribute = name.partition(":")
    if module_name and attribute:
        factory = getattr(importlib.import_module(module_name), attribute)
        return factory(services)  # type: ignore[no-any-return]
    raise ValueError(msg.IDENTITY_PROVIDER_UNKNOWN.format(name=name, options="、".join(PROVIDERS)))
