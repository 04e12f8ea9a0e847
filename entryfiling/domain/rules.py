"""Automatic approval: every rule declared once, as data, each giving Chinese reasons.

A rule of stage ``submission`` blocks the submit itself (the user fixes the draft and tries
again); a rule of stage ``approval`` decides the submitted filing: its failure rejects it, or
sends it to manual review when the rule's declaration says a person must look.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from entryfiling import messages as msg
from entryfiling.domain import plausibility as p
from entryfiling.domain import registry_checks as registry
from entryfiling.domain.businesses import ENTERPRISE_TYPE_LABELS, Business, record_sections
from entryfiling.domain.fields import RecordMode, duplicate_rows, iter_dates, person_ids, section_status
from entryfiling.domain.filing import FilingStatus
from entryfiling.domain.registry_checks import CannotCheck, Finding, RegistryFacts


class Stage(StrEnum):
    OPEN = "open"  # may the enterprise start this business now? (checked again at submission)
    SUBMISSION = "submission"
    APPROVAL = "approval"


class OnFailure(StrEnum):
    REJECT = "reject"
    MANUAL_REVIEW = "manual_review"


@dataclass(frozen=True)
class PersonFacts:
    id: int
    name: str
    verified: bool
    employed_by: frozenset[int]


@dataclass(frozen=True)
class AttachmentFacts:
    id: str
    kind: str
    content_type: str
    # Set by the caller for the signed letter: does a PDF reader open it?
    readable_pdf: bool | None = None
    # Filing references the letter shows (text layer or QR code); None: it could not be read.
    references: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ApprovalContext:
    """Every fact the rules look at, gathered by the use case; the rules do no I/O."""

    business: Business
    enterprise_id: int
    enterprise_uscc: str
    certificate_uscc: str | None
    sections: Mapping[str, Mapping[str, Any]]
    attachment_counts: Mapping[str, int]
    persons: Mapping[int, PersonFacts]
    today: date
    agreed: bool = False
    signed_letter: AttachmentFacts | None = None
    other_open_filings: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)
    # The enterprise's filed record before this filing (ID numbers in clear), for change rules.
    filed_record: Mapping[str, Any] = field(default_factory=dict)
    publicity_until: date | None = None
    publicity_extension_window_days: int = 0
    # The enterprise name in the login certificate (None when not acting with a certificate).
    certificate_name: str | None = None
    # Facts the plausibility rules read (gathered by handlers.verification).
    enterprise_type: str = ""
    age_range: tuple[int, int] = (18, 70)
    # Chosen persons' ID numbers (in clear), by person id.
    person_id_numbers: Mapping[int, str] = field(default_factory=dict)
    # Names the system knows for ID numbers written in the filing (e.g. the legal representative's).
    known_names_by_id_number: Mapping[str, str] = field(default_factory=dict)
    # Person id → (role label, enterprise name) they already hold in another filed enterprise.
    roles_elsewhere: Mapping[int, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # What the national registry said of this filing's qualifications and certificates (None: not asked).
    registry: RegistryFacts | None = None
    # This filing's 办件编号, which its signed letter must show.
    filing_reference: str = ""

    @property
    def enterprise_type_label(self) -> str:
        return next((label for t, label in ENTERPRISE_TYPE_LABELS.items() if t.value == self.enterprise_type), "")


# A check returns its failures (a reason, or a Finding with evidence); it raises CannotCheck when it cannot run.
Check = Callable[[ApprovalContext], list[Any]]


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_CHECKED = "not_checked"  # the check could not run: a person must look


@dataclass(frozen=True)
class Rule:
    key: str
    description: str
    stage: Stage
    check: Check
    on_failure: OnFailure = OnFailure.REJECT


@dataclass(frozen=True)
class RuleResult:
    key: str
    description: str
    passed: bool
    reasons: tuple[str, ...]
    on_failure: OnFailure
    outcome: Outcome = Outcome.PASSED
    # Per failure, what was filed and what the source of truth records ({"item", "filed", "registry"}).
    evidence: tuple[Mapping[str, str], ...] = ()


@dataclass(frozen=True)
class Decision:
    status: FilingStatus
    results: tuple[RuleResult, ...]

    @property
    def reasons(self) -> list[str]:
        return [reason for r in self.results if not r.passed for reason in r.reasons]


# ---------------------------------------------------------------------------- checks


def _sections_complete(ctx: ApprovalContext) -> list[str]:
    reasons = []
    for section in ctx.business.sections:
        status = section_status(section, ctx.sections.get(section.key), ctx.attachment_counts, ctx.today)
        if not status.saved:
            reasons.append(msg.RULE_SECTION_NOT_SAVED.format(section=section.label))
            continue
        for missing in status.missing_fields:
            reasons.append(msg.RULE_FIELD_MISSING.format(section=section.label, field=missing.label))
        for gap in status.missing_attachments:
            reasons.append(msg.RULE_ATTACHMENT_MISSING.format(section=section.label, attachment=gap.label))
    return reasons


def _commitment_agreed(ctx: ApprovalContext) -> list[str]:
    return [] if ctx.agreed else [msg.RULE_NOT_AGREED]


def _signed_letter_present(ctx: ApprovalContext) -> list[str]:
    letter = ctx.signed_letter
    if letter is None:
        return [msg.RULE_LETTER_MISSING]
    if letter.kind != "commitment_letter" or letter.content_type != "application/pdf":
        return [msg.RULE_LETTER_NOT_PDF]
    return []


def _signed_letter_readable(ctx: ApprovalContext) -> list[str]:
    letter = ctx.signed_letter
    return [] if letter is not None and letter.readable_pdf else [msg.RULE_LETTER_UNREADABLE]


def _signed_letter_names_this_filing(ctx: ApprovalContext) -> list[Any]:
    """The uploaded letter is this filing's: it shows its reference (text or QR); unreadable → a person looks."""
    letter = ctx.signed_letter
    if letter is None or not ctx.filing_reference:
        return []
    if not letter.references:
        raise CannotCheck(msg.RULE_LETTER_REFERENCE_UNREADABLE.format(reference=ctx.filing_reference))
    if ctx.filing_reference in letter.references:
        return []
    found = "、".join(letter.references)
    return [
        Finding(
            msg.RULE_LETTER_OTHER_FILING.format(found=found, reference=ctx.filing_reference),
            "签章承诺书",
            ctx.filing_reference,
            found,
        )
    ]


