"""Template values fit WeChat's limits; reminders fall due once per threshold band."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import inspect

from entryfiling.db.session import alembic_config, make_engine
from entryfiling.domain.filing import FilingStatus
from entryfiling.domain.notifications import (
    FILING_RESULT,
    RESULT_PHRASES,
    due_threshold,
    fit,
    is_transient,
    wechat_time,
)


def test_thing_values_are_cut_to_twenty_characters_with_an_ellipsis():
    long = "资质证书“建筑工程施工总承包贰级”已于 2024-01-01 过期"
    assert len(fit("thing3", long)) == 20 and fit("thing3", long).endswith("…")
    assert fit("thing3", "短原因") == "短原因"
    assert fit("thing1", "一行\n两行") == "一行 两行"


def test_other_parameter_types_keep_to_their_own_rules():
    assert fit("phrase2", "审批通过ok") == "审批通过"
    assert all(len(p) <= 5 for p in RESULT_PHRASES.values())
    assert fit("character_string5", "JJ 2025 中文 0001") == "JJ2025" + "0001"
    assert len(fit("character_string5", "X" * 40)) == 32


def test_result_data_uses_the_declared_keys():
    data = FILING_RESULT.data(
        {
            "business": "造价企业进疆承揽业务备案",
            "result": RESULT_PHRASES[FilingStatus.REJECTED],
            "remark": "很长的原因" * 10,
            "decided_at": wechat_time(datetime(2025, 3, 1, 7, 1, tzinfo=UTC)),
            "reference": "JJ20250301000012",
        }
    )
    assert set(data) == {"thing1", "phrase2", "thing3", "time4", "character_string5"}
    assert data["time4"]["value"] == "2025年3月1日 15:01"  # China time
    assert len(data["thing3"]["value"]) == 20


def test_due_threshold_bands():
    today = date(2025, 3, 1)

    def on(days: int) -> int | None:
        return due_threshold(date.fromordinal(today.toordinal() + days), today)

    assert [on(d) for d in (31, 30, 8, 7, 1, 0, -1)] == [None, 30, 30, 7, 7, 0, None]


def test_final_and_transient_wechat_answers():
    assert not any(is_transient(code) for code in (43101, 40003, 40037, 47003))
    assert all(is_transient(code) for code in (-1, None, 40001, 42001, 45009))


def test_notifications_migration_downgrades_and_upgrades_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    config = alembic_config(url)
    command.upgrade(config, "head")
    command.downgrade(config, "0004_history")
    engine = make_engine(url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert "notifications" not in tables and "regulators" not in tables and "public_register" in tables
    command.upgrade(config, "head")
