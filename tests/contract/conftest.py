"""The contract tests use the mini-program's fixtures (the WeChat stand-in, logged-in phone users)."""

from tests.miniapp.conftest import (  # noqa: F401  (fixtures)
    miniapp_login,
    phone,
    settings,
    verified_user,
    verify,
    wechat_emulator,
)
