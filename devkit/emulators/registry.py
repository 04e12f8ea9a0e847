"""Stand-in for the national construction market registry (全国建筑市场监管公共服务平台).

The real registry cannot be reached from our machines, so dev and tests talk to this server,
which speaks the same shape of HTTP API: an enterprise's qualifications by 统一社会信用代码 and a
person's registered certificates by ID number, both paginated. It is a real HTTP server on
loopback (our client goes through sockets, timeouts and all), seeded with demo data, and its
``/_admin`` endpoints let tests add data and switch faults on: slow answers, 5xx, timeouts,
and "fail N times, then succeed".

It is served by cheroot, which keeps connections alive (HTTP/1.1) as a public web service does;
werkzeug's development server answers every request with ``Connection: close``, so each lookup of
a submit paid for a TCP handshake and, here, a new thread and a request log line (the WeChat
stand-in made the same move: ``devkit/emulators/wechat.py``). Cheroot's threads answer requests;
kept connections that are idle hold none.
"""

from __future__ import annotations

import copy
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from cheroot import wsgi as cheroot_wsgi
from flask import Flask, jsonify, request
from stdnum.cn import uscc as uscc_std

from devkit.demo_data import DEMO_PERSONS as ALL_DEMO_PERSONS
from devkit.demo_data import demo_enterprise
from entryfiling.domain.validators import InvalidValue, normalize_id_number

MAX_PAGE_SIZE = 50
MAX_FAULT_DELAY = 60.0
FAULT_MODES = ("slow", "error", "timeout")
FAULT_TARGETS = ("qualifications", "certificates")
# Requests answered at once: a sync's lookups (handlers.sync_batches.REGISTRY_CONCURRENCY) and each
# server worker's approval lookups (handlers.verification.REGISTRY_LOOKUPS_AT_ONCE), with room for
# requests a "slow" or "timeout" fault holds.
SERVER_THREADS = 32
KEPT_CONNECTIONS = 128


def _uscc(body: str) -> str:
    return body + uscc_std.calc_check_digit(body)


# ---------------------------------------------------------------------------- demo data
# Realistic records for the demo enterprises (their CA certificates are issued with these USCCs
# by `dev-ca issue`); dates are relative to today so the demo never goes stale, and no document runs
# longer than its type does (five years for qualifications and registrations).

DEMO_ENTERPRISE_USCC = demo_enterprise("construction").uscc
DEMO_ENTERPRISE_NAME = demo_enterprise("construction").name
OTHER_ENTERPRISE_USCC = _uscc("91320100MA1W3N7P2")
OTHER_ENTERPRISE_NAME = "江苏苏建集团有限公司"
DEMO_SUPERVISION_USCC = demo_enterprise("supervision").uscc
DEMO_SUPERVISION_NAME = demo_enterprise("supervision").name
# The persons of the dev demo whose certificates the registry knows (one demo data set for both).
DEMO_PERSONS = ALL_DEMO_PERSONS[:5]


EXAMPLE_ISSUED, EXAMPLE_UNTIL = "2026-01-10", "2030-12-31"


