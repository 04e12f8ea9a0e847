"""A deadline-sized database on PostgreSQL: enterprises, their filings, persons, certificates and the
public register, written with COPY (psycopg's ``cursor.copy``), a table at a time, rows streamed from
generators so memory stays flat whatever the size.

The values are what the application itself would store: valid 统一社会信用代码 and 居民身份证号 (check
characters computed), every ID number sealed with the deployment's cipher and its blind index, the
sections of a complete first filing as the section use case stores them (validated by the declared
fields, ID numbers sealed), attachments and status events per filing, and a register entry per
filed enterprise. One shortcut, documented in README "Measuring": the filings of one enterprise share
its sections' text (and so its legal representative's sealed ID number); that changes no query plan.

Per 10 filings: one enterprise, 10 persons employed by it, 30 certificates; ``--filings 1000000`` makes
1,000,000 filings over 100,000 enterprises, 1,000,000 persons and 3,000,000 certificates.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from stdnum.cn import ric, uscc

from devkit.tryout import EXAMPLE
from entryfiling.db.models import PERSONS_SCOPE
from entryfiling.domain.businesses import BUSINESSES, record_sections
from entryfiling.domain.fields import clean_section_values, map_sensitive
from entryfiling.domain.register import public_record, qualification_names
from handlers.services import Services

FILINGS_PER_ENTERPRISE = 10
PERSONS_PER_ENTERPRISE = 10
CERTIFICATES_PER_PERSON = 3
ATTACHMENTS = (("business_license", "营业执照.pdf"), ("commitment_letter", "承诺书-签章.pdf"))
USCC_PREFIX = "91650104M"  # 17 characters with an 8-digit serial; the 18th is the check character
ID_REGION = "650103"
ID_BIRTH_DAYS = 14_600  # birth dates over forty years, 1960 on; × 1000 sequence numbers = distinct IDs
# Tables whose rows the filing answers show: the database moves answer_versions for each row
# (migration 0015_answer_versions). A deferred trigger per copied row made a load without a superuser
# (whose session_replication_role skips triggers anyway) 1.8× as long (20,000 filings: 14.4 s against
# 8.1 s); the load turns them off for its COPY and moves the versions itself, once, at the end.
ANSWER_VERSIONED = ("persons", "filings", "attachments", "filing_events")
_BUMP_LOADED = """
INSERT INTO answer_versions (scope, version)
SELECT id, 1 FROM enterprises WHERE id >= %(first)s UNION ALL SELECT %(persons)s, 1
ON CONFLICT (scope) DO UPDATE SET version = answer_versions.version + 1
"""
TYPES = ("construction", "supervision", "survey", "design", "quality_testing", "cost_consulting")
PROVINCES = ("安徽", "江苏", "浙江", "四川", "河南", "湖北", "广东", "陕西", "甘肃", "山东", "湖南", "福建")
FIRST = ("华", "中", "恒", "远", "正", "鼎", "宏", "泰", "盛", "金")
SECOND = ("泰", "达", "信", "安", "通", "建", "诚", "兴")
TRADES = ("建设", "建筑", "工程", "路桥", "市政", "水利", "安装", "装饰", "咨询", "监理", "勘察", "设计")
SUFFIXES = ("集团有限公司", "有限公司", "股份有限公司")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国卫东立新志红海波宁斌"
CERTIFICATE_TYPES = (
    ("一级注册建造师", "建筑工程"),
    ("二级注册建造师", "市政公用工程"),
    ("注册监理工程师", "房屋建筑工程"),
)
# The statuses of an enterprise's ten filings: its first filing approved, then changes and extensions.
STATUSES = (
    "approved",
    "approved",
    "rejected",
    "withdrawn",
    "approved",
    "rejected",
    "approved",
    "draft",
    "approved",
    "draft",
)
BUSINESS_OF = ("first_filing",) + ("basic_info_change",) * 9
TEMPLATE_USCC = "91340100MA2N0DT108"  # the example's, replaced per enterprise
TEMPLATE_PERSONS = (900_000_001, 900_000_002)
TEMPLATE_NAMES = ("{RESPONSIBLE}", "{TECHNICAL}")
ACTOR = json.dumps({"kind": "enterprise", "id": "enterprise", "name": "企业报送员"}, ensure_ascii=False)


@dataclass(frozen=True)
class Size:
    filings: int

    @property
    def enterprises(self) -> int:
        return max(1, self.filings // FILINGS_PER_ENTERPRISE)

    @property
    def persons(self) -> int:
        return self.enterprises * PERSONS_PER_ENTERPRISE


def enterprise_uscc(n: int) -> str:
    body = f"{USCC_PREFIX}{n:08d}"
    return body + uscc.calc_check_digit(body)


def enterprise_name(n: int) -> str:
    return (
        f"{PROVINCES[n % len(PROVINCES)]}{FIRST[n // 12 % len(FIRST)]}{SECOND[n // 120 % len(SECOND)]}"
        f"{TRADES[n // 7 % len(TRADES)]}{SUFFIXES[n % 3]}{n:06d}"
    )


def id_number(n: int) -> str:
    body = f"{ID_REGION}{date(1960, 1, 1) + timedelta(days=n % ID_BIRTH_DAYS):%Y%m%d}{n // ID_BIRTH_DAYS:03d}"
    return body + ric.calc_check_digit(body + "0")  # it reads the first 17 of 18 characters


def person_name(n: int) -> str:
    return SURNAMES[n % len(SURNAMES)] + GIVEN[n // 7 % len(GIVEN)] + GIVEN[n // 211 % len(GIVEN)]


def _template_sections(services: Services) -> str:
    """The example first filing's sections as the section use case stores them, as JSON text with the
    enterprise's USCC, name, persons and sealed legal-representative ID number left to replace."""
    example = json.loads(EXAMPLE.read_text())
    example["responsible_person"]["person"] = TEMPLATE_PERSONS[0]
    example["technical_person"]["person"] = TEMPLATE_PERSONS[1]
    business = BUSINESSES["first_filing"]
    stored: dict[str, Any] = {}
    for section in business.sections:
        if section.key not in example:
            continue
        cleaned = clean_section_values(section, example[section.key])
        if cleaned.errors:
            raise RuntimeError(f"the example's {section.key} does not validate: {cleaned.errors}")
        stored[section.key] = map_sensitive(section, cleaned.values, lambda _value: "{SEALED}")
    return json.dumps(stored, ensure_ascii=False)