def _uscc_matches_certificate(ctx: ApprovalContext) -> list[str]:
    reasons = []
    if ctx.certificate_uscc and ctx.certificate_uscc != ctx.enterprise_uscc:
        reasons.append(msg.RULE_USCC_CERT_MISMATCH)
    basic = ctx.sections.get("basic_info")
    if basic is not None and basic.get("uscc") and basic["uscc"] != ctx.enterprise_uscc:
        reasons.append(msg.RULE_USCC_MISMATCH.format(filled=basic["uscc"], certificate=ctx.enterprise_uscc))
    return reasons


def _qualifications_unexpired(ctx: ApprovalContext) -> list[str]:
    reasons = []
    for section in ctx.business.sections:
        for label, _fld, until in iter_dates(section, ctx.sections.get(section.key) or {}):
            if until < ctx.today:
                reasons.append(msg.RULE_EXPIRED.format(label=label, date=until.isoformat()))
    return reasons


def _persons_verified_employed(ctx: ApprovalContext) -> list[str]:
    reasons = []
    for section in ctx.business.sections:
        for _path, fld, person_id in person_ids(section, ctx.sections.get(section.key) or {}):
            reason = person_refusal(ctx.persons.get(person_id), ctx.enterprise_id, fld.person_must_be_employed)
            if reason:
                reasons.append(f"{section.label}·{fld.label}：{reason}")
    return reasons