def _demo_data(today: date) -> tuple[dict[str, Any], dict[str, Any]]:
    def years(n: int) -> str:
        return (today + timedelta(days=365 * n)).isoformat()

    def ago(n: int) -> str:
        return (today - timedelta(days=365 * n)).isoformat()

    own = {"name": DEMO_ENTERPRISE_NAME, "uscc": DEMO_ENTERPRISE_USCC}
    other = {"name": OTHER_ENTERPRISE_NAME, "uscc": OTHER_ENTERPRISE_USCC}
    authority = "安徽省住房和城乡建设厅"
    ministry = "中华人民共和国住房和城乡建设部"
    enterprises = {
        DEMO_ENTERPRISE_USCC: {
            "name": DEMO_ENTERPRISE_NAME,
            "qualifications": [
                # The two rows of devkit/examples/first_filing.json, with its dates: the example files the truth.
                _qualification("建筑工程施工总承包贰级", "D234023425", EXAMPLE_UNTIL, authority, EXAMPLE_ISSUED),
                _qualification("建筑装饰装修工程专业承包贰级", "D234023425", years(3), authority, ago(2)),
                _qualification(
                    "地基基础工程专业承包叁级", "D334023422", EXAMPLE_UNTIL, "合肥市城乡建设局", EXAMPLE_ISSUED
                ),
                _qualification("起重设备安装工程专业承包叁级", "D334023422", years(2), "合肥市城乡建设局", ago(2)),
                _qualification("钢结构工程专业承包叁级", "D334023422", years(2), "合肥市城乡建设局", ago(2)),
                _qualification("市政公用工程施工总承包叁级", "D334023422", years(2), "合肥市城乡建设局", ago(2)),
                _qualification("施工劳务不分等级", "D334023430", years(4), "合肥市城乡建设局", ago(1)),
            ],
        },
        OTHER_ENTERPRISE_USCC: {
            "name": OTHER_ENTERPRISE_NAME,
            "qualifications": [
                _qualification(
                    "建筑工程施工总承包壹级", "D132045678", years(4), "中华人民共和国住房和城乡建设部", ago(1)
                ),
            ],
        },
        DEMO_SUPERVISION_USCC: {
            "name": DEMO_SUPERVISION_NAME,
            "qualifications": [
                _qualification("工程监理综合资质", "E133012345", years(3), ministry, ago(2)),
            ],
        },
    }
    zhang, liu, wang, chen, zhao = DEMO_PERSONS
    persons = {
        zhang.id_number: {
            "name": zhang.name,
            "certificates": [
                _certificate("一级注册建造师", "皖1342010201812345", "建筑工程", own, ago(3), years(2)),
                _certificate("安全生产考核合格证书（B证）", "皖建安B（2019）0101234", "", own, ago(4), years(1)),
            ],
        },
        liu.id_number: {
            "name": liu.name,
            "certificates": [
                _certificate("二级注册建造师", "皖2342015202054321", "市政公用工程", own, ago(2), years(1)),
                _certificate("安全生产考核合格证书（C证）", "皖建安C（2021）0205678", "", own, ago(2), years(1)),
            ],
        },
        wang.id_number: {
            "name": wang.name,
            "certificates": [
                _certificate("注册监理工程师", "34012345", "房屋建筑工程", own, ago(3), years(1)),
            ],
        },
        # Registered to another enterprise: syncing it for the demo enterprise must flag it.
        chen.id_number: {
            "name": chen.name,
            "certificates": [
                _certificate("一级注册建造师", "苏1322013201467890", "机电工程", other, ago(4), years(1)),
            ],
        },
        zhao.id_number: {
            "name": zhao.name,
            "certificates": [
                _certificate("一级注册造价工程师", "建[造]13340001234", "土木建筑工程", own, ago(2), years(3)),
            ],
        },
    }
    return enterprises, persons


def _qualification(
    name: str, number: str, valid_until: str, authority: str, issued_on: str, status: str = "有效"
) -> dict[str, Any]:
    return {
        "qualification_name": name,
        "certificate_number": number,
        "valid_until": valid_until,
        "issuing_authority": authority,
        "issued_on": issued_on,
        "status": status,
    }


def _certificate(
    kind: str, number: str, specialty: str, enterprise: dict[str, str], issued_on: str, valid_until: str
) -> dict[str, Any]:
    return {
        "certificate_type": kind,
        "certificate_number": number,
        "specialty": specialty,
        "registered_enterprise": dict(enterprise),
        "issued_on": issued_on,
        "valid_until": valid_until,
    }


# ---------------------------------------------------------------------------- state


@dataclass
class Fault:
    """One switched-on fault. ``times`` None: until cleared; else the next ``times`` requests.
    ``after``: let this many matching requests through untouched first."""

    mode: str
    delay: float = 0.0
    status: int = 500
    times: int | None = None
    target: str | None = None
    after: int = 0

    def matches(self, target: str) -> bool:
        return self.target in (None, target)


@dataclass
class RegistryState:
    enterprises: dict[str, Any] = field(default_factory=dict)
    persons: dict[str, Any] = field(default_factory=dict)
    fault: Fault | None = None
    requests: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Set on shutdown so that a "timeout" answer does not hold the server open.
    stopping: threading.Event = field(default_factory=threading.Event)

    def reset(self, seed_demo: bool = True) -> None:
        with self.lock:
            enterprises, persons = _demo_data(date.today()) if seed_demo else ({}, {})
            self.enterprises, self.persons = enterprises, persons
            self.fault = None
            self.requests.clear()

    def take_fault(self, target: str) -> Fault | None:
        """The fault this request suffers, counting down a "fail N times" fault."""
        with self.lock:
            fault = self.fault
            if fault is None or not fault.matches(target):
                return None
            if fault.after > 0:
                fault.after -= 1
                return None
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self.fault = None
            return copy.copy(fault)


