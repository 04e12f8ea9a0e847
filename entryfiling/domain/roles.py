"""The roles a person can hold with an enterprise, what each lets them do, and what a change of
role takes away: a change that takes something away is confirmed by the person first."""

from __future__ import annotations

from dataclasses import dataclass

EMPLOYEE = "employee"
FILING_CONTACT = "filing_contact"

ROLE_LABELS = {EMPLOYEE: "员工", FILING_CONTACT: "报送联系人（可在小程序为企业办理报送）"}
SHORT_ROLE_LABELS = {EMPLOYEE: "员工", FILING_CONTACT: "报送联系人"}

# What holding a role lets a person do. A filing contact is employed too: both can be chosen in
# the enterprise's filings; only a contact files for it from the phone.
CAN_BE_CHOSEN = "可被选为本企业报送中的人员（进疆负责人等）"
CAN_FILE = "可在小程序为本企业办理报送"
ABILITIES = {EMPLOYEE: (CAN_BE_CHOSEN,), FILING_CONTACT: (CAN_BE_CHOSEN, CAN_FILE)}


@dataclass(frozen=True)
class RoleChange:
    """What accepting an invitation for ``invited`` does to the role ``current`` (None: no role yet)."""

    current: str | None
    invited: str

    @property
    def replaces(self) -> bool:
        return self.current is not None and self.current != self.invited

    @property
    def lost(self) -> tuple[str, ...]:
        """Abilities the person has now and would not have after accepting."""
        if self.current is None:
            return ()
        kept = set(ABILITIES[self.invited])
        return tuple(a for a in ABILITIES[self.current] if a not in kept)

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.lost)