def _no_other_open_filing(ctx: ApprovalContext) -> list[str]:
    if ctx.other_open_filings:
        return [msg.RULE_OTHER_OPEN_FILING.format(business=ctx.business.label)]
    return []


def _record_changed(ctx: ApprovalContext) -> list[str]:
    """A change filing must change something on record; an unchanged copy of the record is refused."""
    for section in ctx.business.sections:
        if not section.record_key or section.record_mode is not RecordMode.REPLACE or section.key not in ctx.sections:
            continue
        if dict(ctx.sections[section.key]) != dict(ctx.filed_record.get(section.record_key) or {}):
            return []
    return [msg.RULE_NOTHING_CHANGED.format(business=ctx.business.label)]


def _name_matches_certificate(ctx: ApprovalContext) -> list[str]:
    basic = ctx.sections.get("basic_info") or {}
    filled = basic.get("enterprise_name")
    if ctx.certificate_name and filled and filled != ctx.certificate_name:
        return [msg.RULE_NAME_CERT_MISMATCH.format(filled=filled, certificate=ctx.certificate_name)]
    return []


def extension_opens_on(publicity_until: date, window_days: int) -> date:
    return publicity_until - timedelta(days=window_days)


def _publicity_extension_window(ctx: ApprovalContext) -> list[str]:
    """Extension from the window before expiry on, or any time after the publicity lapsed."""
    if ctx.publicity_until is None:
        return [msg.RULE_NOT_PUBLISHED]
    opens_on = extension_opens_on(ctx.publicity_until, ctx.publicity_extension_window_days)
    if ctx.today < opens_on:
        return [
            msg.RULE_EXTENSION_TOO_EARLY.format(
                until=ctx.publicity_until.isoformat(),
                days=ctx.publicity_extension_window_days,
                opens_on=opens_on.isoformat(),
            )
        ]
    return []


def _record_qualifications_unexpired(ctx: ApprovalContext) -> list[str]:
    """Every expiring date on record (as this filing would leave it) is still valid."""
    sections = record_sections()
    record = dict(ctx.filed_record)
    for section in ctx.business.sections:
        if section.record_key and section.record_mode is RecordMode.REPLACE and section.key in ctx.sections:
            record[section.record_key] = ctx.sections[section.key]
    reasons = []
    for record_key, values in record.items():
        recorded = sections.get(record_key)
        if recorded is None or recorded.record_mode is not RecordMode.REPLACE or not isinstance(values, Mapping):
            continue
        for label, _fld, until in iter_dates(recorded, values):
            if until < ctx.today:
                reasons.append(msg.RULE_RECORD_EXPIRED.format(section=recorded.label, label=label, date=until))
    return reasons


def _rows_unique(ctx: ApprovalContext) -> list[str]:
    reasons = []
    for section in ctx.business.sections:
        for fld, row, first in duplicate_rows(section, ctx.sections.get(section.key) or {}):
            reasons.append(
                msg.RULE_ROWS_DUPLICATE.format(section=section.label, field=fld.label, row=row + 1, first=first + 1)
            )
    return reasons


def _not_yet_filed(ctx: ApprovalContext) -> list[str]:
    """A first filing happens once; afterwards the enterprise files changes."""
    return [msg.RULE_ALREADY_FILED] if ctx.filed_record else []


def person_refusal(person: PersonFacts | None, enterprise_id: int, must_be_employed: bool = True) -> str | None:
    """Why a person cannot be chosen in a filing of this enterprise, or None if they can."""
    if person is None:
        return msg.PERSON_NOT_FOUND
    if not person.verified:
        return msg.PERSON_NOT_VERIFIED.format(name=person.name)
    if must_be_employed and enterprise_id not in person.employed_by:
        return msg.PERSON_NOT_EMPLOYED.format(name=person.name)
    return None


