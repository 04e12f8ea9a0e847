"""Approval decides by the declared rules: any rejecting failure rejects, else manual review."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from entryfiling.domain import rules
from entryfiling.domain.businesses import FIRST_FILING
from entryfiling.domain.filing import FilingStatus
from entryfiling.domain.rules import ApprovalContext, OnFailure, Rule, Stage, decide, person_refusal


def _context(**kw) -> ApprovalContext:
    defaults = dict(
        business=FIRST_FILING,
        enterprise_id=1,
        enterprise_uscc="U",
        certificate_uscc="U",
        sections={},
        attachment_counts={},
        persons={},
        today=date(2026, 11, 24),
    )
    return ApprovalContext(**(defaults | kw))


@pytest.fixture
def declared(monkeypatch):
    def declare(*declared_rules: Rule):
        for rule in declared_rules:
            monkeypatch.setitem(rules.RULES, rule.key, rule)
        return replace(FIRST_FILING, rules=tuple(r.key for r in declared_rules))

    return declare


def _rule(key: str, reasons: list[str], on_failure: OnFailure = OnFailure.REJECT) -> Rule:
    return Rule(key, key, Stage.APPROVAL, lambda _ctx: list(reasons), on_failure)


def test_all_passing_rules_approve(declared):
    business = declared(_rule("a", []), _rule("b", []))
    assert decide(business, _context(business=business)).status is FilingStatus.APPROVED


def test_a_rule_declared_for_manual_review_routes_to_a_person(declared):
    business = declared(_rule("a", []), _rule("look", ["证书登记单位不一致"], OnFailure.MANUAL_REVIEW))
    decision = decide(business, _context(business=business))
    assert decision.status is FilingStatus.MANUAL_REVIEW
    assert decision.reasons == ["证书登记单位不一致"]


def test_rejection_wins_and_keeps_every_reason(declared):
    business = declared(_rule("look", ["人工"], OnFailure.MANUAL_REVIEW), _rule("x", ["甲", "乙"]), _rule("y", ["丙"]))
    decision = decide(business, _context(business=business))
    assert decision.status is FilingStatus.REJECTED
    assert decision.reasons == ["人工", "甲", "乙", "丙"]


def test_submission_rules_do_not_decide(declared):
    submission = Rule("s", "s", Stage.SUBMISSION, lambda _ctx: ["未勾选"])
    business = declared(submission)
    assert decide(business, _context(business=business)).status is FilingStatus.APPROVED


def test_person_refusal_explains_why():
    verified_here = rules.PersonFacts(1, "张三", True, frozenset({7}))
    assert person_refusal(verified_here, 7) is None
    assert "未与本企业" in person_refusal(verified_here, 8)
    assert "实名认证" in person_refusal(rules.PersonFacts(2, "李四", False, frozenset({7})), 7)
    assert person_refusal(None, 7) == "人员不存在"
    assert person_refusal(verified_here, 8, must_be_employed=False) is None
