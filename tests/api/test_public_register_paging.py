"""The public register at size: substring search of one, two and more characters, keyset pages, the
brief cache of public answers, and a rate limit that leaves reads as reads."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from entryfiling.db.models import Enterprise, PublicEntry, RateLimitBucket
from tests.factories import make_uscc

NAMES = ["新疆{n}建设工程有限公司", "安徽{n}路桥集团", "江苏{n}建筑设计院", "四川{n}工程咨询有限公司"]


@pytest.fixture
def register(services):
    """Forty entries written straight to the register (approval is tested elsewhere)."""
    now = datetime.now(UTC)
    rows = []
    for n in range(40):
        name = NAMES[n % 4].format(n=f"{n:02d}")
        rows.append(
            {
                "uscc": make_uscc(900 + n),
                "name": name,
                "enterprise_type": "construction",
                "filed_record": {},
                "created_at": now,
                "updated_at": now,
                "filed_at": now,
            }
        )
    with services.uow() as uow:
        ids = uow.session.scalars(insert(Enterprise).returning(Enterprise.id), rows).all()
        uow.session.execute(
            insert(PublicEntry),
            [
                {
                    "enterprise_id": eid,
                    "name": row["name"],
                    "uscc": row["uscc"],
                    "enterprise_type": "design" if i % 2 else "construction",
                    "qualification_names": "工程设计建筑行业甲级" if i % 2 else "市政公用工程施工总承包贰级",
                    "entry": {},
                    "filed_at": now,
                    "publicity_until": date.today() + timedelta(days=30),
                    "updated_at": now,
                }
                for i, (eid, row) in enumerate(zip(ids, rows, strict=True))
            ],
        )
        uow.commit()
    return [row["name"] for row in rows]


def names(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["name"] for item in response.json["items"]]


@pytest.mark.parametrize("q", ["建", "建设", "建设工程", "路桥集团"])
def test_name_search_finds_exactly_the_entries_containing_the_text(register, client, q):
    found = names(client.get("/api/v1/public/enterprises", query_string={"q": q, "page_size": 100}))
    assert found == sorted(n for n in register if q in n)


def test_qualification_search_of_two_characters(register, client):
    response = client.get("/api/v1/public/enterprises", query_string={"qualification": "市政", "page_size": 100})
    assert response.json["total"] == 20 and len(names(response)) == 20


def test_keyset_pages_walk_every_entry_once_in_order(register, client):
    seen, after, pages = [], None, 0
    while pages < 20:
        query = {"page_size": 7, **({"after": after} if after else {})}
        response = client.get("/api/v1/public/enterprises", query_string=query)
        seen += names(response)
        pages += 1
        after = response.json["next"]
        if after is None:
            break
    assert seen == sorted(register) and pages == 6
    assert response.json["total"] == 40


def test_keyset_pages_keep_the_filter(register, client):
    first = client.get("/api/v1/public/enterprises", query_string={"enterprise_type": "design", "page_size": 15})
    second = client.get(
        "/api/v1/public/enterprises",
        query_string={"enterprise_type": "design", "page_size": 15, "after": first.json["next"]},
    )
    assert len(names(first)) == 15 and len(names(second)) == 5 and second.json["next"] is None
    assert not set(names(first)) & set(names(second))


@pytest.mark.parametrize("cursor", ["not-a-cursor", "WzEsMl0", "bnVsbA", "W10"])
def test_a_bad_cursor_is_refused_clearly(client, cursor):
    response = client.get("/api/v1/public/enterprises", query_string={"after": cursor})
    assert response.status_code == 422
    assert response.json["errors"] == {"after": "分页位置 after 无效，请使用上一页返回的 next 值"}


def test_register_answers_are_kept_briefly_and_revalidate(make_app, register, services):
    client = make_app(public_cache_seconds=300).test_client()
    first = client.get("/api/v1/public/enterprises", query_string={"q": "路桥"})
    with services.uow() as uow:
        uow.session.execute(PublicEntry.__table__.update().values(name=PublicEntry.name + "（已更名）"))
        uow.commit()
    again = client.get("/api/v1/public/enterprises", query_string={"q": "路桥"})
    assert again.get_data() == first.get_data()  # the kept answer, not a new query
    assert "（已更名）" in client.get("/api/v1/public/enterprises", query_string={"q": "集团"}).get_data(as_text=True)
    unchanged = client.get(
        "/api/v1/public/enterprises", query_string={"q": "路桥"}, headers={"If-None-Match": first.headers["ETag"]}
    )
    assert unchanged.status_code == 304 and unchanged.get_data() == b""


def test_register_reads_write_no_rate_limit_rows(register, client, services):
    for _ in range(3):
        assert client.get("/api/v1/public/enterprises", query_string={"q": "建设"}).status_code == 200
    with services.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(RateLimitBucket)) == 0


def test_a_search_matching_more_than_the_count_limit_says_so_and_still_pages_through_all(client, register, monkeypatch):
    from handlers import register as register_search

    monkeypatch.setattr(register_search, "COUNT_LIMIT", 15)
    first = client.get("/api/v1/public/enterprises", query_string={"page_size": 10})
    assert first.json["total"] == 15 and first.json["total_capped"] is True
    seen = names(first)
    after = first.json["next"]
    for _ in range(10):  # bounded: four pages hold all forty
        if after is None:
            break
        page = client.get("/api/v1/public/enterprises", query_string={"page_size": 10, "after": after})
        seen += names(page)
        after = page.json["next"]
    assert sorted(seen) == sorted(register)
    narrow = client.get("/api/v1/public/enterprises", query_string={"q": "路桥"})
    assert narrow.json["total"] == 10 and narrow.json["total_capped"] is False