RULES: dict[str, Rule] = {
    rule.key: rule
    for rule in (
        Rule("sections_complete", "所有必填信息和附件已完整", Stage.SUBMISSION, _sections_complete),
        Rule("commitment_agreed", "已阅读并同意企业诚信守法承诺书", Stage.SUBMISSION, _commitment_agreed),
        Rule("signed_letter_present", "已上传签章的承诺书（PDF）", Stage.SUBMISSION, _signed_letter_present),
        Rule("signed_letter_readable", "签章承诺书是可打开的 PDF 文件", Stage.APPROVAL, _signed_letter_readable),
        Rule(
            "signed_letter_names_this_filing",
            "签章承诺书显示本办件编号（文字或二维码；无法识别时转人工审核）",
            Stage.APPROVAL,
            _signed_letter_names_this_filing,
        ),
        Rule("uscc_matches_certificate", "统一社会信用代码与 CA 证书一致", Stage.APPROVAL, _uscc_matches_certificate),
        # Every declared expiring date of the business's sections: qualifications and the 安全生产许可证.
        Rule(
            "qualifications_unexpired",
            "资质证书及安全生产许可证在提交日未过期",
            Stage.APPROVAL,
            _qualifications_unexpired,
        ),
        Rule(
            "persons_verified_employed",
            "所选人员已实名认证且与本企业存在聘用关系",
            Stage.APPROVAL,
            _persons_verified_employed,
        ),
        Rule("no_other_open_filing", "同一业务无其他在办申请", Stage.APPROVAL, _no_other_open_filing),
        Rule("record_changed", "变更内容与备案信息不同", Stage.SUBMISSION, _record_changed),
        Rule(
            "name_matches_certificate",
            "企业名称与 CA 证书一致（不一致时转人工审核）",
            Stage.APPROVAL,
            _name_matches_certificate,
            on_failure=OnFailure.MANUAL_REVIEW,
        ),
        Rule(
            "publicity_extension_window",
            "公示有效期已进入可延期期间或已过期",
            Stage.OPEN,
            _publicity_extension_window,
        ),
        Rule(
            "record_qualifications_unexpired",
            "备案的资质等有效期均未过期",
            Stage.APPROVAL,
            _record_qualifications_unexpired,
        ),
        # The expiry check reads every declared expiring date, so certificates reuse it.
        Rule("certificates_unexpired", "人员证书在提交日未过期", Stage.APPROVAL, _qualifications_unexpired),
        Rule("rows_unique", "同一表格中没有重复的记录", Stage.SUBMISSION, _rows_unique),
        Rule("not_yet_filed", "企业尚未完成首次信息报送", Stage.OPEN, _not_yet_filed),
        # ---- plausibility: complete is not enough, the values must be believable (domain/plausibility.py)
        Rule("no_junk_values", "未填写占位、测试或乱填的内容", Stage.APPROVAL, p.no_junk_values),
        Rule("unrelated_fields_differ", "不相关的栏目未填写相同内容", Stage.APPROVAL, p.unrelated_fields_differ),
        Rule("ages_in_range", "法定代表人及负责人年龄在规定范围内（按身份证号）", Stage.APPROVAL, p.ages_in_range),
        Rule("one_name_per_person", "同一身份证号只对应一个姓名", Stage.APPROVAL, p.one_name_per_person),
        Rule(
            "persons_not_serving_elsewhere",
            "负责人未在其他已备案企业担任同一职务（否则转人工审核）",
            Stage.APPROVAL,
            p.persons_not_serving_elsewhere,
            on_failure=OnFailure.MANUAL_REVIEW,
        ),
        Rule(
            "dates_plausible",
            "日期合理：发证不晚于今日、有效期不早于发证、期限符合证书类型",
            Stage.APPROVAL,
            p.dates_plausible,
        ),
        Rule(
            "uscc_region_plausible",
            "统一社会信用代码登记地与注册地省份一致且不在新疆",
            Stage.APPROVAL,
            p.uscc_region_plausible,
        ),
        Rule("official_number_formats", "资质和人员证书编号符合官方格式", Stage.APPROVAL, p.official_number_formats),
        Rule(
            "registered_capital_in_bounds",
            "注册资本大于 0 且在合理范围内",
            Stage.APPROVAL,
            p.registered_capital_in_bounds,
        ),
        Rule(
            "qualifications_fit_enterprise_type",
            "资质在目录中、属于本企业类型可持有的序列且不重复",
            Stage.APPROVAL,
            p.qualifications_fit_enterprise_type,
        ),
        Rule(
            "qualifications_status_valid",
            "资质状态为有效（暂停、撤回、注销的资质不予通过）",
            Stage.APPROVAL,
            p.qualifications_status_valid,
        ),
        # ---- licences declared in plausibility.LICENCES (安全生产许可证 of construction enterprises)
        Rule(
            "licence_number_format",
            "安全生产许可证编号符合“(省简称)JZ安许证字[年份]编号”格式",
            Stage.APPROVAL,
            p.licence_number_format,
        ),
        Rule(
            "licence_issued_not_future",
            "安全生产许可证发证日期不晚于提交日",
            Stage.APPROVAL,
            p.licence_issued_not_future,
        ),
        Rule(
            "licence_valid_after_issue",
            "安全生产许可证有效期不早于发证日期",
            Stage.APPROVAL,
            p.licence_valid_after_issue,
        ),
        Rule(
            "licence_validity_length",
            "安全生产许可证有效期不超过 3 年",
            Stage.APPROVAL,
            p.licence_validity_length,
        ),
        Rule(
            "office_area_in_bounds",
            "驻疆机构办公面积大于 0 且在合理范围内",
            Stage.APPROVAL,
            p.office_area_in_bounds,
        ),
        # ---- the national registry (domain/registry_checks.py); unreachable → not checked → manual review
        Rule(
            "registry_qualifications_match",
            "资质与全国建筑市场监管公共服务平台登记一致（编号、名称等级、有效期、持有企业）",
            Stage.APPROVAL,
            registry.registry_qualifications_match,
        ),
        Rule(
            "registry_certificates_match",
            "注册证书与全国建筑市场监管公共服务平台登记一致（编号、类别专业、有效期、注册单位、本人）",
            Stage.APPROVAL,
            registry.registry_certificates_match,
        ),
        Rule(
            "technical_person_fits",
            "进疆技术负责人的注册证书与企业主项资质相符",
            Stage.APPROVAL,
            registry.technical_person_fits,
        ),
    )
}


