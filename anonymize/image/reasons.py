"""Why a region is redacted, in the words of the image package: what the detectors ask for.

A region a person asked for carries their own reason ("a house number", "name tag"); these are
the reasons of regions a detector asked for, read by the plan, the report and the fingerprint.
"""

from __future__ import annotations

FACE = "face"
POSSIBLE_FACE = "possible face"
TEXT = "text"
POSSIBLE_TEXT = "possible text"
#: Reasons of regions a detector asked for (the rest were asked for by a person).
DETECTED = (FACE, POSSIBLE_FACE, TEXT, POSSIBLE_TEXT)
#: Reasons of regions a person should look at: a detector was unsure.
REVIEW = (POSSIBLE_FACE, POSSIBLE_TEXT)
