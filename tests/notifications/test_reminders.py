"""Expiry reminders: what lapses within 30 / 7 days or today is told to the filing contacts once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from click.testing import CliRunner
from rq import Queue
from sqlalchemy import select, update

from entryfiling.cli import main
from entryfiling.db.models import Enterprise, Notification, PersonCertificate
from handlers.reminders import run_reminders
from jobs.queues import REMINDERS_FUNCTION, REMINDERS_QUEUE
from tests.api.flows import complete_first_filing, sign_and_submit
from tests.notifications.conftest import REMINDER_TEMPLATE


def filed_with_expiring_items(enterprise, make_person, services, today: date) -> None:
    """Qualifications lapsing in 30 days, a safety certificate in 7, a registered one in 200."""
    responsible = make_person("张建国", employed_by=enterprise.id)
    technical = make_person("刘工", employed_by=enterprise.id)
    filing = complete_first_filing(enterprise, responsible, technical, valid_until=today + timedelta(days=30))
    assert sign_and_submit(enterprise, filing["id"]).json["status"] == "approved"
    now = datetime.now(UTC)
    with services.uow() as uow:
        for number, kind, until in (
            ("皖建安B（2019）0101234", "安全生产考核合格证书（B证）", today + timedelta(days=7)),
            ("皖1342010201812345", "一级注册建造师", today + timedelta(days=200)),
        ):
            uow.session.add(
                PersonCertificate(
                    person_id=responsible,
                    certificate_type=kind,
                    certificate_number=number,
                    registered_enterprise_name=enterprise.name,
                    registered_enterprise_uscc=enterprise.uscc,
                    valid_until=until,
                    synced_at=now,
                )
            )
        uow.commit()


def reminders(services) -> list[Notification]:
    with services.uow() as uow:
        return list(
            uow.session.scalars(
                select(Notification).where(Notification.kind == "expiry_reminder").order_by(Notification.id)
            ).all()
        )


def test_reminder_job_run_twice_on_one_day_notifies_once(
    enterprise, make_person, subscribed_contact, phone, worker, services, redis_conn
):
    today = services.today()
    filed_with_expiring_items(enterprise, make_person, services, today)
    contact = subscribed_contact("赵报送", template=REMINDER_TEMPLATE, times=5)

    queue = Queue(REMINDERS_QUEUE, connection=redis_conn)
    queue.enqueue(REMINDERS_FUNCTION)  # what RQ's cron scheduler enqueues every morning
    worker.work()
    queue.enqueue(REMINDERS_FUNCTION)
    worker.work()

    rows = reminders(services)
    assert len(rows) == 3  # two qualifications (30 days) and the safety certificate (7 days)
    assert {r.title for r in rows} == {
        "资质即将到期：建筑工程施工总承包贰级",
        "资质即将到期：市政公用工程施工总承包叁级",
        "安管人员证书即将到期：张建国 安全生产考核合格证书（B证）",
    }
    sent = phone.sent()
    assert len(sent) == 3 and {m["touser"] for m in sent} == {contact.openid}
    safety = next(m["data"] for m in sent if "安全" in m["data"]["thing1"]["value"])
    until = today + timedelta(days=7)
    assert safety["date2"]["value"] == f"{until.year}年{until.month}月{until.day}日"
    assert safety["thing3"]["value"] == "7天内到期，请及时办理延续或更新"
    assert len(safety["thing1"]["value"]) <= 20 and len(safety["thing4"]["value"]) <= 20
    inbox = contact.get("/miniapp/v1/notifications?unread=true").json
    assert inbox["total"] == 3 and {i["kind"] for i in inbox["items"]} == {"expiry_reminder"}


def test_each_threshold_once_and_a_missed_day_is_caught_up(enterprise, make_person, subscribed_contact, services):
    today = services.today()
    filed_with_expiring_items(enterprise, make_person, services, today)
    subscribed_contact("赵报送", template=REMINDER_TEMPLATE)
    with services.uow() as uow:  # publicity ends 10 days from now
        uow.session.execute(
            update(Enterprise).where(Enterprise.id == enterprise.id).values(publicity_until=today + timedelta(days=10))
        )
        uow.commit()

    first = run_reminders(services, today)
    assert (first["due"], first["notified"]) == (4, 4)
    # The job did not run for three days: the 30-day band still holds, nothing is told twice.
    assert run_reminders(services, today + timedelta(days=3))["notified"] == 1  # publicity now within 7
    # The 7-day threshold of the qualifications, then the day itself.
    assert run_reminders(services, today + timedelta(days=23))["notified"] == 2
    assert run_reminders(services, today + timedelta(days=23))["notified"] == 0
    on_the_day = run_reminders(services, today + timedelta(days=30))
    assert on_the_day["notified"] == 2 and on_the_day["already_notified"] == 0
    assert run_reminders(services, today + timedelta(days=31))["due"] == 0  # lapsed: no more reminders
    titles = [r.title for r in reminders(services)]
    assert titles.count("资质今日到期：建筑工程施工总承包贰级") == 1
    publicity = [r for r in reminders(services) if r.title.startswith("进疆信息公示")]
    assert {r.title for r in publicity} == {"进疆信息公示即将到期"}
    for reminder in publicity:  # said once: not “进疆信息公示“进疆信息公示有效期”有效期至”
        assert reminder.body.startswith(f"{enterprise.name}的进疆信息公示有效期至 ")
        assert reminder.body.count("进疆信息公示") == 1 and reminder.body.count("有效期") == 1
    qualification = next(r for r in reminders(services) if r.title.startswith("资质"))
    assert qualification.body.count("有效期至") == 1


def test_no_filing_contact_no_reminder_and_certificates_of_other_enterprises_are_theirs(
    enterprise, make_person, subscribed_contact, services
):
    today = services.today()
    filed_with_expiring_items(enterprise, make_person, services, today)
    assert run_reminders(services, today)["notified"] == 0  # nobody to tell yet
    with services.uow() as uow:
        uow.session.execute(update(PersonCertificate).values(registered_enterprise_uscc="91650100MA77777770"))
        uow.commit()
    subscribed_contact("赵报送", template=REMINDER_TEMPLATE)
    result = run_reminders(services, today)
    assert result["notified"] == 2  # the qualifications only


def test_reminders_command_runs_without_redis(
    enterprise, make_person, subscribed_contact, phone, services, settings, wechat_emulator
):
    """The embedded default: ``entryfiling reminders run`` from the system's cron, pushes inline."""
    today = services.today()
    filed_with_expiring_items(enterprise, make_person, services, today)
    subscribed_contact("赵报送", template=REMINDER_TEMPLATE, times=3)
    env = {
        "DATABASE_URL": settings.database_url,
        "INSTANCE_PATH": str(settings.instance_path),
        "STORAGE_DIR": str(settings.storage_dir),
        "WECHAT_API_BASE_URL": wechat_emulator.url,
        "REDIS_URL": "",
    }
    runner = CliRunner()
    first = runner.invoke(main, ["reminders", "run"], env=env)
    assert first.exit_code == 0, first.output
    assert '"notified": 3' in first.output
    second = runner.invoke(main, ["reminders", "run"], env=env)
    assert '"notified": 0' in second.output and '"already_notified": 3' in second.output
    assert len(phone.sent()) == 3
    bad = runner.invoke(main, ["reminders", "run", "--date", "2025-13-01"], env=env)
    assert bad.exit_code == 2 and "年-月-日" in bad.output
