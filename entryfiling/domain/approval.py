"""What an approval does to the enterprise's filed record, as the business declares it
(``Business.effects``): pure, so that a change of the effects is checked without a database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from entryfiling.domain.businesses import Business, Effect
from entryfiling.domain.fields import RecordMode


@dataclass(frozen=True)
class FiledState:
    """The part of an enterprise an approval changes."""

    record: Mapping[str, Any]
    publicity_until: date | None
    filed_at: datetime | None
    enterprise_type: str | None


def apply_approval(
    business: Business,
    state: FiledState,
    sections: Mapping[str, Any],
    *,
    enterprise_type: str,
    reference: str,
    today: date,
    now: datetime,
    validity_days: int,
) -> FiledState:
    """The filed state after approving a filing with these (stored) section values."""
    record = dict(state.record)
    publicity_until, filed_at = state.publicity_until, state.filed_at
    for effect in business.effects:
        if effect is Effect.APPLY_SECTIONS:
            for section in business.sections:
                if not section.record_key or section.key not in sections:
                    continue
                if section.record_mode is RecordMode.APPEND:
                    entry = {**sections[section.key], "filing_reference": reference, "approved_on": today.isoformat()}
                    record[section.record_key] = [*(record.get(section.record_key) or []), entry]
                else:
                    record[section.record_key] = sections[section.key]
        elif effect is Effect.START_PUBLICITY:
            filed_at = filed_at or now
            # A later start (a further cost-consulting project) never shortens a running publicity.
            starts = today + timedelta(days=validity_days)
            publicity_until = max(publicity_until or starts, starts)
        elif effect is Effect.EXTEND_PUBLICITY:
            start = max(publicity_until or today, today)
            publicity_until = start + timedelta(days=validity_days)
    return replace(
        state,
        record=record,
        publicity_until=publicity_until,
        filed_at=filed_at,
        enterprise_type=state.enterprise_type or enterprise_type,
    )
