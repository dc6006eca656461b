"""The words of a claim's decision, as a mail to the student (sent by
:mod:`tracker.service.mail`, the one mail path)."""

from __future__ import annotations

from tracker.service.claims import Decision
from tracker.service.mail import Letter
from tracker.vocabulary import ClaimStatus


def decision_letter(decision: Decision, claims_page: str | None) -> Letter | None:
    """The mail telling the student; None when they have no address on record."""
    claim = decision.claim
    if not decision.email:
        return None
    what = f"{claim.title} ({claim.kind}, {claim.date:%d %B %Y})"
    if claim.status == ClaimStatus.APPROVED:
        subject = "Your claim was approved"
        said = (f"your claim of {what} was approved by {claim.decided_by}: it now counts "
                "towards your requirements like any activity you attended.")
        if claim.reason:
            said += f"\n\nTheir note: {claim.reason}"
    else:
        subject = "Your claim was not approved"
        said = (f"your claim of {what} was not approved by {claim.decided_by}.\n\n"
                f"The reason: {claim.reason}")
    where = f"\n\nYour claims: {claims_page}\n" if claims_page else "\n"
    text = (f"Hello {claim.name},\n\n{said[0].upper()}{said[1:]}{where}\n"
            "This message was sent by the career-orientation tracker.\n")
    return Letter(claim.name, decision.email, subject, text,
                  file_stem=f"claim-{claim.id}-{claim.status}")
