"""The filing use cases over a hand-written fake unit of work: rule changes checked in milliseconds.

The fakes keep filings and enterprises in dictionaries and play the repository's contract (another
enterprise's filing is not found, ids on add, the version moves on commit); the use cases run as
they do behind HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from entryfiling.config import load_settings
from entryfiling.db.models import Enterprise, Filing
from entryfiling.db.repositories import StoredEvent, StoredFiling
from entryfiling.domain.errors import (
    Conflict,
    NotApplicable,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ValidationFailed,
)
from entryfiling.domain.filing import OPEN_STATUSES, FilingStatus
from entryfiling.integrations.id_cipher import IdCipher
from handlers.filings import open_filing, save_section, withdraw_filing
from handlers.services import Actor, Services

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


class FakeFilingRepository:
    def __init__(self, enterprises: dict[int, Enterprise], filings: dict[int, Filing]) -> None:
        self.enterprises, self.filings = enterprises, filings

    def add(self, filing: Filing) -> Filing:
        filing.id = max(self.filings, default=0) + 1
        filing.version = 1
        self.filings[filing.id] = filing
        return filing

    def of_enterprise(self, enterprise_id: int | None, filing_id: int, *, for_update: bool = False) -> Filing:
        filing = self.filings.get(filing_id)
        if filing is None or filing.enterprise_id != enterprise_id:
            raise NotFound("办件不存在")
        return filing

    def open_one(self, enterprise_id: int, business_key: str) -> Filing | None:
        return next(
            (
                f
                for f in self.filings.values()
                if f.enterprise_id == enterprise_id and f.business == business_key and f.status in OPEN_STATUSES
            ),
            None,
        )

    def enterprise(self, enterprise_id: int | None, *, for_update: bool = False) -> Enterprise:
        if enterprise_id not in self.enterprises:
            raise NotFound("企业不存在")
        return self.enterprises[enterprise_id]


class FakeSession:
    """Only what the use cases touch beside the repository: flushing, and no persons on file."""

    def flush(self) -> None:
        pass

    def scalars(self, _query: Any) -> list[Any]:
        return []


@dataclass
class FakeUnitOfWork:
    filings: FakeFilingRepository
    committed: int = 0
    audited: list[str] = field(default_factory=list)
    session: FakeSession = field(default_factory=FakeSession)

    def __enter__(self) -> FakeUnitOfWork:
        return self

    def __exit__(self, *_exc: Any) -> None:
        pass

    def commit(self) -> None:
        self.committed += 1
        for filing in self.filings.filings.values():
            filing.version = (filing.version or 0) + 1

    def rollback(self) -> None:
        pass

    def audit(self, _actor: Any, action: str, *_args: Any, **_kw: Any) -> None:
        self.audited.append(action)


def _as_stored(filing: Filing) -> StoredFiling:
    """The fake's filing as the draft editor reads it (the read side's typed row)."""
    events = [StoredEvent(e.from_status, e.to_status, e.actor, e.note, e.at) for e in filing.events]
    return StoredFiling(
        filing.id,
        filing.enterprise_id,
        filing.business,
        filing.enterprise_type,
        filing.status,
        filing.sections,
        filing.version,
        filing.agreed,
        filing.signed_letter_id,
        filing.rule_results,
        filing.reasons,
        filing.created_at,
        filing.updated_at,
        filing.submitted_at,
        filing.decided_at,
        filing.record_changes,
        filing.copied_from_id,
        attachments=[],
        events=events,
    )


@dataclass
class FakeDraftEditor:
    """The draft editor's contract over the same dictionaries: another enterprise's filing is not
    found, and a save writes only the draft still at the version it read (else ``None``)."""

    filings: FakeFilingRepository
    audited: list[str] = field(default_factory=list)
    connection: Any = None  # the view reads whom a section chose on it: no persons here

    def __enter__(self) -> FakeDraftEditor:
        return self

    def __exit__(self, *_exc: Any) -> None:
        pass

    def stored(self, enterprise_id: int | None, filing_id: int) -> StoredFiling:
        return _as_stored(self.filings.of_enterprise(enterprise_id, filing_id))

    def session(self) -> FakeSession:
        return FakeSession()

    def save_sections(
        self, enterprise_id: int, filing_id: int, read_version: int, sections: Any, at: datetime, audit: Any
    ) -> int | None:
        filing = self.filings.of_enterprise(enterprise_id, filing_id)
        if filing.version != read_version or filing.status != FilingStatus.DRAFT:
            return None
        filing.sections, filing.updated_at, filing.version = sections, at, filing.version + 1
        self.audited.append(audit["action"])
        return filing.version


class FakeServices(Services):
    def __init__(self, tmp_path: Path) -> None:
        settings = load_settings({}, instance_path=tmp_path)
        super().__init__(
            settings=settings,
            engine=None,  # type: ignore[arg-type]
            session_factory=None,  # type: ignore[arg-type]
            cipher=IdCipher(settings.id_encryption_key),
            storage=None,  # type: ignore[arg-type]
            clock=lambda: NOW,
        )
        self.enterprises: dict[int, Enterprise] = {}
        self.filings: dict[int, Filing] = {}
        self.last_uow: FakeUnitOfWork | None = None
        self.last_editor: FakeDraftEditor | None = None

    def uow(self) -> Any:
        self.last_uow = FakeUnitOfWork(FakeFilingRepository(self.enterprises, self.filings))
        return self.last_uow

    def draft_editor(self) -> Any:
        self.last_editor = FakeDraftEditor(FakeFilingRepository(self.enterprises, self.filings))
        return self.last_editor


@pytest.fixture
def services(tmp_path: Path) -> FakeServices:
    return FakeServices(tmp_path)


@pytest.fixture
def enterprise_of(services: FakeServices) -> Callable[..., Actor]:
    def make(enterprise_id: int = 1, **values: Any) -> Actor:
        services.enterprises[enterprise_id] = Enterprise(
            id=enterprise_id,
            uscc="91340100MA2N0DT108",
            name="安徽德拓建设工程有限公司",
            enterprise_type=values.get("enterprise_type"),
            filed_record=values.get("filed_record", {}),
            filed_at=values.get("filed_at"),
            publicity_until=values.get("publicity_until"),
            created_at=NOW,
            updated_at=NOW,
        )
        return Actor(
            kind="enterprise",
            id=f"enterprise:{enterprise_id}",
            name="安徽德拓建设工程有限公司",
            enterprise_id=enterprise_id,
            certificate_uscc="91340100MA2N0DT108",
            certificate_name="安徽德拓建设工程有限公司",
        )

    return make


def test_open_creates_a_draft_once_and_then_returns_it(services, enterprise_of):
    actor = enterprise_of()
    first = open_filing(services, actor, "first_filing", "construction")
    again = open_filing(services, actor, "first_filing", "construction")
    assert first.created and not again.created
    assert again.filing.id == first.filing.id and first.filing.status == FilingStatus.DRAFT
    assert first.filing.reference == "JJ20260302000001"
    assert first.filing.sections[0].key == "basic_info" and not first.filing.complete


def test_open_refuses_what_the_declarations_refuse(services, enterprise_of):
    actor = enterprise_of()
    with pytest.raises(NotApplicable):
        open_filing(services, actor, "first_filing", "cost_consulting")  # cost consulting files projects only
    with pytest.raises(NotApplicable):
        open_filing(services, actor, "basic_info_change", "construction")  # not filed yet
    with pytest.raises(ValidationFailed):
        open_filing(services, actor, "first_filing", None)  # a first filing must name its type
    with pytest.raises(ValidationFailed):
        open_filing(services, actor, "no_such_business", "construction")
    assert services.filings == {}


def test_save_section_checks_the_etag_validates_and_stores(services, enterprise_of):
    actor = enterprise_of()
    draft = open_filing(services, actor, "first_filing", "construction").filing
    with pytest.raises(PreconditionRequired):
        save_section(services, actor, draft.id, "basic_info", {"contact_name": "赵报送"}, None)
    with pytest.raises(PreconditionFailed):
        save_section(services, actor, draft.id, "basic_info", {"contact_name": "赵报送"}, '"1-99"')
    with pytest.raises(ValidationFailed) as refused:
        save_section(services, actor, draft.id, "basic_info", {"uscc": "123"}, draft.etag)
    assert "uscc" in refused.value.errors
    saved = save_section(services, actor, draft.id, "basic_info", {"contact_name": "赵报送"}, draft.etag)
    assert saved.sections[0].values["contact_name"] == "赵报送" and saved.etag != draft.etag
    assert services.last_editor is not None and services.last_editor.audited == ["section_saved"]
    assert services.filings[draft.id].sections["basic_info"]["contact_name"] == "赵报送"


def test_a_save_of_a_draft_changed_since_it_was_read_is_stale(services, enterprise_of, monkeypatch):
    actor = enterprise_of()
    draft = open_filing(services, actor, "first_filing", "construction").filing
    before = dict(services.filings[draft.id].sections)
    read = FakeDraftEditor.stored

    def read_then_changed(editor: FakeDraftEditor, enterprise_id: int | None, filing_id: int) -> StoredFiling:
        stored = read(editor, enterprise_id, filing_id)
        services.filings[filing_id].version += 1  # another save commits between the read and the write
        return stored

    monkeypatch.setattr(FakeDraftEditor, "stored", read_then_changed)
    with pytest.raises(PreconditionFailed):
        save_section(services, actor, draft.id, "basic_info", {"contact_name": "赵报送"}, draft.etag)
    assert services.filings[draft.id].sections == before
    assert services.last_editor is not None and services.last_editor.audited == []


def test_save_section_of_another_enterprise_is_not_found(services, enterprise_of):
    owner, other = enterprise_of(1), enterprise_of(2)
    draft = open_filing(services, owner, "first_filing", "construction").filing
    with pytest.raises(NotFound):
        save_section(services, other, draft.id, "basic_info", {"contact_name": "赵报送"}, draft.etag)


def test_a_draft_cannot_be_withdrawn_but_a_submitted_filing_can(services, enterprise_of):
    actor = enterprise_of()
    draft = open_filing(services, actor, "first_filing", "construction").filing
    with pytest.raises(Conflict):
        withdraw_filing(services, actor, draft.id)
    services.filings[draft.id].status = FilingStatus.SUBMITTED
    withdrawn = withdraw_filing(services, actor, draft.id)
    assert withdrawn.status == FilingStatus.WITHDRAWN
    assert [e.to_status for e in withdrawn.events] == [FilingStatus.DRAFT, FilingStatus.WITHDRAWN]
    with pytest.raises(Conflict):
        save_section(services, actor, draft.id, "basic_info", {"contact_name": "赵报送"}, withdrawn.etag)
