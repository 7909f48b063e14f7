"""The consent gate: what of a story may be published on a given day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from anonymize.stories.schema import Consent


@dataclass(frozen=True)
class ConsentDecision:
    """What may be published as of a date; each part refused carries the reason."""

    as_of: dt.date
    #: Why nothing at all may be published, or None when consent is in force.
    story: str | None
    testimony: str | None  # why the testimony may not be published
    portrait: str | None  # why the photos may not be published

    @property
    def in_force(self) -> bool:
        return self.story is None


def consent_as_of(consent: Consent, as_of: dt.date) -> ConsentDecision:
    """Apply ``consent`` on ``as_of``: withdrawn, not yet given or expired publishes nothing.

    Consent ends at the start of its ``expires`` day. A withdrawal counts whatever its date:
    once a person has withdrawn, nothing of their story is published, even as of an earlier day.
    """
    if consent.withdrawn is not None:
        return ConsentDecision(as_of, f"consent withdrawn on {consent.withdrawn}", None, None)
    if as_of < consent.given:
        return ConsentDecision(as_of, f"consent not given until {consent.given} (as of {as_of})", None, None)
    if consent.expires is not None and as_of >= consent.expires:
        return ConsentDecision(as_of, f"consent expired on {consent.expires} (as of {as_of})", None, None)
    if not consent.portrait and not consent.testimony:
        return ConsentDecision(as_of, "consent covers neither portrait nor testimony", None, None)
    return ConsentDecision(
        as_of,
        None,
        None if consent.testimony else "no consent to publish the testimony",
        None if consent.portrait else "no consent to publish portraits",
    )
