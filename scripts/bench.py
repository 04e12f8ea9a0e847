"""The deadline-rush benchmark: the production topology on loopback, realistic data, wrk side by side.

Starts a throwaway PostgreSQL cluster, Redis, the WeChat and registry stand-ins, an RQ worker, gunicorn
with N sync workers serving the app and the same gunicorn serving a bare WSGI hello-world (the
ceiling). Seeds an enterprise with dozens of filings, complete first filings, drafts to save and
answer, drafts ready to submit, and a public register of 100,000 entries. Then runs wrk against the
ceiling and each endpoint interleaved (ceiling, endpoint, ceiling, …) for several rounds and prints
req/s, p50, p99, errors, the ratio to the ceiling (median of the rounds), the target and a verdict;
the table is also written as JSON. Ratios, not absolute numbers, compare across machines.

Not a test and not run in CI: it needs a few minutes of both cores.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import logging
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

REPO = Path(__file__).resolve().parent.parent
LUA = REPO / "scripts" / "bench_lua" / "pool.lua"
sys.path.insert(0, str(REPO))

# name -> (ratio measured before this work, target ratio, target p99 ms); the minimum is 4× the first.
TARGETS: dict[str, tuple[float, float, float]] = {
    "records": (0.055, 0.40, 25),
    "detail": (0.049, 0.40, 25),
    "businesses": (0.117, 0.40, 25),
    "register": (0.005, 0.40, 25),
    "save": (0.036, 0.20, 40),
    "submit": (0.012, 0.15, 50),
    "guided": (0.023, 0.20, 40),
    "login": (0.020, 0.15, 50),
}
LABELS = {
    "records": "GET /api/v1/filings (20 of 40)",
    "detail": "GET /api/v1/filings/{id} (complete)",
    "businesses": "GET /api/v1/businesses",
    "register": "GET /api/v1/public/enterprises?q=建设 (100k)",
    "save": "PUT …/sections/basic_info (If-Match)",
    "submit": "POST …/submit + automatic approval",
    "guided": "POST …/answers (guided answer)",
    "login": "POST /miniapp/v1/login",
}
# 张建国 is both, as in the example: he holds the 一级注册建造师 the example's technical section names.
# Measured like the endpoints but without a target: what Flask itself costs on the same gunicorn, and
# what our app's per-request hooks (request id, log line, metrics, source address, gate) add to it.
REFERENCES = {
    "flask": "bare Flask app, same gunicorn (reference)",
    "healthz": "GET /healthz (our hooks, no work; reference)",
}
PERSONS = (("张建国", "responsible"), ("刘卫东", "employee"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds}s")


class Topology:
    """Every process this run starts, stopped (by its own pid) when the run ends."""

    def __init__(self, work: Path, workers: int) -> None:
        self.work, self.workers = work, workers
        self.processes: list[subprocess.Popen[bytes]] = []
        self.pg_bin = Path(sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1])
        self.pg_data = work / "pg" / "data"
        self.env = dict(os.environ)
        self.redis_pid = 0

    def _as_postgres(self, *cmd: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *cmd] if os.getuid() == 0 else list(cmd)

    def spawn(self, name: str, *cmd: str, cwd: Path | None = None) -> subprocess.Popen[bytes]:
        log = open(self.work / f"{name}.log", "wb")  # noqa: SIM115 - kept open for the child's lifetime
        process = subprocess.Popen(cmd, env=self.env, cwd=cwd or REPO, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def start_postgres(self) -> str:
        port = free_port()
        (self.work / "pg").mkdir()
        if os.getuid() == 0:
            shutil.chown(self.work / "pg", "postgres")
        subprocess.run(
            self._as_postgres(
                str(self.pg_bin / "initdb"),
                "-D",
                str(self.pg_data),
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--auth-local=trust",
                "--auth-host=trust",
            ),
            check=True,
            capture_output=True,
        )
        with open(self.pg_data / "postgresql.conf", "a") as conf:
            conf.write(
                f"listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{self.work / 'pg'}'\n"
                "max_connections = 100\nshared_buffers = 256MB\nsynchronous_commit = off\nfsync = off\n"
                "full_page_writes = off\n"
            )
        subprocess.run(
            self._as_postgres(
                str(self.pg_bin / "pg_ctl"), "-D", str(self.pg_data), "-l", str(self.work / "pg" / "log"), "-w", "start"
            ),
            check=True,
            capture_output=True,
        )
        subprocess.run(
            self._as_postgres(
                str(self.pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "entryfiling"
            ),
            check=True,
        )
        return f"postgresql+psycopg://postgres@127.0.0.1:{port}/entryfiling"

    def start_redis(self) -> str:
        port = free_port()
        self.redis_pid = self.spawn(
            "redis", "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"
        ).pid
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip() == b"PONG":
                break
            time.sleep(0.1)
        return f"redis://127.0.0.1:{port}/0"

    def gunicorn(self, name: str, app: str, cwd: Path) -> tuple[str, subprocess.Popen[bytes]]:
        port = free_port()
        process = self.spawn(
            name,
            str(Path(sys.executable).parent / "gunicorn"),
            "-w",
            str(self.workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
            cwd=cwd,
        )
        return f"http://127.0.0.1:{port}", process

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=15)
            if process.poll() is None:
                process.kill()
        if (self.pg_data / "postmaster.pid").exists():
            subprocess.run(
                self._as_postgres(str(self.pg_bin / "pg_ctl"), "-D", str(self.pg_data), "-m", "fast", "-w", "stop"),
                capture_output=True,
            )


def worker_rss_mb(master_pid: int) -> float:
    """The largest resident set among the gunicorn master's children (its workers)."""
    largest = 0.0
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError):
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            if int(fields["PPid"]) == master_pid:
                largest = max(largest, int(fields["VmRSS"].split()[0]) / 1024)
    return largest


_TICKS = os.sysconf("SC_CLK_TCK")


