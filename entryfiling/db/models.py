"""SQLAlchemy 2 models. The schema itself is owned by the Alembic migrations beside this file."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on SQLite (which drops tzinfo) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        # Always UTC on the wire: SQLite compares these as text, so offsets must not vary.
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Enterprise(Base):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    enterprise_type: Mapped[str | None] = mapped_column(String(32))
    # The approved state of the enterprise: section key -> section values (ID numbers sealed).
    filed_record: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    filed_at: Mapped[datetime | None]
    publicity_until: Mapped[date | None] = mapped_column(Date)
    certificate_serial: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Person(Base):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    id_number_sealed: Mapped[str] = mapped_column(Text)
    # HMAC of the ID number: uniqueness and look-up without decrypting.
    id_number_index: Mapped[str] = mapped_column(String(64), unique=True)
    verified_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    employments: Mapped[list[Employment]] = relationship(back_populates="person")


class Employment(Base):
    __tablename__ = "employments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    role: Mapped[str] = mapped_column(String(32), default="employee")
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    # Who ended it (enterprise or person), for the history both sides see.
    ended_by: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    person: Mapped[Person] = relationship(back_populates="employments")


class Filing(Base):
    __tablename__ = "filings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    business: Mapped[str] = mapped_column(String(64), index=True)
    enterprise_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32), index=True)
    # Draft values per section (ID numbers sealed); a key is present once the section was saved.
    sections: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    agreed: Mapped[bool] = mapped_column(Boolean, default=False)
    signed_letter_id: Mapped[str | None] = mapped_column(String(36))
    rule_results: Mapped[list[Any]] = mapped_column(JSON, default=list)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_by: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    submitted_by: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    # What approval changed in the filed record: a before/after list (ID numbers masked).
    record_changes: Mapped[list[Any] | None] = mapped_column(JSON)
    # The rejected or withdrawn filing this draft was copied from.
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("filings.id", name="fk_filings_copied_from_id"))

    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="filing", order_by="Attachment.created_at", cascade="all, delete-orphan"
    )
    events: Mapped[list[FilingEvent]] = relationship(
        back_populates="filing", order_by="FilingEvent.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it from the class)


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255))
    uploaded_by: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    # A PDF the server assembled from photos of the pages: each original's name, type, size and SHA-256.
    source_pages: Mapped[list[Any] | None] = mapped_column(JSON)
    # A signed letter's reading at upload (entryfiling.integrations.letter_reading.kept_reading):
    # readable or not and the filings it names, for the file of this content hash and that reader.
    letter_reading: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    filing: Mapped[Filing] = relationship(back_populates="attachments")


class FilingConversation(Base):
    """What a conversation about a draft remembers between messages (domain.conversation.State)."""

    __tablename__ = "filing_conversations"

    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]


class FilingEvent(Base):
    """Status history of a filing, shown to the user with timestamps."""

    __tablename__ = "filing_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    actor: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[list[Any]] = mapped_column(JSON, default=list)
    at: Mapped[datetime]

    filing: Mapped[Filing] = relationship(back_populates="events")


class AuditEvent(Base):
    """Who did what, when, from where, and with what result: every state change, every
    authentication attempt and every denial. Rows are never updated (a database trigger refuses
    it); only the retention prune deletes them."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    actor_type: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(200))
    enterprise_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # success / failure (an authentication that failed) / denied (a request refused access).
    result: Mapped[str] = mapped_column(String(16), default="success", server_default="success", index=True)
    # The client address (as ProxyFix with TRUSTED_PROXY_HOPS resolves it); none for jobs.
    source_address: Mapped[str | None] = mapped_column(String(64))


class PublicEntry(Base):
    """The public register (公示): what anyone may see of a filed enterprise, refreshed at each approval.

    Kept apart from the filed record so the register never shows an ID number and can be searched
    with plain LIKE on every database (the record is JSON with escaped non-ASCII text).
    """

    __tablename__ = "public_register"

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    enterprise_type: Mapped[str | None] = mapped_column(String(32), index=True)
    # Qualification names, one per line, for the qualification search.
    qualification_names: Mapped[str] = mapped_column(Text, default="")
    entry: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    filed_at: Mapped[datetime]
    publicity_until: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime]

    # Pages of one type walk this index. On PostgreSQL, migration 0010_perf adds GIN indexes for the
    # substring searches of name and qualification_names (pg_trgm and register_grams).
    __table_args__ = (Index("ix_public_register_type_name", "enterprise_type", "name", "enterprise_id"),)


class AuthChallenge(Base):
    """Login nonces: single use, expiring, shared by every process through the database."""

    __tablename__ = "auth_challenges"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(200))
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class RateLimitBucket(Base):
    __tablename__ = "rate_limit_buckets"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class BackgroundJob(Base):
    """A background job's state, kept in the database so that its status reads the same whether
    it ran on an RQ worker or in-process. ``active_key`` is set while the job is queued or running
    and is unique: a second start of the same sync for the same enterprise finds the running one."""

    __tablename__ = "background_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    filing_id: Mapped[int | None] = mapped_column(Integer)
    active_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    # What the job saw before its first attempt: retries report against it, not against
    # the half-done state a killed attempt left behind.
    baseline: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]