def run_rules(business: Business, ctx: ApprovalContext, stage: Stage) -> list[RuleResult]:
    results = []
    for key in business.rules:
        rule = RULES[key]
        if rule.stage is not stage:
            continue
        results.append(evaluate(rule, ctx))
    return results


def evaluate(rule: Rule, ctx: ApprovalContext) -> RuleResult:
    """Run one rule: passed, failed (with reasons and evidence), or not checked (a person must look)."""
    try:
        failures = rule.check(ctx)
    except CannotCheck as exc:
        return RuleResult(
            rule.key, rule.description, False, (exc.reason,), OnFailure.MANUAL_REVIEW, Outcome.NOT_CHECKED
        )
    reasons = tuple(f.reason if isinstance(f, Finding) else str(f) for f in failures)
    evidence = tuple(f.evidence() for f in failures if isinstance(f, Finding))
    outcome = Outcome.FAILED if reasons else Outcome.PASSED
    return RuleResult(rule.key, rule.description, not reasons, reasons, rule.on_failure, outcome, evidence)


def decide(business: Business, ctx: ApprovalContext) -> Decision:
    """Automatic approval: rejected on any rejecting failure, else manual review, else approved."""
    results = tuple(run_rules(business, ctx, Stage.APPROVAL))
    failed = [r for r in results if not r.passed]
    if any(r.on_failure is OnFailure.REJECT for r in failed):
        status = FilingStatus.REJECTED
    elif failed:
        status = FilingStatus.MANUAL_REVIEW
    else:
        status = FilingStatus.APPROVED
    return Decision(status, results)
