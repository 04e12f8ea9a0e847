"""Cross-checks against the national registry (全国建筑市场监管公共服务平台), and the technical person's fit.

The use case looks every qualification and registered certificate of a filing up in the registry
beforehand (``handlers.verification``) and passes what it found as ``RegistryFacts``; these checks
compare, field by field, and report the exact difference with the registry's record beside the
filed value. When the registry could not be consulted the check cannot run: it raises
``CannotCheck`` and the filing goes to a person, never to a silent approval.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from entryfiling import messages as msg
from entryfiling.domain.catalogues import certificates as cert_catalogue
from entryfiling.domain.catalogues import qualifications as qual_catalogue
from entryfiling.domain.catalogues.fit import certificate_fits, fit_for
from entryfiling.domain.fields import Section


class CannotCheck(Exception):
    """A rule could not be checked (a source of truth was unreachable); its message says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Finding:
    """One failure with its evidence: what was filed and what the registry records."""

    reason: str
    item: str = ""
    filed: str = ""
    registry: str = ""

    def evidence(self) -> dict[str, str]:
        return {"item": self.item, "filed": self.filed, "registry": self.registry}


@dataclass(frozen=True)
class RegistryQualificationRecord:
    name: str
    certificate_number: str
    valid_until: str
    issued_on: str
    holder_uscc: str
    holder_name: str
    status: str = ""  # the registry's wording (有效, 撤回…)


@dataclass(frozen=True)
class RegistryCertificateRecord:
    certificate_type: str
    certificate_number: str
    specialty: str
    holder_uscc: str
    holder_name: str
    issued_on: str
    valid_until: str


@dataclass(frozen=True)
class RegistryFacts:
    """What the registry said; ``unavailable`` says why it could not be asked (then nothing else is known)."""

    unavailable: str = ""
    # Certificate number → the registry's records under it (any holder); a number absent here is unknown.
    qualifications: Mapping[str, tuple[RegistryQualificationRecord, ...]] = field(default_factory=dict)
    # ID number → the person's registered certificates.
    certificates: Mapping[str, tuple[RegistryCertificateRecord, ...]] = field(default_factory=dict)
    # When the registry gave the oldest of these answers (an answer may be reused a few minutes).
    answered_at: datetime | None = None


class _Context(Protocol):
    @property
    def sections(self) -> Mapping[str, Mapping[str, Any]]: ...
    @property
    def business(self) -> Any: ...
    @property
    def today(self) -> date: ...
    @property
    def enterprise_uscc(self) -> str: ...
    @property
    def registry(self) -> RegistryFacts | None: ...
    @property
    def person_id_numbers(self) -> Mapping[int, str]: ...
    @property
    def filed_record(self) -> Mapping[str, Any]: ...


# ---------------------------------------------------------------------------- what a filing claims


@dataclass(frozen=True)
class ClaimedCertificate:
    label: str
    person_id: int
    certificate_type: str  # catalogue code
    certificate_number: str
    specialty: str
    valid_until: str