def _page_args() -> tuple[int, int] | None:
    try:
        page = int(request.args.get("page", "1"))
        page_size = int(request.args.get("page_size", "20"))
    except ValueError:
        return None
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        return None
    return page, page_size


def _error(status: int, code: str, message: str) -> Any:
    return jsonify({"code": status, "error": code, "message": message}), status


def _paged(items: list[Any], page: int, page_size: int) -> Any:
    start = (page - 1) * page_size
    return jsonify(
        {
            "code": 0,
            "message": "ok",
            "data": {
                "total": len(items),
                "page": page,
                "page_size": page_size,
                "items": items[start : start + page_size],
            },
        }
    )


def create_registry_app(state: RegistryState) -> Flask:
    app = Flask("registry-stand-in")
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    def faulted(target: str) -> Any:
        state.requests[target] += 1
        fault = state.take_fault(target)
        if fault is None:
            return None
        if fault.mode == "slow":
            state.stopping.wait(fault.delay)
            return None
        if fault.mode == "timeout":
            # Never answer in time: hold the request longer than any client should wait.
            state.stopping.wait(fault.delay or MAX_FAULT_DELAY)
            return _error(504, "timeout", "upstream timeout")
        return _error(fault.status, "fault", "injected fault")

    @app.get("/api/enterprises/<uscc>/qualifications")
    def qualifications(uscc: str) -> Any:
        if (answer := faulted("qualifications")) is not None:
            return answer
        if not uscc_std.is_valid(uscc):
            return _error(400, "invalid_uscc", "统一社会信用代码格式错误")
        if (paging := _page_args()) is None:
            return _error(400, "invalid_page", f"page>=1, 1<=page_size<={MAX_PAGE_SIZE}")
        with state.lock:
            enterprise = copy.deepcopy(state.enterprises.get(uscc))
        if enterprise is None:
            return _error(404, "enterprise_not_found", "未查询到该企业")
        return _paged(enterprise["qualifications"], *paging)

    @app.get("/api/qualification-certificates/<number>")
    def qualification_certificate(number: str) -> Any:
        """Who holds a qualification certificate number, and what it lists (as the registry's search does)."""
        if (answer := faulted("qualifications")) is not None:
            return answer
        with state.lock:
            holders = [
                (uscc, copy.deepcopy(e))
                for uscc, e in state.enterprises.items()
                if any(q.get("certificate_number") == number for q in e["qualifications"])
            ]
        if not holders:
            return _error(404, "certificate_not_found", "未查询到该资质证书")
        uscc, enterprise = holders[0]
        listed = [q for q in enterprise["qualifications"] if q.get("certificate_number") == number]
        return jsonify(
            {
                "code": 0,
                "message": "ok",
                "data": {"enterprise": {"name": enterprise["name"], "uscc": uscc}, "qualifications": listed},
            }
        )

    @app.get("/api/persons/<id_number>/certificates")
    def certificates(id_number: str) -> Any:
        if (answer := faulted("certificates")) is not None:
            return answer
        try:
            normalize_id_number(id_number)
        except InvalidValue:
            return _error(400, "invalid_id_number", "身份证号格式错误")
        if (paging := _page_args()) is None:
            return _error(400, "invalid_page", f"page>=1, 1<=page_size<={MAX_PAGE_SIZE}")
        with state.lock:
            person = copy.deepcopy(state.persons.get(id_number))
        # The registry answers "no certificates" for a person it does not know.
        return _paged(person["certificates"] if person else [], *paging)

    # ------------------------------------------------------------------ admin (tests and demos)

    @app.put("/_admin/faults")
    def set_fault() -> Any:
        body = request.get_json(silent=True) or {}
        mode = body.get("mode")
        if mode not in FAULT_MODES:
            return _error(400, "invalid_fault", f"mode must be one of {FAULT_MODES}")
        target = body.get("target")
        if target is not None and target not in FAULT_TARGETS:
            return _error(400, "invalid_fault", f"target must be one of {FAULT_TARGETS}")
        try:
            delay = min(float(body.get("delay", 0)), MAX_FAULT_DELAY)
            status = int(body.get("status", 500))
            times = None if body.get("times") is None else int(body["times"])
            after = int(body.get("after", 0))
        except (TypeError, ValueError):
            return _error(400, "invalid_fault", "delay, status, times and after must be numbers")
        if delay < 0 or not 400 <= status <= 599 or (times is not None and times < 1) or after < 0:
            return _error(400, "invalid_fault", "delay>=0, 400<=status<=599, times>=1, after>=0")
        with state.lock:
            state.fault = Fault(mode, delay, status, times, target, after)
        return jsonify({"fault": body})

    @app.delete("/_admin/faults")
    def clear_fault() -> Any:
        with state.lock:
            state.fault = None
        return "", 204

    @app.put("/_admin/enterprises/<uscc>")
    def put_enterprise(uscc: str) -> Any:
        body = request.get_json(silent=True) or {}
        with state.lock:
            state.enterprises[uscc] = {
                "name": body.get("name", ""),
                "qualifications": list(body.get("qualifications", [])),
            }
        return jsonify(state.enterprises[uscc])

    @app.put("/_admin/persons/<id_number>")
    def put_person(id_number: str) -> Any:
        body = request.get_json(silent=True) or {}
        with state.lock:
            state.persons[id_number] = {
                "name": body.get("name", ""),
                "certificates": list(body.get("certificates", [])),
            }
        return jsonify(state.persons[id_number])

    @app.post("/_admin/load")
    def load() -> Any:
        """Many enterprises and persons at once (a benchmark's thousands), replacing those named."""
        body = request.get_json(silent=True) or {}
        enterprises, persons = body.get("enterprises") or {}, body.get("persons") or {}
        if not isinstance(enterprises, dict) or not isinstance(persons, dict):
            return _error(400, "invalid_load", "enterprises and persons must be objects keyed by USCC / ID number")
        with state.lock:
            for uscc, e in enterprises.items():
                state.enterprises[uscc] = {
                    "name": e.get("name", ""),
                    "qualifications": list(e.get("qualifications", [])),
                }
            for id_number, p in persons.items():
                state.persons[id_number] = {"name": p.get("name", ""), "certificates": list(p.get("certificates", []))}
        return jsonify({"enterprises": len(enterprises), "persons": len(persons)})

    @app.post("/_admin/reset")
    def reset() -> Any:
        body = request.get_json(silent=True) or {}
        state.reset(seed_demo=bool(body.get("demo", True)))
        return "", 204

    @app.get("/_admin/requests")
    def requests_seen() -> Any:
        with state.lock:
            return jsonify(dict(state.requests))

    return app


