"""What a regulator's decision must say: a rejection tells the enterprise what to fix.

The weight of a reason is counted in Chinese characters; letters and digits count half, so
"ok" weighs 1 and "缺少营业执照" 6. A reviewer writes Chinese; a reason such as "USCC 与证书不一致"
still weighs enough.
"""

from __future__ import annotations

import unicodedata

from entryfiling import messages as msg

APPROVE, REJECT = "approve", "reject"
REASON_MAX_LENGTH = 500
# Smallest weight of a reason per decision: a rejection says what is wrong and what to supply.
REASON_MIN_WEIGHT = {APPROVE: 2, REJECT: 5}


def reason_weight(reason: str) -> float:
    """Chinese characters count 1, letters and digits ½, punctuation and spaces nothing."""
    weight = 0.0
    for char in reason:
        if "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf":
            weight += 1
        elif unicodedata.category(char)[0] in {"L", "N"}:
            weight += 0.5
    return weight


def reason_problem(decision: str, reason: str) -> str | None:
    """Why this reason cannot go with this decision, or None when it can."""
    if len(reason) > REASON_MAX_LENGTH:
        return msg.REVIEW_REASON_TOO_LONG.format(limit=REASON_MAX_LENGTH)
    if decision == REJECT and reason_weight(reason) < REASON_MIN_WEIGHT[REJECT]:
        return msg.REVIEW_REJECT_REASON_TOO_SHORT.format(
            minimum=REASON_MIN_WEIGHT[REJECT], letters=REASON_MIN_WEIGHT[REJECT] * 2
        )
    if reason_weight(reason) < REASON_MIN_WEIGHT[APPROVE]:
        return msg.REVIEW_REASON_REQUIRED.format(
            minimum=REASON_MIN_WEIGHT[APPROVE], letters=REASON_MIN_WEIGHT[APPROVE] * 2
        )
    return None
