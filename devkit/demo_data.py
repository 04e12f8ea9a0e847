"""Who the demo is about: enterprises and persons, shared by the dev loader and the registry stand-in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoEnterprise:
    key: str
    name: str
    uscc: str
    enterprise_type: str


@dataclass(frozen=True)
class DemoPerson:
    name: str
    id_number: str
    verified: bool
    employer: str | None


DEMO_ENTERPRISES = (
    DemoEnterprise("construction", "安徽德拓建设工程有限公司", "91340100MA2N0DT108", "construction"),
    DemoEnterprise("supervision", "江苏华信工程监理有限公司", "91320000MA1MHX9P1J", "supervision"),
    DemoEnterprise("cost_consulting", "浙江中衡工程造价咨询有限公司", "91330100MA27XK3K2F", "cost_consulting"),
)

# The first five are also known to the registry stand-in, with registered certificates
# (陈立新's registered to another enterprise, to show how a sync flags it).
DEMO_PERSONS = (
    DemoPerson("张建国", "340102198005120013", True, "construction"),
    DemoPerson("刘卫东", "340104198309170020", True, "construction"),
    DemoPerson("王晓峰", "340121198602030031", True, "construction"),
    DemoPerson("陈立新", "320102197906210042", True, "construction"),
    DemoPerson("赵红梅", "340103199008150059", True, "cost_consulting"),
    DemoPerson("王芳", "320106199003040518", True, "supervision"),
    DemoPerson("赵明", "330102198811200622", False, "construction"),
)


def demo_enterprise(key: str) -> DemoEnterprise:
    return next(e for e in DEMO_ENTERPRISES if e.key == key)
