"""Mini-program fixtures: the WeChat stand-in on a loopback port, a phone that plays the user's
side through its control endpoints, and logged-in / verified mini-program clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from devkit.emulators.wechat import WeChatEmulator
from tests.conftest import BearerClient
from tests.factories import make_id_number
from tests.guided_rendering_check import guided_rendering_matches_the_schema
from tests.login_rendering_check import login_rendering_matches_the_schema
from tests.rendering_check import rendering_matches_the_schemas

__all__ = [
    "guided_rendering_matches_the_schema",
    "login_rendering_matches_the_schema",
    "rendering_matches_the_schemas",
]


@pytest.fixture(scope="session")
def wechat_emulator() -> Iterator[WeChatEmulator]:
    emulator = WeChatEmulator()
    emulator.start("127.0.0.1", 0)
    yield emulator
    emulator.stop()


@pytest.fixture
def settings(settings: Any, wechat_emulator: WeChatEmulator) -> Any:
    """The app under test talks to the stand-in, like production talks to api.weixin.qq.com."""
    return settings.with_overrides(wechat_api_base_url=wechat_emulator.url)


class Phone:
    """What happens on the user's phone and inside WeChat, played through the stand-in's controls."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()

    def _post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.http.post(f"{self.base_url}/__emulator__/{path}", json=body or {}, timeout=5)
        response.raise_for_status()
        return response.json()

    def _get(self, path: str) -> dict[str, Any]:
        response = self.http.get(f"{self.base_url}/__emulator__/{path}", timeout=5)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        self._post("reset")

    def wx_login(self, openid: str | None = None) -> str:
        """wx.login(): a single-use code (the openid is made up by WeChat when not given)."""
        return self.wx_login_as(openid)[0]

    def wx_login_as(self, openid: str | None = None, *, high_risk: bool = False) -> tuple[str, str]:
        body: dict[str, Any] = {"openid": openid} if openid else {}
        if high_risk:
            body["high_risk"] = True
        answer = self._post("login", body)
        return answer["code"], answer["openid"]

    def face(self, verify_id: str, verify_ret: int = 10000, *, expire: bool = False) -> None:
        self._post("facial-verify", {"verify_id": verify_id, "verify_ret": verify_ret, "expire": expire})

    def expire_verify_id(self, verify_id: str) -> None:
        self._post("facial-verify", {"verify_id": verify_id, "verify_ret": 90004, "expire": True})

    def subscribe(self, openid: str, *template_ids: str) -> None:
        self._post("subscribe", {"openid": openid, "template_ids": list(template_ids)})

    def phone_code(self, phone: str, **more: str) -> str:
        """The getPhoneNumber button; ``openid``, ``country_code``, ``watermark_appid`` as WeChat would set them."""
        return self._post("phone-codes", {"phone": phone, **more})["code"]

    def wxacodes(self) -> list[dict[str, Any]]:
        return self._get("wxacodes")["wxacodes"]

    def fault(self, path: str, *errcodes: int) -> None:
        self._post("faults", {"path": path, "errcodes": list(errcodes)})

    def expire_tokens(self) -> None:
        self._post("expire-tokens")

    def sent(self) -> list[dict[str, Any]]:
        return self._get("sent")["sent"]

    def calls(self, path: str | None = None) -> list[dict[str, Any]]:
        return [c for c in self._get("calls")["calls"] if path is None or c["path"] == path]

    def token_fetches(self) -> int:
        return self._get("calls")["token_fetches"]

    def session_keys(self) -> list[str]:
        return self._get("calls")["session_keys"]


@pytest.fixture
def phone(wechat_emulator: WeChatEmulator) -> Phone:
    handle = Phone(wechat_emulator.url)
    handle.reset()
    return handle


@dataclass
class MiniappClient(BearerClient):
    """A mini-program session: the test client with our bearer token, and the user's openid."""

    openid: str = ""
    user_id: int = 0


@pytest.fixture
def miniapp_login(client: FlaskClient, phone: Phone) -> Callable[..., MiniappClient]:
    def login(openid: str | None = None) -> MiniappClient:
        code, openid = phone.wx_login_as(openid)
        response = client.post("/miniapp/v1/login", json={"code": code})
        assert response.status_code == 200, response.json
        return MiniappClient(client, response.json["access_token"], openid, response.json["user"]["id"])

    return login


@pytest.fixture
def verify(phone: Phone) -> Callable[..., dict[str, Any]]:
    """Run the whole 人脸核身 flow for a logged-in user; returns the confirm response body."""

    def run(user: MiniappClient, name: str = "张建国", id_number: str | None = None, verify_ret: int = 10000) -> Any:
        started = user.post(
            "/miniapp/v1/identity/verifications", json={"name": name, "id_number": id_number or make_id_number()}
        )
        assert started.status_code == 201, started.json
        phone.face(started.json["verify_id"], verify_ret)
        return user.post(f"/miniapp/v1/identity/verifications/{started.json['verify_id']}/confirm")

    return run


@pytest.fixture
def verified_user(
    miniapp_login: Callable[..., MiniappClient], verify: Callable[..., Any]
) -> Callable[..., MiniappClient]:
    def make(name: str = "张建国", id_number: str | None = None) -> MiniappClient:
        user = miniapp_login(f"o-{make_id_number()}")
        response = verify(user, name, id_number)
        assert response.status_code == 200, response.json
        return user

    return make
