"""The login answer rendered by hand is the one the schema documents (see tests/login_rendering_check.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from handlers.wechat_users import MiniappLogin
from miniapp_api.login.resources import login_body
from miniapp_api.login.schemas import MiniappTokenSchema


def test_every_login_answer_is_compared_with_the_schema(client, phone, login_rendering_matches_the_schema):
    code, _ = phone.wx_login_as(None)
    response = client.post("/miniapp/v1/login", json={"code": code})
    assert response.status_code == 200, response.json
    assert login_rendering_matches_the_schema == [response.json]
    assert set(response.json) == {"access_token", "token_type", "expires_in", "user"}


@given(
    st.builds(
        MiniappLogin,
        token=st.text(min_size=1, max_size=200),
        expires_in=st.integers(min_value=0, max_value=10**9),
        user_id=st.integers(min_value=1, max_value=2**31),
        new_user=st.booleans(),
        verified=st.booleans(),
    )
)
def test_varied_logins_render_as_the_schema_dumps_them(result):
    body = login_body(result)
    assert body == MiniappTokenSchema().dump(body)