def qualification_rows(sections: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    return list((sections.get("qualifications") or {}).get("qualifications") or [])


def claimed_certificates(business: Any, sections: Mapping[str, Mapping[str, Any]]) -> Iterator[ClaimedCertificate]:
    """Every registered certificate a filing names: rows of registered-certificate tables, and the
    technical responsible person's own."""
    technical = sections.get("technical_person") or {}
    if business.section("technical_person") and technical.get("registered_certificate_number"):
        yield ClaimedCertificate(
            "进疆技术负责人·注册证书",
            int(technical.get("person") or 0),
            str(technical.get("registered_certificate_type") or ""),
            str(technical["registered_certificate_number"]),
            str(technical.get("registered_specialty") or ""),
            "",
        )
    section: Section | None = business.section("registered_certificates")
    if section is None:
        return
    for index, row in enumerate((sections.get(section.key) or {}).get("certificates") or []):
        if row.get("certificate_number"):
            yield ClaimedCertificate(
                f"{section.label}第{index + 1}行",
                int(row.get("person") or 0),
                str(row.get("certificate_type") or ""),
                str(row["certificate_number"]),
                str(row.get("specialty") or ""),
                str(row.get("valid_until") or ""),
            )


# ---------------------------------------------------------------------------- checks


def _facts(ctx: _Context) -> RegistryFacts:
    facts = ctx.registry
    if facts is None:
        raise CannotCheck(msg.REGISTRY_NOT_CONSULTED)
    if facts.unavailable:
        raise CannotCheck(msg.REGISTRY_CHECK_UNAVAILABLE.format(reason=facts.unavailable))
    return facts


def _same_qualification(a: str, b: str) -> bool:
    first, second = qual_catalogue.match_qualification(a).entry, qual_catalogue.match_qualification(b).entry
    return first is not None and first == second


def registry_qualifications_match(ctx: _Context) -> list[Any]:
    rows = qualification_rows(ctx.sections) if ctx.business.section("qualifications") else []
    if not rows:
        return []
    facts = _facts(ctx)
    findings: list[Any] = []
    for index, row in enumerate(rows):
        number, name = str(row.get("certificate_number", "")), str(row.get("name", ""))
        item = f"企业资质第{index + 1}行（{name} {number}）"
        records = facts.qualifications.get(number, ())
        if not records:
            findings.append(Finding(msg.REGISTRY_QUAL_UNKNOWN.format(item=item), item, number, "未登记"))
            continue
        holder = records[0]
        if holder.holder_uscc != ctx.enterprise_uscc:
            findings.append(
                Finding(
                    msg.REGISTRY_QUAL_OTHER_ENTERPRISE.format(item=item, holder=holder.holder_name),
                    item,
                    ctx.enterprise_uscc,
                    f"{holder.holder_name}（{holder.holder_uscc}）",
                )
            )
            continue
        record = next((r for r in records if _same_qualification(r.name, name)), None)
        if record is None:
            listed = "、".join(r.name for r in records)
            findings.append(Finding(msg.REGISTRY_QUAL_NAME.format(item=item, listed=listed), item, name, listed))
            continue
        if row.get("valid_until") and record.valid_until and row["valid_until"] != record.valid_until:
            findings.append(
                Finding(
                    msg.REGISTRY_DATE_DIFFERS.format(item=item, filed=row["valid_until"], registry=record.valid_until),
                    f"{item}有效期",
                    row["valid_until"],
                    record.valid_until,
                )
            )
        registry_status = qual_catalogue.status_of_wording(record.status) if record.status else None
        if record.status and row.get("status") and registry_status != row["status"]:
            filed = qual_catalogue.STATUS_LABELS.get(row["status"], row["status"])
            findings.append(
                Finding(
                    msg.REGISTRY_QUAL_STATUS.format(item=item, filed=filed, registry=record.status),
                    f"{item}状态",
                    filed,
                    record.status,
                )
            )
        if record.valid_until and record.valid_until < ctx.today.isoformat():
            findings.append(
                Finding(msg.REGISTRY_EXPIRED.format(item=item, date=record.valid_until), item, "", record.valid_until)
            )
    return findings


def registry_certificates_match(ctx: _Context) -> list[Any]:
    claims = list(claimed_certificates(ctx.business, ctx.sections))
    if not claims:
        return []
    facts = _facts(ctx)
    findings: list[Any] = []
    for claim in claims:
        item = f"{claim.label}（{claim.certificate_number}）"
        id_number = ctx.person_id_numbers.get(claim.person_id, "")
        records = facts.certificates.get(id_number, ())
        record = next((r for r in records if r.certificate_number == claim.certificate_number), None)
        if record is None:
            held = "、".join(f"{r.certificate_type} {r.certificate_number}" for r in records) or "无注册证书"
            findings.append(Finding(msg.REGISTRY_CERT_UNKNOWN.format(item=item), item, claim.certificate_number, held))
            continue
        if record.holder_uscc != ctx.enterprise_uscc:
            findings.append(
                Finding(
                    msg.REGISTRY_CERT_OTHER_ENTERPRISE.format(item=item, holder=record.holder_name),
                    item,
                    ctx.enterprise_uscc,
                    f"{record.holder_name}（{record.holder_uscc}）",
                )
            )
        known = cert_catalogue.match_certificate_type(record.certificate_type).entry
        filed_type = cert_catalogue.BY_CODE.get(claim.certificate_type)
        if known is not None and filed_type is not None and known != filed_type:
            findings.append(
                Finding(
                    msg.REGISTRY_CERT_TYPE.format(item=item, filed=filed_type.name, registry=record.certificate_type),
                    item,
                    filed_type.name,
                    record.certificate_type,
                )
            )
        if claim.specialty and record.specialty and claim.specialty != record.specialty:
            findings.append(
                Finding(
                    msg.REGISTRY_CERT_SPECIALTY.format(item=item, filed=claim.specialty, registry=record.specialty),
                    item,
                    claim.specialty,
                    record.specialty,
                )
            )
        if record.valid_until and record.valid_until < ctx.today.isoformat():
            findings.append(
                Finding(msg.REGISTRY_EXPIRED.format(item=item, date=record.valid_until), item, "", record.valid_until)
            )
        elif claim.valid_until and record.valid_until and claim.valid_until != record.valid_until:
            findings.append(
                Finding(
                    msg.REGISTRY_DATE_DIFFERS.format(item=item, filed=claim.valid_until, registry=record.valid_until),
                    f"{item}有效期",
                    claim.valid_until,
                    record.valid_until,
                )
            )
    return findings


def technical_person_fits(ctx: _Context) -> list[Any]:
    """The technical responsible person's registered certificate fits the main qualification (fit table)."""
    technical = ctx.sections.get("technical_person")
    if technical is None or ctx.business.section("technical_person") is None:
        return []
    rows = qualification_rows(ctx.sections) or qualification_rows(ctx.filed_record)
    entries = [e for r in rows if (e := qual_catalogue.match_qualification(str(r.get("name", ""))).entry)]
    main = qual_catalogue.main_qualification(entries)
    if main is None:
        return []
    row = fit_for(main)
    if row is None or not row.certificates:
        return []
    code = str(technical.get("registered_certificate_type") or "")
    specialty = str(technical.get("registered_specialty") or "")
    if certificate_fits(row, code, specialty):
        return []
    wanted = "、".join(cert_catalogue.BY_CODE[c].name for c in row.certificates if c in cert_catalogue.BY_CODE)
    if row.specialties:
        wanted += f"（{'、'.join(row.specialties)}专业）"
    held = cert_catalogue.BY_CODE[code].name if code in cert_catalogue.BY_CODE else "未填写"
    held += f"（{specialty}）" if specialty else ""
    return [
        Finding(msg.TECHNICAL_PERSON_UNFIT.format(main=main.name, wanted=wanted, held=held), main.name, held, wanted)
    ]
