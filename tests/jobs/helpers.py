"""Building blocks of the job tests: the demo enterprise with its employed persons."""

from __future__ import annotations

from collections.abc import Callable

from devkit.emulators.registry import DEMO_ENTERPRISE_NAME, DEMO_ENTERPRISE_USCC, DEMO_PERSONS
from tests.conftest import EnterpriseLogin


def demo_enterprise(login_enterprise: Callable[..., EnterpriseLogin]) -> EnterpriseLogin:
    return login_enterprise(DEMO_ENTERPRISE_NAME, DEMO_ENTERPRISE_USCC)


def employ_demo_persons(make_person: Callable[..., int], enterprise: EnterpriseLogin, count: int = 4) -> list[int]:
    """张建国 (2 certificates), 刘卫东 (2), 王晓峰 (1), 陈立新 (1, registered to another enterprise)…"""
    return [make_person(p.name, id_number=p.id_number, employed_by=enterprise.id) for p in DEMO_PERSONS[:count]]
