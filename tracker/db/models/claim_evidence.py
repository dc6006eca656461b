"""A claim's evidence: its own module, because only submitting, deciding, downloading and
erasing a claim need it (reading claims, as progress does, never touches the bytes)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.models.base import Base
from tracker.db.models.claim import Claim


class ClaimEvidence(Base):
    """A claim's file, as sent: its name (for the download), the type its content was
    recognised as, and the bytes."""

    __tablename__ = "claim_evidence"

    claim_id: Mapped[int] = mapped_column(ForeignKey(Claim.id, ondelete="CASCADE"),
                                          primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column()
    content: Mapped[bytes] = mapped_column(LargeBinary)
