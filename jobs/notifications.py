"""Notification jobs: the WeChat push of one outbox row, and the daily expiry reminders.

Both are thin: the push takes the job id naming its outbox row (``notification-<id>``), the
reminders take nothing (RQ's cron scheduler starts them); the work is in ``handlers``.
"""

from __future__ import annotations

from typing import Any

from handlers.push import push_attempt
from handlers.reminders import run_reminders
from jobs.runtime import run_attempt, services


def push_notification(job_id: str) -> Any:
    """推送一条消息到微信（订阅消息）."""
    return run_attempt(lambda final: push_attempt(services(), job_id, final_attempt=final))


def send_reminders() -> dict[str, Any]:
    """到期提醒：资质、注册证书、安管人员证书、公示有效期."""
    return run_reminders(services())
