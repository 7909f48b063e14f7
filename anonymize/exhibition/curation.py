"""Each story's status under the curators' decisions, and the stories a build publishes."""

from __future__ import annotations

from dataclasses import dataclass

from anonymize.config import ImageSettings
from anonymize.exhibition.pictures import Pictures
from anonymize.fingerprint import approval_settings, fingerprint
from anonymize.report.model import ReportStory
from anonymize.review import Reviews, State, Status, status
from anonymize.stories.model import Exhibition, PublishableStory


@dataclass(frozen=True)
class Curation:
    """Every loaded story with its status (as the report shows it), and those to publish."""

    entries: tuple[ReportStory, ...]
    publish: tuple[PublishableStory, ...]


def curate(
    exhibition: Exhibition, pictures: Pictures, reviews: Reviews, settings: ImageSettings, *, draft: bool = False
) -> Curation:
    """Each story's status under its last decision, with the fingerprint of what it would publish.

    Only approved stories whose fingerprint still holds are published; a ``draft`` publishes
    every story consent allows, whatever was decided, for review. A story with a photo that
    could not be made safe is never published.
    """
    failed = {f.story.path: f for f in pictures.failures}
    printed = approval_settings(settings)
    entries: list[ReportStory] = []
    publish: list[PublishableStory] = []
    for story in exhibition.stories:
        decision = reviews.get(story.slug)
        current = None
        if story.path in failed:
            state = Status(State.EXCLUDED, f"a photo could not be made safe to publish: {failed[story.path].line()}")
        else:
            current = fingerprint(story, [p.report for p in pictures.of(story)], printed)
            state = status(current, decision)
            if story.undecided:  # a draft's: the author decides before anyone approves
                words = (
                    "1 word looks like a name nobody listed: withhold it"
                    if story.undecided == 1
                    else f"{story.undecided} words look like names nobody listed: withhold each"
                )
                state = Status(State.NEEDS_REVIEW, f"{words} or publish it as written", state.changes)
        if state.state == State.PUBLISHED or (draft and story.path not in failed):
            publish.append(story)
        entries.append(ReportStory(story.slug, story.path, state, story, (), (), current, decision))
    return Curation(tuple(entries), tuple(publish))
