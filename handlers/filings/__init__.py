"""Filing use cases, one module per thing a user does; every business goes through the same
functions, what differs between businesses is only their declaration in
``entryfiling.domain.businesses``."""

from handlers.filings.attachments import (
    AttachmentFile,
    attachment_file,
    delete_attachment,
    open_attachment,
    upload_attachment,
)
from handlers.filings.common import (
    Draft,
    business_of,
    check_if_match,
    commit_or_stale,
    get_business,
    get_section,
    load_draft,
    load_filing,
    unseal_sections,
)
from handlers.filings.decisions import Outcome, record_decision
from handlers.filings.letter import Letter, commitment_letter
from handlers.filings.lifecycle import copy_filing, discard_draft, withdraw_filing
from handlers.filings.opening import Opened, open_filing
from handlers.filings.queries import DraftState, draft_state, get_filing, list_filings
from handlers.filings.sections import save_section
from handlers.filings.submission import SubmitResult, submit_filing
from handlers.filings.views import FilingSummary, FilingView

__all__ = [
    "AttachmentFile",
    "Draft",
    "DraftState",
    "FilingSummary",
    "FilingView",
    "Letter",
    "Opened",
    "Outcome",
    "SubmitResult",
    "attachment_file",
    "business_of",
    "check_if_match",
    "commit_or_stale",
    "commitment_letter",
    "copy_filing",
    "delete_attachment",
    "discard_draft",
    "draft_state",
    "get_business",
    "get_filing",
    "get_section",
    "list_filings",
    "load_draft",
    "load_filing",
    "open_attachment",
    "open_filing",
    "record_decision",
    "save_section",
    "submit_filing",
    "unseal_sections",
    "upload_attachment",
    "withdraw_filing",
]
