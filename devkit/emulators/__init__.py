"""Local stand-ins of the outside systems (WeChat, the national registry), for dev and tests.

They speak the same HTTP protocol as the real services, so the real clients talk to them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from entryfiling.config import Settings


def _local_port(base_url: str) -> int | None:
    """The port to serve a stand-in on, when the configured URL points at this machine."""
    parts = urlsplit(base_url)
    if parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost") and parts.port:
        return parts.port
    return None


def start_dev_stand_ins(settings: Settings) -> list[tuple[str, str]]:
    """Start a stand-in for each outside system configured at a loopback URL; (name, url) of each."""
    from devkit.emulators.registry import RegistryStandIn
    from devkit.emulators.wechat import WeChatEmulator

    started = []
    if (port := _local_port(settings.wechat_api_base_url)) is not None:
        wechat = WeChatEmulator(settings.wechat_appid, settings.wechat_secret)
        started.append(("微信接口模拟服务", wechat.start(port=port)))
    if (port := _local_port(settings.registry_api_base_url)) is not None:
        registry = RegistryStandIn(port=port).start()
        started.append(("全国建筑市场监管公共服务平台模拟服务", registry.url))
    return started
