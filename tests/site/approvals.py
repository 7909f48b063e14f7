"""Approve a fixture project's stories as a curator would: a draft build, then each one approved."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from anonymize.report.write import REPORT_JSON
from anonymize.review import APPROVED, Reviews, State, record_decision
from anonymize.site.build import build_site
from tests.stories.project import AS_OF


def approve_all(config_file: Path, as_of: dt.date = AS_OF) -> list[str]:
    """Approve every story waiting for review; return their names."""
    result = build_site(config_file, as_of, draft=True)
    project = result.project
    reviews = Reviews.load(project.reviews_file)
    waiting = [entry.slug for entry in result.report_stories if entry.status.state == State.NEEDS_REVIEW]
    for slug in waiting:
        record_decision(project.root, project.reports_dir / REPORT_JSON, reviews, slug, APPROVED, as_of, "Test curator")
    return waiting