class RegistryStandIn:
    """The stand-in as a server on loopback: started by the CLI command and by test fixtures."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, seed_demo: bool = True) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the registry stand-in only listens on loopback")
        self.state = RegistryState()
        self.state.reset(seed_demo)
        self._server = cheroot_wsgi.Server((host, port), create_registry_app(self.state), numthreads=SERVER_THREADS)
        self._server.keep_alive_conn_limit = KEPT_CONNECTIONS
        self._server.prepare()  # binds: the port chosen for port 0 is known from here on
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.bind_addr[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> RegistryStandIn:
        self._thread = threading.Thread(target=self._server.serve, name="registry-stand-in", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        try:
            self._server.serve()
        finally:
            self._server.stop()

    def stop(self) -> None:
        self.state.stopping.set()
        self._server.stop()
        if self._thread is not None:
            self._thread.join(timeout=10)

    # Direct access for in-process tests (the HTTP admin endpoints do the same over the wire).
    def set_fault(
        self,
        mode: str,
        *,
        delay: float = 0.0,
        status: int = 500,
        times: int | None = None,
        target: str | None = None,
        after: int = 0,
    ) -> None:
        if mode not in FAULT_MODES:
            raise ValueError(mode)
        with self.state.lock:
            self.state.fault = Fault(mode, min(delay, MAX_FAULT_DELAY), status, times, target, after)

    def clear_fault(self) -> None:
        with self.state.lock:
            self.state.fault = None

    def put_enterprise(self, uscc: str, name: str, qualifications: list[dict[str, Any]]) -> None:
        with self.state.lock:
            self.state.enterprises[uscc] = {"name": name, "qualifications": copy.deepcopy(qualifications)}

    def put_person(self, id_number: str, name: str, certificates: list[dict[str, Any]]) -> None:
        with self.state.lock:
            self.state.persons[id_number] = {"name": name, "certificates": copy.deepcopy(certificates)}

    def requests_seen(self, target: str) -> int:
        with self.state.lock:
            return self.state.requests[target]


qualification_record = _qualification
certificate_record = _certificate
