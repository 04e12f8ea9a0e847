"""What a business allows before any rule runs: which enterprises may use it, and when a section
may be saved. Decisions of the declarations, kept beside them and free of storage."""

from __future__ import annotations

from collections.abc import Mapping

from entryfiling import messages as msg
from entryfiling.domain.businesses import ENTERPRISE_TYPE_LABELS, Business, EnterpriseType
from entryfiling.domain.errors import NotApplicable, ValidationFailed
from entryfiling.domain.fields import Section


def resolve_enterprise_type(registered: str | None, requested: str | None) -> EnterpriseType:
    """The type a filing is opened for: the one on record wins; a first filing must name one."""
    options = "、".join(f"{t.value}（{label}）" for t, label in ENTERPRISE_TYPE_LABELS.items())
    if requested is not None and requested not in EnterpriseType.__members__.values():
        raise ValidationFailed.on(
            "enterprise_type", msg.ENTERPRISE_TYPE_UNKNOWN.format(value=requested, options=options)
        )
    if registered:
        on_record = EnterpriseType(registered)
        if requested is not None and requested != on_record:
            raise NotApplicable(
                msg.ENTERPRISE_TYPE_MISMATCH.format(
                    registered=ENTERPRISE_TYPE_LABELS[on_record],
                    requested=ENTERPRISE_TYPE_LABELS[EnterpriseType(requested)],
                )
            )
        return on_record
    if requested is None:
        raise ValidationFailed.on("enterprise_type", msg.ENTERPRISE_TYPE_REQUIRED.format(options=options))
    return EnterpriseType(requested)


def check_applicable(business: Business, enterprise_type: EnterpriseType, *, filed: bool) -> None:
    """Whether an enterprise of this type (filed or not yet) may use this business at all."""
    if enterprise_type not in business.applies_to:
        if enterprise_type in business.refusals:
            raise NotApplicable(business.refusals[enterprise_type])
        raise NotApplicable(
            msg.BUSINESS_NOT_FOR_TYPE.format(
                business=business.label, enterprise_type=ENTERPRISE_TYPE_LABELS[enterprise_type]
            )
        )
    if business.requires_filed_enterprise and not filed:
        raise NotApplicable(msg.BUSINESS_NEEDS_FILED_ENTERPRISE.format(business=business.label))


def check_section_savable(business: Business, section: Section, attachment_counts: Mapping[str, int]) -> None:
    """A section that declares ``save_requires`` (e.g. 驻疆机构 needs the latest premises proof)
    cannot be saved before those attachments are uploaded."""
    for kind_key in section.save_requires:
        if not attachment_counts.get(kind_key):
            kind = business.attachment_kind(kind_key)
            text = msg.SECTION_SAVE_NEEDS_ATTACHMENT.format(
                attachment=kind.label if kind else kind_key, section=section.label
            )
            raise ValidationFailed.on(kind_key, text)