def _process_table() -> dict[int, tuple[int, float]]:
    """Every process: its parent, and the CPU seconds it used with its reaped children's."""
    table: dict[int, tuple[int, float]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = stat.read_text()
            # After "(comm)": state, ppid, …; utime, stime, cutime, cstime are fields 14–17.
            fields = text[text.rindex(")") + 2 :].split()
            table[int(stat.parent.name)] = (int(fields[1]), sum(int(v) for v in fields[11:15]) / _TICKS)
    return table


def _tree_cpu(table: dict[int, tuple[int, float]], roots: list[int]) -> float:
    """CPU seconds of these processes and all their descendants, living or reaped."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _cpu) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [pid for pid in roots if pid in table]
    while todo:
        pid = todo.pop()
        total += table[pid][1]
        todo.extend(children.get(pid, ()))
    return total


def _machine_ticks() -> tuple[int, int, int]:
    """All CPU ticks of the machine so far: busy, stolen by the hypervisor, and in all."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (values + [0] * 8)[:8]
    busy = user + nice + system + irq + softirq
    return busy, steal, busy + steal + idle + iowait


class CpuAccount:
    """Where the CPU of one wrk run went, per request: the app's gunicorn (master and workers),
    PostgreSQL (every backend, ended ones included), the stand-ins, the RQ worker and Redis, and wrk
    itself; and how busy the machine was, and how much of it the hypervisor took (steal). Read from
    /proc before and after the run: what bounds an endpoint on two shared cores is the sum."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self.groups = groups

    def snapshot(self) -> dict[str, float]:
        table = _process_table()
        taken = {name: _tree_cpu(table, pids) for name, pids in self.groups.items()}
        busy, steal, ticks = _machine_ticks()
        children = os.times()
        return taken | {
            "wrk": children.children_user + children.children_system,
            "_busy": busy,
            "_steal": steal,
            "_ticks": ticks,
        }

    @staticmethod
    def per_request(before: dict[str, float], after: dict[str, float], requests: float) -> dict[str, float]:
        spent = {k: after[k] - before[k] for k in before}
        ticks = spent.pop("_ticks") or 1
        busy, steal = spent.pop("_busy"), spent.pop("_steal")
        shares = {f"{name}_ms": 1000 * seconds / max(requests, 1) for name, seconds in spent.items()}
        return shares | {"machine_busy_pct": 100 * busy / ticks, "steal_pct": 100 * steal / ticks}


def postmaster_pid(pg_data: Path) -> int:
    return int((pg_data / "postmaster.pid").read_text().split()[0])


# ------------------------------------------------------------------------------------------- seed


@dataclass
class Seeded:
    main_token: str
    complete_filing: int
    save_items: list[str]
    guided_items: list[str]
    submit_items: list[str]
    # (USCC, ID number of the chosen person) of each filing to submit: what approval asks the registry.
    submit_lookups: list[tuple[str, str]]


def item(method: str, path: str, token: str = "", filing: int | str = "", etag: str = "", body: Any = None) -> str:
    text = "" if body is None else json.dumps(body, ensure_ascii=False)
    return "\t".join((method, path, token, str(filing), etag, text))


def make_uscc(seq: int, prefix: str = "91650100M") -> str:
    from stdnum.cn import uscc

    body = f"{prefix}{seq:08d}"
    return body + uscc.calc_check_digit(body)


def seed(services: Any, app: Any, register_size: int, submit_pool: int, draft_pool: int, registry_url: str) -> Seeded:
    """Data shaped like a deadline: one busy enterprise, many drafts, a large public register."""
    from sqlalchemy import insert, select

    from devkit.demo import load_demo_data
    from devkit.emulators.registry import DEMO_ENTERPRISE_USCC
    from devkit.tryout import EXAMPLE, SCANS, SCANS_BEFORE
    from entryfiling.db.models import Attachment, Employment, Enterprise, Filing, Person, PublicEntry
    from handlers import tokens

    load_demo_data(services, services.settings.ca_trust_bundle.parent)
    client = app.test_client()
    now = datetime.now(UTC)
    with services.uow() as uow:
        person_ids = {name: uow.session.scalar(select(Person.id).where(Person.name == name)) for name, _ in PERSONS}
        main = uow.session.scalar(select(Enterprise).where(Enterprise.uscc == DEMO_ENTERPRISE_USCC))
        main_id, main_name = main.id, main.name

    def token_for(enterprise_id: int, uscc: str, name: str) -> str:
        return tokens.issue(
            services,
            tokens.ENTERPRISE,
            {"eid": enterprise_id, "uscc": uscc, "name": name, "cert": "1"},
            subject=str(enterprise_id),
        )

    def call(method: str, path: str, token: str, expect: tuple[int, ...] = (200, 201), **kw: Any) -> Any:
        response = client.open(
            path, method=method, headers={"Authorization": f"Bearer {token}", **kw.pop("headers", {})}, **kw
        )
        if response.status_code not in expect:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.get_data(as_text=True)[:500]}")
        return response

    example = json.loads(EXAMPLE.read_text())
    example["responsible_person"]["person"] = person_ids["张建国"]
    example["technical_person"]["person"] = person_ids["张建国"]

    def complete_draft(token: str, uscc: str, name: str, *, letter: bool) -> tuple[int, str | None]:
        filing = call(
            "POST", "/api/v1/filings", token, json={"business": "first_filing", "enterprise_type": "construction"}
        ).json
        fid = filing["id"]
        letter_pdf = call("GET", f"/api/v1/filings/{fid}/commitment-letter", token).data
        values = json.loads(json.dumps(example))
        values["basic_info"].update(uscc=uscc, enterprise_name=name)
        for section, section_values in values.items():
            for kind in SCANS_BEFORE.get(section, []):
                call(
                    "POST",
                    f"/api/v1/filings/{fid}/attachments",
                    token,
                    data={"kind": kind, "file": (_bytes_io(letter_pdf), f"{kind}.pdf", "application/pdf")},
                )
            etag = call("GET", f"/api/v1/filings/{fid}", token).headers["ETag"]
            call(
                "PUT",
                f"/api/v1/filings/{fid}/sections/{section}",
                token,
                json=section_values,
                headers={"If-Match": etag},
            )
            for kind in SCANS[section]:
                call(
                    "POST",
                    f"/api/v1/filings/{fid}/attachments",
                    token,
                    data={"kind": kind, "file": (_bytes_io(letter_pdf), f"{kind}.pdf", "application/pdf")},
                )
        signed = None
        if letter:
            signed = call(
                "POST",
                f"/api/v1/filings/{fid}/attachments",
                token,
                data={"kind": "commitment_letter", "file": (_bytes_io(letter_pdf), "承诺书.pdf", "application/pdf")},
            ).json["attachment"]["id"]
        return fid, signed

    # The busy enterprise: one approved first filing with every section, then dozens more records.
    main_token = token_for(main_id, DEMO_ENTERPRISE_USCC, main_name)
    complete, signed = complete_draft(main_token, DEMO_ENTERPRISE_USCC, main_name, letter=True)
    result = call(
        "POST", f"/api/v1/filings/{complete}/submit", main_token, json={"agreed": True, "signed_letter": signed}
    ).json
    if result["status"] != "approved":
        raise RuntimeError(f"the seeded first filing was not approved: {result['reasons']}")
    filing_table, attachment_table = Filing.__table__, Attachment.__table__
    with services.uow() as uow:
        template = uow.session.execute(select(filing_table).where(filing_table.c.id == complete)).mappings().one()
        template_attachments = (
            uow.session.execute(select(attachment_table).where(attachment_table.c.filing_id == complete))
            .mappings()
            .all()
        )
        statuses = ["approved", "rejected", "withdrawn", "approved", "manual_review"]
        for n in range(39):
            row = {k: v for k, v in template.items() if k != "id"}
            row.update(status=statuses[n % len(statuses)], created_at=now - timedelta(days=40 - n))
            new_id = uow.session.execute(insert(filing_table).values(row).returning(filing_table.c.id)).scalar_one()
            uow.session.execute(
                insert(attachment_table),
                [{**a, "id": str(uuid.uuid4()), "filing_id": new_id} for a in template_attachments],
            )
        uow.commit()

    # Unfiled construction enterprises: drafts to save sections into and to answer step by step,
    # and complete drafts (cloned from one made through the API) waiting to be submitted.
    def new_enterprises(count: int, start: int, prefix: str = "91650100M") -> list[tuple[int, str, str]]:
        rows = [
            {
                "uscc": make_uscc(start + i, prefix),
                "name": f"新疆压测建设工程有限公司{start + i:06d}",
                "enterprise_type": None,
                "filed_record": {},
                "created_at": now,
                "updated_at": now,
            }
            for i in range(count)
        ]
        with services.uow() as uow:
            ids = uow.session.scalars(insert(Enterprise).returning(Enterprise.id), rows).all()
            uow.session.execute(
                insert(Employment),
                [
                    {"person_id": pid, "enterprise_id": eid, "role": "employee", "started_at": now}
                    for eid in ids
                    for pid in person_ids.values()
                ],
            )
            uow.commit()
        return [(eid, r["uscc"], r["name"]) for eid, r in zip(ids, rows, strict=True)]

    save_items, guided_items = [], []
    for eid, uscc, name in new_enterprises(draft_pool, 1):
        token = token_for(eid, uscc, name)
        opened = call(
            "POST", "/api/v1/filings", token, json={"business": "first_filing", "enterprise_type": "construction"}
        )
        fid, etag = opened.json["id"], opened.headers["ETag"]
        body = {**example["basic_info"], "uscc": uscc, "enterprise_name": name}
        save_items.append(item("PUT", f"/api/v1/filings/{fid}/sections/basic_info", token, fid, etag, body))
    for eid, uscc, name in new_enterprises(draft_pool, 10_000):
        token = token_for(eid, uscc, name)
        opened = call(
            "POST", "/api/v1/filings", token, json={"business": "first_filing", "enterprise_type": "construction"}
        )
        fid, etag = opened.json["id"], opened.headers["ETag"]
        guided_items.append(
            item(
                "POST",
                f"/api/v1/filings/{fid}/answers",
                token,
                fid,
                etag,
                {"field": "basic_info.registered_capital", "value": "1.2亿"},
            )
        )

    template_eid, template_uscc, template_name = new_enterprises(1, 20_000)[0]
    template_id, template_letter = complete_draft(
        token_for(template_eid, template_uscc, template_name), template_uscc, template_name, letter=True
    )
    with services.uow() as uow:
        template = uow.session.execute(select(filing_table).where(filing_table.c.id == template_id)).mappings().one()
        template_attachments = (
            uow.session.execute(select(attachment_table).where(attachment_table.c.filing_id == template_id))
            .mappings()
            .all()
        )
    submit_items, submit_lookups = [], []
    for chunk_start in range(0, submit_pool, 500):
        chunk = new_enterprises(min(500, submit_pool - chunk_start), 30_000 + chunk_start, prefix=SUBMIT_USCC_PREFIX)
        filings = submittable_filings(
            services, registry_url, chunk, chunk_start, (template, template_attachments, template_letter), now
        )
        for (eid, uscc, name), (fid, letter_id, id_number) in zip(chunk, filings, strict=True):
            submit_lookups.append((uscc, id_number))
            submit_items.append(
                item(
                    "POST",
                    f"/api/v1/filings/{fid}/submit",
                    token_for(eid, uscc, name),
                    fid,
                    "",
                    {"agreed": True, "signed_letter": letter_id},
                )
            )

    # The public register: the approved enterprise's entry, copied to a register of register_size.
    with services.uow() as uow:
        entry = uow.session.scalar(select(PublicEntry).where(PublicEntry.enterprise_id == main_id))
        entry_json, qualification_names = entry.entry, entry.qualification_names
    words = ["建设", "建筑", "工程", "路桥", "市政", "水利", "安装", "装饰", "咨询", "监理"]
    provinces = ["安徽", "江苏", "浙江", "四川", "河南", "湖北", "广东", "陕西", "甘肃", "山东"]
    types = ["construction", "supervision", "survey", "design", "quality_testing", "cost_consulting"]
    for chunk_start in range(0, register_size, 10_000):
        count = min(10_000, register_size - chunk_start)
        enterprises = new_enterprises_plain(services, now, count, 100_000 + chunk_start, words, provinces)
        with services.uow() as uow:
            uow.session.execute(
                insert(PublicEntry),
                [
                    {
                        "enterprise_id": eid,
                        "name": name,
                        "uscc": uscc,
                        "enterprise_type": types[eid % len(types)],
                        "qualification_names": qualification_names,
                        "entry": entry_json,
                        "filed_at": now,
                        "publicity_until": date.today() + timedelta(days=(eid % 700) - 200),
                        "updated_at": now,
                    }
                    for eid, uscc, name in enterprises
                ],
            )
            uow.commit()
    with services.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    return Seeded(main_token, complete, save_items, guided_items, submit_items, submit_lookups)


# Enterprises that submit in the benchmark are registered in Anhui (as the example filing says), not
# in Xinjiang: a Xinjiang USCC is refused at approval (区外企业方可办理).
SUBMIT_USCC_PREFIX = "91340100M"
SURNAMES, GIVEN = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "建国卫东晓峰立新红梅志强海涛文博永庆明辉"


def add_employed_persons(services: Any, uow: Any, people: list[tuple[str, str, int]], now: datetime) -> list[int]:
    """Verified persons (name, ID number, employer) employed by their enterprise, as the mini-program
    leaves them, with their ID numbers sealed as the app seals them: one INSERT of persons, one of
    employments; their ids in the order given."""
    from sqlalchemy import insert

    from entryfiling.db.models import Employment, Person

    ids = list(
        uow.session.scalars(
            insert(Person).returning(Person.id, sort_by_parameter_order=True),
            [
                {
                    "name": name,
                    "id_number_sealed": services.cipher.encrypt(id_number),
                    "id_number_index": services.cipher.blind_index(id_number),
                    "verified_at": now,
                    "created_at": now,
                }
                for name, id_number, _employer in people
            ],
        )
    )
    uow.session.execute(
        insert(Employment),
        [
            {"person_id": pid, "enterprise_id": employer, "role": "employee", "started_at": now}
            for pid, (_name, _id_number, employer) in zip(ids, people, strict=True)
        ],
    )
    return ids


def submittable_filings(
    services: Any,
    registry_url: str,
    enterprises: list[tuple[int, str, str]],
    offset: int,
    template: tuple[Any, Any, str],
    now: datetime,
) -> list[tuple[int, str, str]]:
    """Complete first filings that approval approves: the deadline's usual case. Each enterprise is
    known to the registry stand-in with the qualifications it files, and has its own responsible and
    technical person (verified, employed, holding the registered certificate the filing names,
    registered to this enterprise), and the filing has its own signed letter naming its reference.
    Returns (filing id, signed letter id, the person's ID number) per enterprise."""
    import io

    from sqlalchemy import insert
    from stdnum.cn import ric

    from devkit.emulators.registry import certificate_record, qualification_record
    from entryfiling.db.models import Attachment, Filing
    from entryfiling.domain.businesses import BUSINESSES
    from entryfiling.domain.commitment_letter import LetterParties
    from entryfiling.domain.filing import filing_reference
    from entryfiling.integrations.letter_reading import kept_reading, read_letter_references
    from entryfiling.integrations.pdf import render_commitment_letter

    row, attachments, letter_template_id = template
    legal = services.cipher.decrypt(row["sections"]["basic_info"]["legal_representative_id_number"])
    people = []
    for n in range(offset, offset + len(enterprises)):
        body = f"340102{date(1970, 1, 1) + timedelta(days=n % 9000):%Y%m%d}{n // 9000 % 1000:03d}"
        name = SURNAMES[n % len(SURNAMES)] + GIVEN[2 * (n // len(SURNAMES) % 8) : 2 * (n // len(SURNAMES) % 8) + 2]
        people.append((name, body + ric.calc_check_digit(body + "0")))
    with services.uow() as uow:
        person_ids = add_employed_persons(
            services,
            uow,
            [(name, id_number, eid) for (name, id_number), (eid, _u, _n) in zip(people, enterprises, strict=True)],
            now,
        )
        rows, registered, holders = [], {}, {}
        for k, ((eid, uscc, name), pid, (person, id_number)) in enumerate(
            zip(enterprises, person_ids, people, strict=True)
        ):
            n = offset + k
            sections = json.loads(json.dumps(row["sections"]))
            sections["basic_info"].update(uscc=uscc, enterprise_name=name)
            qualifications = sections["qualifications"]["qualifications"]
            for index, qualification in enumerate(qualifications):
                qualification["certificate_number"] = f"D{index + 2}{60_000_000 + n:08d}"
            technical = sections["technical_person"]
            technical["registered_certificate_number"] = f"皖13420102018{n:06d}"
            sections["responsible_person"]["person"] = technical["person"] = pid
            rows.append({**{k: v for k, v in row.items() if k != "id"}, "enterprise_id": eid, "sections": sections})
            registered[uscc] = {
                "name": name,
                "qualifications": [
                    qualification_record(
                        q["name"],
                        q["certificate_number"],
                        q["valid_until"],
                        q.get("issuing_authority", ""),
                        q["issued_on"],
                    )
                    for q in qualifications
                ],
            }
            holders[id_number] = {
                "name": person,
                "certificates": [
                    certificate_record(
                        "一级注册建造师",
                        technical["registered_certificate_number"],
                        technical["registered_specialty"],
                        {"name": name, "uscc": uscc},
                        (now - timedelta(days=3 * 365)).date().isoformat(),
                        (now + timedelta(days=2 * 365)).date().isoformat(),
                    )
                ],
            }
        filing_ids = uow.session.scalars(insert(Filing).returning(Filing.id), rows).all()
        letters, copies = [], []
        label = BUSINESSES[row["business"]].label
        for (eid, uscc, name), fid, (person, id_number) in zip(enterprises, filing_ids, people, strict=True):
            parties = LetterParties(
                enterprise_name=name,
                uscc=uscc,
                legal_representative_name=row["sections"]["basic_info"]["legal_representative_name"],
                legal_representative_id_number=legal,
                responsible_person_name=person,
                responsible_person_id_number=id_number,
                business_label=label,
                filing_reference=filing_reference(fid, row["created_at"]),
                issued_on=date.today(),
            )
            letter_pdf = render_commitment_letter(parties)
            stored = services.storage.save_bytes(letter_pdf, prefix=f"{eid}/{fid}")
            # What the letter's upload would have found and kept with it (the submit uses that).
            finding = kept_reading(read_letter_references(io.BytesIO(letter_pdf)), stored.sha256)
            letter_id = ""
            for attachment in attachments:
                copy = {**attachment, "id": str(uuid.uuid4()), "filing_id": fid}
                if attachment["id"] == letter_template_id:
                    copy.update(storage_key=stored.key, sha256=stored.sha256, size=stored.size, letter_reading=finding)
                    letter_id = copy["id"]
                copies.append(copy)
            letters.append((fid, letter_id, id_number))
        uow.session.execute(insert(Attachment), copies)
        uow.commit()
    response = requests.post(
        f"{registry_url}/_admin/load", json={"enterprises": registered, "persons": holders}, timeout=60
    )
    response.raise_for_status()
    return letters


def new_enterprises_plain(
    services: Any, now: datetime, count: int, start: int, words: list[str], provinces: list[str]
) -> list[tuple[int, str, str]]:
    from sqlalchemy import insert

    from entryfiling.db.models import Enterprise

    rows = []
    for i in range(start, start + count):
        name = (
            f"{provinces[i % 10]}{['华', '中', '恒', '远', '正'][i // 10 % 5]}{['泰', '达', '信', '安'][i // 50 % 4]}"
            f"{words[i // 7 % 10]}{['集团', '有限公司', '股份有限公司'][i % 3]}{i:06d}"
        )
        rows.append(
            {
                "uscc": make_uscc(i),
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
        uow.commit()
    return [(eid, r["uscc"], r["name"]) for eid, r in zip(ids, rows, strict=True)]


def _bytes_io(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


# -------------------------------------------------------------------------------------------- run


def wrk(
    url: str,
    items: list[str],
    work: Path,
    seconds: float,
    connections: int,
    threads: int,
    *,
    etag: bool = False,
    once: bool = False,
) -> dict[str, Any]:
    path = work / f"items-{uuid.uuid4().hex}.tsv"
    path.write_text("\n".join(items) + "\n", encoding="utf-8")
    env = {
        **os.environ,
        "BENCH_ITEMS": str(path),
        "BENCH_THREADS": str(threads),
        "BENCH_ETAG": "1" if etag else "0",
        "BENCH_ONCE": "1" if once else "0",
    }
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(LUA),
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    data = json.loads(line.removeprefix("BENCH "))
    return {
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "requests": data["requests"],
        "p50_ms": data["p50_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "errors": data["status_errors"] + data["socket_errors"],
    }


def current_etags(services: Any, items: list[str]) -> list[str]:
    """The pool with each filing's ETag as it is now (an earlier run saved it many times)."""
    rows = [line.split("\t") for line in items]
    with services.engine.connect() as connection:
        versions = dict(
            connection.exec_driver_sql(
                "SELECT id, version FROM filings WHERE id = ANY(%(ids)s)", {"ids": [int(r[3]) for r in rows]}
            ).all()
        )
    return ["\t".join([*r[:4], f'"{r[3]}-{versions[int(r[3])]}"', r[5]]) for r in rows]


def explain_hot_queries(app: Any, services: Any, seeded: Seeded) -> None:
    """EXPLAIN ANALYZE of every statement the hot read endpoints issue, on the seeded data."""
    from sqlalchemy import event

    captured: list[tuple[str, Any]] = []
    event.listen(
        services.engine, "before_cursor_execute", lambda _c, _cur, stmt, params, *_: captured.append((stmt, params))
    )
    from sqlalchemy import select

    from entryfiling.db.models import PublicEntry
    from handlers.register import encode_cursor

    client = app.test_client()
    bearer = {"Authorization": f"Bearer {seeded.main_token}"}
    with services.uow() as uow:  # where page 50 of the design firms starts
        design = select(PublicEntry).where(PublicEntry.enterprise_type == "design")
        order = (PublicEntry.name, PublicEntry.enterprise_id)
        cursor = encode_cursor(uow.session.scalars(design.order_by(*order).offset(980).limit(1)).one())
    requests_ = {
        "records": ("/api/v1/filings?page_size=20", bearer),
        "detail": (f"/api/v1/filings/{seeded.complete_filing}", bearer),
        "register q=建设 (two characters)": (f"/api/v1/public/enterprises?q={quote('建设')}", {}),
        "register q=华泰建设 (trigram index)": (f"/api/v1/public/enterprises?q={quote('华泰建设')}", {}),
        "register by USCC": (f"/api/v1/public/enterprises?uscc={make_uscc(100_123)}", {}),
        "register by type, page 50": ("/api/v1/public/enterprises?enterprise_type=design&page=50", {}),
        "register by type, keyset": ("/api/v1/public/enterprises?enterprise_type=design&after=" + cursor, {}),
        "register by qualification": (f"/api/v1/public/enterprises?qualification={quote('施工总承包')}", {}),
    }
    for title, (path, headers) in requests_.items():
        captured.clear()
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code}")
        print(f"\n### {title}: GET {path}")
        with services.engine.connect() as connection:
            cursor = connection.connection.cursor()
            for statement, params in [c for c in captured if c[0].lstrip().upper().startswith("SELECT")]:
                cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING ON) " + statement, params)
                print("\n".join(row[0] for row in cursor.fetchall()))
                print()


def profile_endpoints(
    app: Any,
    services: Any,
    seeded: Seeded,
    only: list[str],
    count: int,
    wechat_url: str,
    *,
    tree: bool = True,
    counted: bool = False,
) -> None:
    """``count`` requests of each endpoint through the app in this process under pyinstrument: the
    wall time per request, the SQL statements per request and the call tree where the time goes.
    Without ``tree`` no profiler runs, and the wall and CPU per request are the app's own (the
    profiler roughly doubles both); the CPU counts this process only (the test client included,
    PostgreSQL and the stand-ins not). ``counted`` (under callgrind, ``run_under_callgrind``) adds
    the instructions per request, which repeat from run to run where the CPU time does not."""
    from pyinstrument import Profiler
    from sqlalchemy import event

    statements = [0]
    for engine in services.engines:
        event.listen(engine, "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1))
    client = app.test_client()
    pools = {
        "records": [item("GET", "/api/v1/filings?page_size=20", seeded.main_token)],
        "detail": [item("GET", f"/api/v1/filings/{seeded.complete_filing}", seeded.main_token)],
        "healthz": [item("GET", "/healthz")],
        "businesses": [item("GET", "/api/v1/businesses")],
        "register": [item("GET", f"/api/v1/public/enterprises?q={quote('建设')}")],
        "save": seeded.save_items,
        "guided": seeded.guided_items,
        "submit": seeded.submit_items,
        "login": login_codes(wechat_url, count + 10, 99),
    }
    etags: dict[str, str] = {}
    for name in [n for n in only if n in pools]:  # the bare Flask app is not this app
        pool = pools[name]
        if name in ("save", "guided"):
            pool = current_etags(services, pool)

        def send(line: str) -> None:
            method, path, token, filing, etag, body = line.split("\t")
            headers = {"Content-Type": "application/json", "Accept-Encoding": "gzip, deflate"}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            if etag:
                headers["If-Match"] = etags.get(filing, etag)
            response = client.open(path, method=method, headers=headers, data=body.encode() or None)
            if response.status_code >= 400:
                raise RuntimeError(f"{path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
            if filing and response.headers.get("ETag"):
                etags[filing] = response.headers["ETag"]

        once = name in ("submit", "login")
        for n in range(5):  # warm: imports, connections, caches
            send(pool[(count + n) % len(pool)] if once else pool[n % len(pool)])
        statements[0] = 0
        collecting = [0.0, 0.0]  # time spent in the garbage collector: since the last start, in all

        def timed_gc(phase: str, _info: dict[str, int], collecting: list[float] = collecting) -> None:
            if phase == "start":
                collecting[0] = time.perf_counter()
            else:
                collecting[1] += time.perf_counter() - collecting[0]

        gc.callbacks.append(timed_gc)
        profiler = Profiler(interval=0.0005)
        instructions = InstructionCount()
        started, cpu_started = time.perf_counter(), time.process_time()
        with profiler if tree else instructions if counted else contextlib.nullcontext():
            for n in range(count):
                send(pool[n % len(pool)])
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        gc.callbacks.remove(timed_gc)
        counts = f", {instructions.total / count:,.0f} instructions" if counted else ""
        print(
            f"\n### {name}: {1000 * elapsed / count:.2f} ms per request ({1000 * cpu / count:.2f} ms CPU{counts}), "
            f"{statements[0] / count:.1f} statements, {1000 * collecting[1] / count:.2f} ms in the garbage collector"
        )
        if tree:
            print(profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False)[:12000])
        if name == "submit":
            print_decisions(services)


_UNDER_CALLGRIND = "ENTRYFILING_BENCH_UNDER_CALLGRIND"


def run_under_callgrind() -> None:
    """Run this command again under valgrind's callgrind, instrumentation off until ``InstructionCount``
    turns it on around the measured requests: a count of instructions repeats from run to run (the
    same code, data and hash seed), where CPU time on a shared machine swings by more than a change
    worth making. The servers this process starts run natively (children are not traced)."""
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        sys.exit("--instructions needs valgrind (apt-get install valgrind)")
    env = {**os.environ, _UNDER_CALLGRIND: "1", "PYTHONHASHSEED": "0"}
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=/dev/null"]
    os.execvpe("valgrind", [*command, sys.executable, *sys.argv], env)


class InstructionCount:
    """The instructions this process runs inside the ``with`` block, all threads, from callgrind."""

    def __init__(self) -> None:
        self.total = 0

    def __enter__(self) -> InstructionCount:
        self._control("--instr=on")
        self._control("--zero")
        return self

    def __exit__(self, *_exc: object) -> None:
        counters = self._control("-e")  # every event collected: Ir alone, by default
        self._control("--instr=off")
        # "   Th 1  45,966,316" per thread; the totals line before them names the event.
        self.total = sum(
            int(line.split()[-1].replace(",", "")) for line in counters.splitlines() if line.strip().startswith("Th ")
        )

    @staticmethod
    def _control(option: str) -> str:
        command = ["callgrind_control", option, str(os.getpid())]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=60).stdout


def compare_statement_paths(services: Any, seeded: Seeded, count: int) -> dict[str, float]:
    """A draft edit's two statements — the filing's read, the save's write with its audit row —
    through SQLAlchemy's Connection and on the driver's connection it holds (``DriverRead.one_on``,
    as the app runs them), alternated in this process, six rounds of ``count`` each: the median CPU
    µs a statement each way (this process only: PostgreSQL's part is not in it)."""
    from sqlalchemy import bindparam, select

    from entryfiling.db import drafts, repositories
    from entryfiling.db.models import Filing
    from entryfiling.db.uow import audit_row
    from handlers.services import SYSTEM

    def cpu() -> float:
        times = os.times()
        return times.user + times.system

    # The read: the complete filing, with every attachment; the write: a draft of the save pool.
    ways = ("read_connection", "read_driver", "write_connection", "write_driver")
    taken: dict[str, list[float]] = {way: [] for way in ways}
    shown = select(Filing.enterprise_id, Filing.version, Filing.sections).where(Filing.id == bindparam("id"))
    with services.read_connection() as connection:
        shown_owner, _version, _sections = connection.execute(shown, {"id": seeded.complete_filing}).one()
        read = {"filing_id": seeded.complete_filing, "enterprise_id": shown_owner}
        filing_id = int(seeded.save_items[0].split("\t")[3])
        enterprise_id, version, sections = connection.execute(shown, {"id": filing_id}).one()
        for _round in range(6):
            started = cpu()
            for _ in range(count):
                connection.execute(repositories._FILING_WITH_CHILDREN, read).first()
            taken["read_connection"].append(cpu() - started)
            started = cpu()
            for _ in range(count):
                repositories._FILING_WITH_CHILDREN_READ.one_on(connection, read)
            taken["read_driver"].append(cpu() - started)
            for way in ("write_connection", "write_driver"):
                started = cpu()
                for _ in range(count):
                    now = services.now()
                    audit = audit_row(SYSTEM, "section_saved", f"filing:{filing_id}", now, {"section": "basic_info"})
                    written = {
                        "saved_id": filing_id,
                        "owner_id": enterprise_id,
                        "read_version": version,
                        "new_sections": sections,
                        "saved_at": now,
                    } | {f"audit_{key}": value for key, value in audit.items()}
                    statement = drafts._SAVE_SECTIONS_AUDITED
                    if way == "write_connection":
                        version = connection.execute(statement._statement, written).scalar_one()
                    else:
                        row = statement.one_on(connection, written)
                        assert row is not None
                        version = row[0]
                taken[way].append(cpu() - started)
    return {way: round(1e6 * statistics.median(seconds) / count, 1) for way, seconds in taken.items()}


def keep_registry_answers(services: Any, lookups: list[tuple[str, str]]) -> None:
    """The registry lookups each submit's approval makes, made once beforehand through the approval's
    client, as an earlier submit of the same enterprise within REGISTRY_CACHE_SECONDS would have: the
    answers are kept in Redis, which the app's workers share."""
    for uscc, id_number in lookups:
        client = services.registry(reuse_answers=True)
        client.qualifications(uscc)
        client.certificates(id_number)
    print(f"registry answers kept for {len(lookups)} enterprises", flush=True)


def time_registry_calls(services: Any, registry_url: str, calls: int) -> dict[str, Any]:
    """The registry client's own CPU per call (this process; the stand-in runs in its own), asking
    every time and reusing kept answers (Redis), beside the wall time per call."""
    from devkit.emulators.registry import DEMO_ENTERPRISE_USCC, DEMO_PERSONS

    wait_for(f"{registry_url}/_admin/requests")
    results: dict[str, Any] = {"calls": calls}
    for label, reuse in (("asked", False), ("kept", True)):
        client = services.registry(reuse_answers=reuse)
        client.qualifications(DEMO_ENTERPRISE_USCC)  # warm: the connection, a first answer kept
        cpu, wall = time.process_time(), time.perf_counter()
        for n in range(calls):
            if n % 2:
                client.qualifications(DEMO_ENTERPRISE_USCC)
            else:
                client.certificates(DEMO_PERSONS[0].id_number)
        results[label] = {
            "client_cpu_ms_per_call": round(1000 * (time.process_time() - cpu) / calls, 3),
            "wall_ms_per_call": round(1000 * (time.perf_counter() - wall) / calls, 3),
        }
    return results


def print_decisions(services: Any) -> None:
    """How the benchmark's submits were decided, and why the first of those not approved was not."""
    pool = (
        "FROM filings JOIN enterprises ON enterprises.id = filings.enterprise_id "
        f"WHERE enterprises.uscc LIKE '{SUBMIT_USCC_PREFIX}0%%' AND filings.status <> 'draft'"
    )
    with services.engine.connect() as connection:
        decided = connection.exec_driver_sql(
            f"SELECT filings.status, count(*) {pool} GROUP BY filings.status ORDER BY filings.status"
        ).all()
        reasons = connection.exec_driver_sql(f"SELECT filings.reasons {pool} AND filings.status <> 'approved'").scalar()
    print("  submitted filings by status: " + ", ".join(f"{status} {count}" for status, count in decided))
    if reasons:
        print(f"  e.g. not approved because: {reasons}")


def measure_certificate_sync(
    services: Any, registry_url: str, persons: int, registry_delay: float, offset: int = 0
) -> dict[str, Any]:
    """一键同步 of ``persons`` employed persons against the registry stand-in answering each call in
    ``registry_delay`` seconds, run as one worker runs it; wall time and peak traced memory."""
    import tracemalloc

    from bench_jobs import peak_rss_mb
    from sqlalchemy import insert
    from stdnum.cn import ric

    from entryfiling.db.models import BackgroundJob, Enterprise
    from handlers import jobs
    from handlers.sync_certificates import sync_certificates

    # The stand-in runs in its own process (as the registry would), loaded over its admin API.
    registry = requests.Session()
    registry.delete(f"{registry_url}/_admin/faults", timeout=10)
    now = datetime.now(UTC)
    company = {"name": f"新疆同步测试建设工程有限公司{offset}", "uscc": make_uscc(7_000_000 + offset)}
    with services.uow() as uow:
        eid = uow.session.scalars(
            insert(Enterprise).returning(Enterprise.id),
            [{**company, "enterprise_type": "construction", "filed_record": {}, "created_at": now, "updated_at": now}],
        ).one()
        uow.commit()
    for start in range(offset, offset + persons, 5000):
        batch = []
        for n in range(start, min(offset + persons, start + 5000)):
            body = f"650102{date(1960, 1, 1) + timedelta(days=n):%Y%m%d}001"  # distinct, valid birth dates
            id_number = body + ric.calc_check_digit(body + "0")
            batch.append((f"同步人员{n:05d}", id_number))
            certificates = [
                {
                    "certificate_type": "二级注册建造师",
                    "certificate_number": f"新2{n:08d}{k}",
                    "specialty": "建筑工程",
                    "registered_enterprise": company,
                    "issued_on": "2020-01-01",
                    "valid_until": "2030-01-01",
                }
                for k in range(3)
            ]
            registry.put(
                f"{registry_url}/_admin/persons/{id_number}",
                json={"name": f"同步人员{n:05d}", "certificates": certificates},
                timeout=10,
            ).raise_for_status()
        with services.uow() as uow:
            add_employed_persons(services, uow, [(name, idn, eid) for name, idn in batch], now)
            uow.commit()
    job_id = str(uuid.uuid4())
    with services.uow() as uow:
        uow.session.add(
            BackgroundJob(
                id=job_id,
                kind="certificate_sync",
                enterprise_id=eid,
                status="running",
                created_at=now,
                updated_at=now,
                created_by={},
            )
        )
        uow.commit()
    registry.put(
        f"{registry_url}/_admin/faults",
        json={"mode": "slow", "delay": registry_delay, "target": "certificates"},
        timeout=10,
    ).raise_for_status()
    calls_before = registry.get(f"{registry_url}/_admin/requests", timeout=10).json().get("certificates", 0)
    context = jobs.JobContext(job_id, "certificate_sync", eid, None, 1, None)
    tracemalloc.start()
    started = time.monotonic()
    summary = sync_certificates(
        services, context, lambda done, total: jobs.report_progress(services, job_id, done, total)
    )
    elapsed = time.monotonic() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    calls = registry.get(f"{registry_url}/_admin/requests", timeout=10).json().get("certificates", 0) - calls_before
    return {
        "persons": persons,
        "registry_delay_ms": registry_delay * 1000,
        "seconds": elapsed,
        "ms_per_person": 1000 * elapsed / persons,
        "peak_traced_mb": peak / 2**20,
        "process_peak_rss_mb": peak_rss_mb(),
        "registry_calls": calls,
        "counts": summary.get("counts"),
    }


def login_codes(wechat_url: str, count: int, round_index: int) -> list[str]:
    """Single-use wx.login codes from the stand-in, for returning users (a few hundred openids)."""
    http = requests.Session()
    codes = []
    for n in range(count):
        code = f"bench-{round_index}-{n}-{uuid.uuid4().hex[:8]}"
        http.post(
            f"{wechat_url}/__emulator__/login", json={"openid": f"o-bench-{n % 300:04d}", "code": code}, timeout=10
        ).raise_for_status()
        codes.append(item("POST", "/miniapp/v1/login", body={"code": code}))
    return codes


def verdict(name: str, ratio: float, p99: float, errors: int) -> str:
    before, target, target_p99 = TARGETS[name]
    if errors:
        return "ERRORS"
    if ratio >= target and p99 <= target_p99:
        return "aim met"
    if ratio >= 4 * before:
        return "minimum met"
    return "below minimum"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3, help="wrk duration per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--register", type=int, default=100_000, help="public register entries")
    parser.add_argument("--submit-pool", type=int, default=1500, help="complete drafts per submit round")
    parser.add_argument("--login-pool", type=int, default=3000, help="wx.login codes per login round")
    parser.add_argument("--only", default=",".join([*REFERENCES, *TARGETS]), help="comma-separated endpoints")
    parser.add_argument("--sync-persons", type=int, default=0, help="only time a certificate sync of N persons")
    parser.add_argument("--bigdata", type=int, default=0, help="only compare hot reads at 10,000 and N filings")
    parser.add_argument("--push-decisions", type=int, default=0, help="only time decision → push for N decisions")
    parser.add_argument("--push-rate", type=float, default=10, help="decisions per second for --push-decisions")
    parser.add_argument("--explain", action="store_true", help="seed, print EXPLAIN ANALYZE of the hot queries, stop")
    parser.add_argument(
        "--registry-answers",
        choices=("asked", "kept"),
        default="asked",
        help="submit: each enterprise's registry answers asked at submit (asked), or kept from an earlier "
        "lookup of the same enterprise within REGISTRY_CACHE_SECONDS, as a resubmit finds them (kept)",
    )
    parser.add_argument(
        "--registry-calls", type=int, default=0, help="only time N registry calls: the client's CPU and wall per call"
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="seed, profile N in-process requests per endpoint, stop"
    )
    parser.add_argument(
        "--cpu",
        type=int,
        default=0,
        metavar="N",
        help="seed, time N in-process requests per endpoint, wall and CPU, stop",
    )
    parser.add_argument(
        "--instructions",
        type=int,
        default=0,
        metavar="N",
        help="seed, count the instructions of N in-process requests per endpoint under valgrind's callgrind, stop",
    )
    parser.add_argument(
        "--paths",
        type=int,
        default=0,
        metavar="N",
        help="seed, time a draft edit's read and write through SQLAlchemy's Connection and on the driver, stop",
    )
    parser.add_argument("--json", type=Path, default=REPO / "bench-results.json")
    args = parser.parse_args()
    only = [name for name in args.only.split(",") if name]
    if args.instructions and not os.environ.get(_UNDER_CALLGRIND):
        run_under_callgrind()

    work = Path(tempfile.mkdtemp(prefix="entryfiling-bench-"))
    work.chmod(0o755)
    topology = Topology(work, args.workers)
    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: sys.exit(130))
        run(args, only, work, topology)
    finally:
        topology.stop()
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, only: list[str], work: Path, topology: Topology) -> None:
    database_url = topology.start_postgres()
    redis_url = topology.start_redis()
    wechat_port, registry_port = free_port(), free_port()
    entryfiling = str(Path(sys.executable).parent / "entryfiling")
    topology.env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        INSTANCE_PATH=str(work / "instance"),
        STORAGE_DIR=str(work / "attachments"),
        WECHAT_API_BASE_URL=f"http://127.0.0.1:{wechat_port}",
        REGISTRY_API_BASE_URL=f"http://127.0.0.1:{registry_port}",
        LOGIN_ATTEMPTS_PER_MINUTE="1000000000",
        PUBLIC_QUERIES_PER_MINUTE="1000000000",
    )
    os.environ.update(topology.env)
    stand_ins = [
        topology.spawn("wechat", entryfiling, "emulators", "wechat", "--port", str(wechat_port)).pid,
        topology.spawn("registry", entryfiling, "emulators", "registry", "--port", str(registry_port)).pid,
    ]
    wechat_url = f"http://127.0.0.1:{wechat_port}"
    registry_url = f"http://127.0.0.1:{registry_port}"

    from entryfiling.app import create_app
    from entryfiling.db.session import upgrade_database

    upgrade_database(database_url)
    app = create_app()
    services = app.extensions["entryfiling"]
    if args.sync_persons:
        wait_for(f"{registry_url}/_admin/requests")
        for offset, persons in ((0, args.sync_persons // 10), (args.sync_persons // 10, args.sync_persons)):
            result = measure_certificate_sync(services, registry_url, persons, 0.005, offset)
            print(json.dumps(result, ensure_ascii=False), flush=True)
        return
    if args.registry_calls:
        print(json.dumps(time_registry_calls(services, registry_url, args.registry_calls)), flush=True)
        return
    if args.bigdata:
        from bigdata import run_bigdata

        run_bigdata(topology, work, args.bigdata, args.json.with_name("bigdata-results.json"))
        return
    if args.push_decisions:
        from bench_jobs import measure_push_latency, wait_for_worker

        topology.spawn("worker", entryfiling, "jobs", "worker")
        wait_for(f"{wechat_url}/__emulator__/sent")
        wait_for_worker(redis_url)
        result = measure_push_latency(services, wechat_url, args.push_decisions, args.push_rate)
        print(json.dumps(result, ensure_ascii=False), flush=True)
        return
    started = time.monotonic()
    print(f"seeding (register of {args.register:,} entries) …", flush=True)
    wait_for(f"{registry_url}/_admin/requests")
    seeded = seed(services, app, args.register, args.submit_pool * args.rounds, 64, registry_url)
    print(f"seeded in {time.monotonic() - started:.0f}s", flush=True)
    if args.registry_answers == "kept":
        keep_registry_answers(services, seeded.submit_lookups)
    if args.explain:
        explain_hot_queries(app, services, seeded)
        return
    if args.paths:
        print(json.dumps({"cpu_us_a_statement": compare_statement_paths(services, seeded, args.paths)}), flush=True)
        return
    if args.profile or args.cpu or args.instructions:
        wait_for(f"{wechat_url}/__emulator__/sent")
        logging.getLogger("entryfiling.request").setLevel(logging.WARNING)  # a line a request, not read here
        count = args.profile or args.cpu or args.instructions
        profile_endpoints(
            app, services, seeded, only, count, wechat_url, tree=bool(args.profile), counted=bool(args.instructions)
        )
        return
    services.dispose()

    rq_worker = topology.spawn("worker", entryfiling, "jobs", "worker").pid
    (work / "hello.py").write_text(
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'application/json')])\n"
        '    return [b\'{"status": "ok"}\']\n'
    )
    (work / "bare_flask.py").write_text(
        "from flask import Flask\napp = Flask(__name__)\n@app.get('/')\ndef hello():\n    return {'status': 'ok'}\n"
    )
    hello_url, _ = topology.gunicorn("hello", "hello:app", work)
    flask_url, _ = topology.gunicorn("flask", "bare_flask:app", work)
    app_url, app_process = topology.gunicorn("app", "wsgi:app", REPO)
    wait_for(f"{hello_url}/")
    wait_for(f"{flask_url}/")
    wait_for(f"{app_url}/healthz")
    wait_for(f"{wechat_url}/__emulator__/sent")
    account = CpuAccount(
        {
            "app": [app_process.pid],
            "postgres": [postmaster_pid(topology.pg_data)],
            "stand_ins": stand_ins,
            "rq_worker": [rq_worker],
            "redis": [topology.redis_pid],
        }
    )

    get = lambda path, token="": [item("GET", path, token)] * args.threads  # noqa: E731
    fixed: dict[str, list[str]] = {
        "records": get("/api/v1/filings?page_size=20", seeded.main_token),
        "detail": get(f"/api/v1/filings/{seeded.complete_filing}", seeded.main_token),
        "flask": get("/"),
        "healthz": get("/healthz"),
        "businesses": get("/api/v1/businesses"),
        "register": get(f"/api/v1/public/enterprises?q={quote('建设')}"),
        "save": seeded.save_items,
        "guided": seeded.guided_items,
    }
    # Warm both servers (imports, first connections) before anything is measured.
    wrk(hello_url, get("/"), work, 1, args.connections, args.threads)
    wrk(flask_url, get("/"), work, 1, args.connections, args.threads)
    for name in ("records", "detail", "businesses", "register"):
        wrk(app_url, fixed[name], work, 1, args.connections, args.threads)

    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in only}
    peak_rss = 0.0
    for round_index in range(args.rounds):
        for name in only:
            once = name in ("submit", "login")
            if name == "submit":
                pool = seeded.submit_items[round_index * args.submit_pool : (round_index + 1) * args.submit_pool]
            elif name == "login":
                pool = login_codes(wechat_url, args.login_pool, round_index)
            elif name in ("save", "guided"):
                pool = current_etags(services, fixed[name])
            else:
                pool = fixed[name]
            ceiling = wrk(hello_url, get("/"), work, args.seconds, args.connections, args.threads)
            cpu_before = account.snapshot()
            result = wrk(
                flask_url if name == "flask" else app_url,
                pool,
                work,
                args.seconds,
                args.connections,
                args.threads,
                etag=name in ("save", "guided"),
                once=once,
            )
            result["cpu"] = CpuAccount.per_request(cpu_before, account.snapshot(), result["requests"])
            result["ceiling_rps"] = ceiling["rps"]
            result["ratio"] = result["rps"] / ceiling["rps"]
            if once and result["requests"] >= len(pool):
                result["pool_exhausted"] = True
            peak_rss = max(peak_rss, worker_rss_mb(app_process.pid))
            runs[name].append(result)
            print(
                f"  round {round_index + 1} {name:<10} {result['rps']:8.0f} req/s  ratio {result['ratio']:.3f}  "
                f"p99 {result['p99_ms']:.1f} ms  errors {result['errors']:.0f}  "
                f"CPU ms a request: app {result['cpu']['app_ms']:.2f}, PostgreSQL {result['cpu']['postgres_ms']:.2f}, "
                f"stand-ins {result['cpu']['stand_ins_ms']:.2f}, wrk {result['cpu']['wrk_ms']:.2f}; "
                f"machine {result['cpu']['machine_busy_pct']:.0f} % busy, steal {result['cpu']['steal_pct']:.0f} %",
                flush=True,
            )

    if "submit" in only:
        print_decisions(services)
    register_label = f"GET /api/v1/public/enterprises?q=建设 ({args.register:,})"
    rows = []
    for name in only:
        results = runs[name]
        ratio = statistics.median(r["ratio"] for r in results)
        p99 = statistics.median(r["p99_ms"] for r in results)
        errors = int(sum(r["errors"] for r in results))
        row = {
            "endpoint": name,
            "label": REFERENCES.get(name) or (register_label if name == "register" else LABELS[name]),
            "rps": statistics.median(r["rps"] for r in results),
            "p50_ms": statistics.median(r["p50_ms"] for r in results),
            "p99_ms": p99,
            "errors": errors,
            "ratio": ratio,
            "ceiling_rps": statistics.median(r["ceiling_rps"] for r in results),
            "cpu": {key: statistics.median(r["cpu"][key] for r in results) for key in results[0]["cpu"]},
        }
        if name not in REFERENCES:  # the reference rows have no target
            before, target, target_p99 = TARGETS[name]
            row |= {
                "baseline_ratio": before,
                "minimum_ratio": 4 * before,
                "target_ratio": target,
                "target_p99_ms": target_p99,
                "verdict": verdict(name, ratio, p99, errors),
            }
        rows.append(row | {"runs": results})
    print()
    print(
        f"gunicorn -w {args.workers} sync, wrk -t{args.threads} -c{args.connections} -d{args.seconds}s, "
        f"{args.rounds} interleaved rounds, PostgreSQL + Redis on loopback; medians"
    )
    header = f"| {'endpoint':<45} | req/s | p50 ms | p99 ms | errors | ratio | minimum | aim (p99) | verdict |"
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for row in rows:
        if row["endpoint"] in REFERENCES:
            print(
                f"| {row['label']:<45} | {row['rps']:5.0f} | {row['p50_ms']:6.1f} | {row['p99_ms']:6.1f} | "
                f"{row['errors']:6d} | {row['ratio']:.3f} | – | – | reference |"
            )
            continue
        print(
            f"| {row['label']:<45} | {row['rps']:5.0f} | {row['p50_ms']:6.1f} | {row['p99_ms']:6.1f} | "
            f"{row['errors']:6d} | {row['ratio']:.3f} | {row['minimum_ratio']:.3f} | "
            f"{row['target_ratio']:.2f} ({row['target_p99_ms']:.0f}) | {row['verdict']} |"
        )
    print()
    print("Where the CPU went, ms a request (medians; /proc before and after each run):")
    header = f"| {'endpoint':<45} | app | PostgreSQL | stand-ins | RQ worker, Redis | wrk | busy % | steal % |"
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for row in rows:
        cpu = row["cpu"]
        print(
            f"| {row['label']:<45} | {cpu['app_ms']:.2f} | {cpu['postgres_ms']:.2f} | {cpu['stand_ins_ms']:.2f} | "
            f"{cpu['rq_worker_ms'] + cpu['redis_ms']:.2f} | {cpu['wrk_ms']:.2f} | {cpu['machine_busy_pct']:.0f} | "
            f"{cpu['steal_pct']:.0f} |"
        )
    ceiling = statistics.median(r["ceiling_rps"] for r in rows) if rows else 0
    print(f"bare WSGI ceiling: {ceiling:.0f} req/s; largest gunicorn worker RSS: {peak_rss:.0f} MB")
    if any(row["errors"] for row in rows):
        log = (work / "app.log").read_text(errors="replace").splitlines()
        problems = [line for line in log if "Error" in line or "Traceback" in line or '"status": 5' in line]
        print("errors seen; the app's log says:", *problems[-20:], sep="\n  ")
    args.json.write_text(
        json.dumps(
            {
                "measured_at": datetime.now(UTC).isoformat(),
                "workers": args.workers,
                "connections": args.connections,
                "seconds": args.seconds,
                "rounds": args.rounds,
                "register_entries": args.register,
                "ceiling_rps": ceiling,
                "worker_rss_mb": peak_rss,
                "endpoints": rows,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    print(f"written to {args.json}")


if __name__ == "__main__":
    main()