class SyncBaseline(Base):
    """What one person held when a certificate sync first wrote their batch: a retry reports against it."""

    __tablename__ = "sync_baselines"

    job_id: Mapped[str] = mapped_column(ForeignKey("background_jobs.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # certificate key ("type|number") -> fingerprint of its values
    held: Mapped[dict[str, Any]] = mapped_column(JSON)


class PersonCertificate(Base):
    """A person's registered certificate as last synced from the national registry."""

    __tablename__ = "person_certificates"
    __table_args__ = (UniqueConstraint("person_id", "certificate_type", "certificate_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    certificate_type: Mapped[str] = mapped_column(String(64))
    certificate_number: Mapped[str] = mapped_column(String(64))
    specialty: Mapped[str] = mapped_column(String(100), default="")
    registered_enterprise_name: Mapped[str] = mapped_column(String(200), default="")
    registered_enterprise_uscc: Mapped[str] = mapped_column(String(18), default="")
    issued_on: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    synced_at: Mapped[datetime]


# ---------------------------------------------------------------------------- mini-program


class KeyValue(Base):
    """Small shared values with an expiry (the WeChat access token when Redis is not configured)."""

    __tablename__ = "key_values"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    expires_at: Mapped[datetime | None]


class WeChatUser(Base):
    """A mini-program user (openid of our appid); bound to at most one verified person."""

    __tablename__ = "wechat_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    openid: Mapped[str] = mapped_column(String(128), unique=True)
    unionid: Mapped[str | None] = mapped_column(String(128), index=True)
    # Needed to decrypt data the mini-program forwards; sealed, and never sent to any client.
    session_key_sealed: Mapped[str | None] = mapped_column(Text)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime]


class IdentityVerification(Base):
    """One real-name verification attempt and its evidence (provider, out_seq_no, verify_id, result)."""

    __tablename__ = "identity_verifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wechat_user_id: Mapped[int] = mapped_column(ForeignKey("wechat_users.id"), index=True)
    provider: Mapped[str] = mapped_column(String(32))
    out_seq_no: Mapped[str] = mapped_column(String(32), unique=True)
    verify_id: Mapped[str] = mapped_column(String(256), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    id_number_sealed: Mapped[str] = mapped_column(Text)
    id_number_index: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    result_code: Mapped[int | None] = mapped_column(Integer)
    result_detail: Mapped[str | None] = mapped_column(String(200))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]


class EmploymentInvitation(Base):
    """An enterprise's offer of employment (employee or filing contact), accepted once by a person."""

    __tablename__ = "employment_invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    note: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    employment_id: Mapped[int | None] = mapped_column(ForeignKey("employments.id"))
    revoked_at: Mapped[datetime | None]


class SubscriptionQuota(Base):
    """One-time subscribe-message consents left per WeChat user and template."""

    __tablename__ = "subscription_quotas"
    __table_args__ = (UniqueConstraint("wechat_user_id", "template_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wechat_user_id: Mapped[int] = mapped_column(ForeignKey("wechat_users.id"), index=True)
    template_id: Mapped[str] = mapped_column(String(128))
    remaining: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]


# ---------------------------------------------------------------------------- notifications, review


class Notification(Base):
    """One notice to one mini-program user: the outbox row of its WeChat push and its inbox entry.

    ``key`` is unique per event and recipient (``result:{filing}:{status}:u{user}``,
    ``reminder:{enterprise}:{item}:{valid_until}:{threshold}:u{user}``), so a decision or a
    reminder is recorded once however often the code that records it runs. The push claims the
    row (pending/retrying → sending) before calling WeChat, so it is sent at most once.
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    wechat_user_id: Mapped[int] = mapped_column(ForeignKey("wechat_users.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    filing_id: Mapped[int | None] = mapped_column(ForeignKey("filings.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    template_id: Mapped[str] = mapped_column(String(128))
    page: Mapped[str | None] = mapped_column(String(255))
    # The subscribe message's ``data``, already fitted to WeChat's limits.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_errcode: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(300))
    next_attempt_at: Mapped[datetime | None]
    msgid: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]


class Regulator(Base):
    """A regulator's account (主管部门审核人员): password hashed with werkzeug.security (scrypt)."""

    __tablename__ = "regulators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Tokens issued before this moment are refused (password change, deactivation).
    tokens_valid_after: Mapped[datetime]
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]


# ---------------------------------------------------------------------------- security


class AuthSession(Base):
    """A bearer token's server-side session: revocable (logout, role ended) and, for regulators, idle-limited."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    audience: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (Index("ix_auth_sessions_subject", "audience", "subject"),)


class LoginFailure(Base):
    """One failed authentication, counted per identity and per source address."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]

    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)


class LoginLock(Base):
    """An identity or source locked out after too many failures, until ``locked_until``."""

    __tablename__ = "login_locks"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    locked_until: Mapped[datetime]


class AnswerVersion(Base):
    """How often what the filing answers show has changed, per scope: an enterprise's id for its
    filings, their attachments and events; PERSONS_SCOPE for persons (a filing shows those it chose).
    Written only by the database's triggers (migration 0015_answer_versions), in the transaction of
    the change; read with the session check to key the answer cache (entryfiling/http/answer_cache.py)."""

    __tablename__ = "answer_versions"

    scope: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)


#: AnswerVersion.scope of the persons (enterprise ids start at 1).
PERSONS_SCOPE = 0