@dataclass
class _Ids:
    """Where this run's ids start: after whatever the database already holds."""

    enterprise: int
    person: int
    employment: int
    certificate: int
    filing: int
    event: int


def _next_ids(cursor: Any) -> _Ids:
    def after(table: str) -> int:
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
        return int(cursor.fetchone()[0])

    return _Ids(
        after("enterprises"),
        after("persons"),
        after("employments"),
        after("person_certificates"),
        after("filings"),
        after("filing_events"),
    )


def _copy(cursor: Any, table: str, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def generate(services: Services, filings: int, *, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Fill the (migrated, PostgreSQL) database with ``filings`` filings and what goes with them.

    Returns the rows written per table and the seconds each took. Foreign-key triggers are skipped
    during the load when the role may (a superuser's ``session_replication_role``): the rows are
    consistent by construction, and checking 10 million references row by row doubles the time.
    """
    if services.engine.dialect.name != "postgresql":
        raise RuntimeError("the data generator writes with PostgreSQL's COPY")
    size = Size(filings)
    now = datetime.now(UTC)
    today = now.date()
    template = _template_sections(services)
    cipher = services.cipher
    raw = services.engine.raw_connection()
    connection: Any = raw.driver_connection
    report: dict[str, Any] = {"filings": filings, "enterprises": size.enterprises, "persons": size.persons}
    try:
        cursor = connection.cursor()
        try:
            cursor.execute("SET session_replication_role = replica")
            connection.commit()
        except Exception:  # not a superuser: keep the checks
            connection.rollback()
        first = _next_ids(cursor)
        connection.commit()
        e0, p0, m0, c0, f0, v0 = (
            first.enterprise,
            first.person,
            first.employment,
            first.certificate,
            first.filing,
            first.event,
        )
        seq0 = e0  # serial numbers of names and USCCs follow the ids, so a second run adds new ones

        def legal(enterprise: int) -> str:
            """The legal representative's ID number, sealed afresh (the enterprise's first person's)."""
            return cipher.encrypt(id_number(p0 + enterprise * PERSONS_PER_ENTERPRISE))

        def enterprises() -> Iterator[tuple[Any, ...]]:
            for k in range(size.enterprises):
                n = seq0 + k
                filed = k % 10 != 9  # one in ten has not been approved yet
                yield (
                    e0 + k,
                    enterprise_uscc(n),
                    enterprise_name(n),
                    TYPES[k % len(TYPES)],
                    _sections_of(template, n, p0 + k * PERSONS_PER_ENTERPRISE, legal(k)) if filed else "{}",
                    now - timedelta(days=k % 300) if filed else None,
                    today + timedelta(days=(k % 700) - 200) if filed else None,
                    None,
                    now - timedelta(days=400),
                    now,
                )

        def persons() -> Iterator[tuple[Any, ...]]:
            for k in range(size.persons):
                number = id_number(p0 + k)
                yield (p0 + k, person_name(p0 + k), cipher.encrypt(number), cipher.blind_index(number), now, now)

        def employments() -> Iterator[tuple[Any, ...]]:
            for k in range(size.persons):
                role = "filing_contact" if k % PERSONS_PER_ENTERPRISE == 0 else "employee"
                yield (m0 + k, p0 + k, e0 + k // PERSONS_PER_ENTERPRISE, role, now - timedelta(days=500), None, None)

        def certificates() -> Iterator[tuple[Any, ...]]:
            for k in range(size.persons * CERTIFICATES_PER_PERSON):
                person, j = divmod(k, CERTIFICATES_PER_PERSON)
                n = seq0 + person // PERSONS_PER_ENTERPRISE
                kind, specialty = CERTIFICATE_TYPES[j]
                issued = date(2018, 1, 1) + timedelta(days=k % 2000)
                yield (
                    c0 + k,
                    p0 + person,
                    kind,
                    f"新{j + 1}{p0 + person:09d}",
                    specialty,
                    enterprise_name(n),
                    enterprise_uscc(n),
                    issued,
                    issued + timedelta(days=5 * 365),
                    now,
                )

        def filings_rows() -> Iterator[tuple[Any, ...]]:
            for k in range(size.enterprises * FILINGS_PER_ENTERPRISE):
                enterprise, j = divmod(k, FILINGS_PER_ENTERPRISE)
                n = seq0 + enterprise
                sections = _sections_of(template, n, p0 + enterprise * PERSONS_PER_ENTERPRISE, legal(enterprise))
                status = STATUSES[j]
                created = now - timedelta(days=FILINGS_PER_ENTERPRISE * 30 - j * 30, minutes=k % 997)
                submitted = None if status == "draft" else created + timedelta(days=2)
                decided = submitted + timedelta(minutes=1) if status in ("approved", "rejected") and submitted else None
                reasons = '["企业资质已过期"]' if status == "rejected" else "[]"
                actor = json.dumps(
                    {"kind": "enterprise", "id": f"enterprise:{e0 + enterprise}", "name": enterprise_name(n)}
                )
                yield (
                    f0 + k,
                    e0 + enterprise,
                    BUSINESS_OF[j],
                    TYPES[enterprise % len(TYPES)],
                    status,
                    sections,
                    3,
                    status != "draft",
                    None,
                    "[]",
                    reasons,
                    actor,
                    None if submitted is None else actor,
                    created,
                    decided or submitted or created,
                    submitted,
                    decided,
                    None,
                    None,
                )

        def attachments() -> Iterator[tuple[Any, ...]]:
            for k in range(size.enterprises * FILINGS_PER_ENTERPRISE):
                for a, (kind, filename) in enumerate(ATTACHMENTS):
                    digest = f"{(f0 + k) * 2 + a:064x}"
                    yield (
                        f"00000000-0000-4000-8000-{(f0 + k) * 2 + a:012d}",
                        f0 + k,
                        kind,
                        filename,
                        "application/pdf",
                        180_000 + k % 50_000,
                        digest,
                        f"bigdata/{digest[:2]}/{digest}",
                        ACTOR,
                        now - timedelta(days=300),
                        None,
                    )

        def events() -> Iterator[tuple[Any, ...]]:
            serial = v0
            for k in range(size.enterprises * FILINGS_PER_ENTERPRISE):
                status = STATUSES[k % FILINGS_PER_ENTERPRISE]
                at = now - timedelta(days=300 - k % 300)
                steps: list[tuple[str | None, str]] = [(None, "draft")]
                if status != "draft":
                    steps.append(("draft", "submitted"))
                    steps.append(("submitted", status))
                for before, after in steps:
                    yield (serial, f0 + k, before, after, ACTOR, "[]", at)
                    serial += 1

        record = json.loads(template)
        names = {TEMPLATE_PERSONS[0]: TEMPLATE_NAMES[0], TEMPLATE_PERSONS[1]: TEMPLATE_NAMES[1]}
        published = json.dumps(public_record(record_sections(), record, names), ensure_ascii=False)
        qualifications = "\n".join(qualification_names(record))

        def register() -> Iterator[tuple[Any, ...]]:
            for k in range(size.enterprises):
                if k % 10 == 9:
                    continue
                n = seq0 + k
                first_person = p0 + k * PERSONS_PER_ENTERPRISE
                entry = (
                    _sections_of(published, n, first_person, "")
                    .replace(TEMPLATE_NAMES[0], person_name(first_person))
                    .replace(TEMPLATE_NAMES[1], person_name(first_person + 1))
                )
                yield (
                    e0 + k,
                    enterprise_name(n),
                    enterprise_uscc(n),
                    TYPES[k % len(TYPES)],
                    qualifications,
                    entry,
                    now - timedelta(days=k % 300),
                    today + timedelta(days=(k % 700) - 200),
                    now,
                )

        tables: list[tuple[str, tuple[str, ...], Callable[[], Iterator[tuple[Any, ...]]]]] = [
            (
                "enterprises",
                (
                    "id",
                    "uscc",
                    "name",
                    "enterprise_type",
                    "filed_record",
                    "filed_at",
                    "publicity_until",
                    "certificate_serial",
                    "created_at",
                    "updated_at",
                ),
                enterprises,
            ),
            (
                "persons",
                ("id", "name", "id_number_sealed", "id_number_index", "verified_at", "created_at"),
                persons,
            ),
            (
                "employments",
                ("id", "person_id", "enterprise_id", "role", "started_at", "ended_at", "ended_by"),
                employments,
            ),
            (
                "person_certificates",
                (
                    "id",
                    "person_id",
                    "certificate_type",
                    "certificate_number",
                    "specialty",
                    "registered_enterprise_name",
                    "registered_enterprise_uscc",
                    "issued_on",
                    "valid_until",
                    "synced_at",
                ),
                certificates,
            ),
            (
                "filings",
                (
                    "id",
                    "enterprise_id",
                    "business",
                    "enterprise_type",
                    "status",
                    "sections",
                    "version",
                    "agreed",
                    "signed_letter_id",
                    "rule_results",
                    "reasons",
                    "created_by",
                    "submitted_by",
                    "created_at",
                    "updated_at",
                    "submitted_at",
                    "decided_at",
                    "record_changes",
                    "copied_from_id",
                ),
                filings_rows,
            ),
            (
                "attachments",
                (
                    "id",
                    "filing_id",
                    "kind",
                    "filename",
                    "content_type",
                    "size",
                    "sha256",
                    "storage_key",
                    "uploaded_by",
                    "created_at",
                    "source_pages",
                ),
                attachments,
            ),
            ("filing_events", ("id", "filing_id", "from_status", "to_status", "actor", "note", "at"), events),
            (
                "public_register",
                (
                    "enterprise_id",
                    "name",
                    "uscc",
                    "enterprise_type",
                    "qualification_names",
                    "entry",
                    "filed_at",
                    "publicity_until",
                    "updated_at",
                ),
                register,
            ),
        ]
        seconds: dict[str, float] = {}
        rows: dict[str, int] = {}
        for table, columns, produce in tables:
            started = time.monotonic()
            versioned = table in ANSWER_VERSIONED
            if versioned:  # in this transaction only: its lock keeps every other writer out meanwhile
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER answer_version")
            rows[table] = _copy(cursor, table, columns, produce())
            if versioned:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER answer_version")
            connection.commit()
            seconds[table] = round(time.monotonic() - started, 1)
            log(f"  {table}: {rows[table]:,} rows in {seconds[table]:.1f}s")
        started = time.monotonic()
        for table in ("enterprises", "persons", "employments", "person_certificates", "filings", "filing_events"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        # What the disabled triggers would have done, once: the versions of every scope written.
        cursor.execute(_BUMP_LOADED, {"first": e0, "persons": PERSONS_SCOPE})
        connection.commit()
        connection.autocommit = True
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would have by the time anyone searches
        connection.autocommit = False
        seconds["analyze"] = round(time.monotonic() - started, 1)
        cursor.execute("RESET session_replication_role")
        connection.commit()
    finally:
        raw.close()
    report.update(rows=rows, seconds=seconds, total_seconds=round(sum(seconds.values()), 1))
    report["first_ids"] = {"enterprise": e0, "filing": f0, "person": p0}
    return report


def _sections_of(template: str, n: int, first_person: int, sealed: str) -> str:
    return (
        template.replace(TEMPLATE_USCC, enterprise_uscc(n))
        .replace("安徽德拓建设工程有限公司", enterprise_name(n))
        .replace(str(TEMPLATE_PERSONS[0]), str(first_person))
        .replace(str(TEMPLATE_PERSONS[1]), str(first_person + 1))
        .replace("{SEALED}", sealed)
    )
