"""What the studio does, without the web: the same library calls as ``anonymize review``,
``approve`` and ``reject``, and the story edits of ``anonymize.stories.edit``.

The studio shows what the last draft build wrote into the curator report (``reports/report.json``,
the source of truth), and after every change builds the draft again: the cache makes the photos
that did not change free. Nothing here writes pixels to disk but that build: an original is
decoded, scaled and encoded in memory when a person asks to see it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup, escape

from anonymize.errors import AnonymizeError, InputError, printable, printed
from anonymize.progress import Progress, Quiet
from anonymize.report.write import PICTURES, REPORT_JSON, original_picture
from anonymize.review import Reviews, record_decision
from anonymize.site.build import build_site
from anonymize.site.project import load_project
from anonymize.stories.edit import Edit, StaleStory, edit_story, story_sha256
from anonymize.stories.load import read_story
from anonymize.stories.names import likely_names
from anonymize.stories.publish import every_redact_term, story_files
from anonymize.stories.text import Redactor

#: A story's name as curators use it (its file name without .md): no folders, no dots first.
STORY_NAME = re.compile(r"[^/\\\x00-\x1f.][^/\\\x00-\x1f]{0,200}")
#: The report's pictures are named by their content.
PICTURE_NAME = re.compile(r"[0-9a-f]{8,64}\.(?:jpg|png|webp)")


@dataclass(frozen=True)
class Notice:
    """What the last change to a story did, shown once on its page."""

    text: str
    ok: bool


@dataclass
class Studio:
    """One project, as the studio shows and changes it."""

    config_file: Path
    as_of: dt.date | None = None
    progress: Progress = field(default_factory=Quiet)
    #: Every line of the last build's failure (empty: the last build succeeded).
    failure: list[str] = field(default_factory=list)
    notices: dict[str, Notice] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self.config_file = self.config_file.resolve()
        self.project = load_project(self.config_file)

    # -- reading --------------------------------------------------------------------------

    @property
    def report_file(self) -> Path:
        return self.project.reports_dir / REPORT_JSON

    def rebuild(self) -> None:
        """Build the draft and the report again, as ``anonymize review`` does."""
        with self._lock:
            try:
                build_site(self.config_file, self.as_of, draft=True, progress=self.progress)
            except AnonymizeError as err:
                self.failure = printed(err)
            else:
                self.failure = []

    def report(self) -> dict[str, object]:
        """The report the last build wrote (an empty one before the first)."""
        try:
            document = json.loads(self.report_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"stories": [], "failures": []}
        return document if isinstance(document, dict) else {"stories": [], "failures": []}

    def entry(self, story: str) -> dict[str, object] | None:
        stories = self.report().get("stories")
        for entry in stories if isinstance(stories, list) else []:
            if isinstance(entry, dict) and entry.get("story") == story:
                return entry
        return None

    def story_file(self, story: str) -> Path:
        """The story's file, refused when the name would lead outside the stories folder."""
        folder = self.project.stories.stories_dir.resolve()
        if not STORY_NAME.fullmatch(story):
            raise InputError(None, f"{printable(story, 60)!r} is not a story name")
        path = (folder / f"{story}.md").resolve()
        if path.parent != folder or not path.is_file():
            raise InputError(None, f"no story {printable(story, 60)!r} in {self.project.stories.stories_dir}")
        return path

    def version(self, story: str) -> str:
        return story_sha256(self.story_file(story))

    def picture(self, name: str) -> Path:
        """A picture of the report (redacted previews only), by its name."""
        folder = (self.project.reports_dir / PICTURES).resolve()
        if not PICTURE_NAME.fullmatch(name):
            raise InputError(None, "not a picture of the report")
        path = (folder / name).resolve()
        if path.parent != folder or not path.is_file():
            raise InputError(None, "no such picture in the report")
        return path

    def original(self, story: str, number: int) -> bytes:
        """Photo ``number`` (from 1) of ``story`` as photographed, upright, at the preview's size.

        Made in memory and never written: a person asked to see it, once.
        """
        entry = self.entry(story)
        photos = entry.get("photos") if entry else None
        if not isinstance(photos, list) or not 1 <= number <= len(photos):
            raise InputError(None, f"{story}: no photo {number}")
        photo = photos[number - 1]
        folder = self.project.stories.photos_dir.resolve()
        path = (folder / str(photo["file"])).resolve()
        if not path.is_relative_to(folder) or not path.is_file():
            raise InputError(None, f"{story}: photo {number} is not in the photos folder")
        width, height = photo["preview_size"]
        return original_picture(path, (int(width), int(height)), self.project.images)

    def pseudonyms(self) -> list[str]:
        """Every story's pseudonym (published names: never a name nobody listed)."""
        names = []
        for path in story_files(self.project.stories.stories_dir):
            try:
                data = read_story(path).data
            except InputError:
                continue
            if isinstance(data, dict) and isinstance(data.get("pseudonym"), str):
                names.append(data["pseudonym"])
        return names

    def testimony(self, story: str) -> Markup:
        """The testimony as written, each withheld term marked where it is."""
        file = read_story(self.story_file(story))
        labels = every_redact_term(self.project.stories)  # one list for the exhibition
        body = file.body
        marks = [
            (found.start, found.end, "", f"withheld: {found.term} ({labels.get(found.term, 'listed')})")
            for found in Redactor(labels).find(body)
        ]
        # Names nobody listed yet (the build stops on each): marked for the author to decide.
        data = file.data if isinstance(file.data, dict) else {}
        own = data.get("allow")
        allow = [t for t in (own if isinstance(own, list) else []) if isinstance(t, str)]
        allowed = Redactor([*allow, *self.project.stories.allow, *self.pseudonyms()]).find(body)
        for name in likely_names(body):
            if not any(s < name.end and name.start < e for s, e, *_ in marks) and not any(
                a.start < name.end and name.start < a.end for a in allowed
            ):
                note = f"looks like {name.kind} nobody listed: withhold it or publish it as written"
                marks.append((name.start, name.end, "unlisted", note))
        parts: list[str] = []
        position = 0
        for start, end, kind, note in sorted(marks):
            if start < position:
                continue
            parts.append(str(escape(body[position:start])))
            css = f' class="{kind}"' if kind else ""
            parts.append(f'<mark{css} title="{escape(note)}">{escape(body[start:end])}</mark>')
            position = end
        parts.append(str(escape(body[position:])))
        paragraphs = re.split(r"\n\s*\n", "".join(parts).strip())
        return Markup("\n".join(f"<p>{paragraph}</p>" for paragraph in paragraphs if paragraph.strip()))

    # -- changing -------------------------------------------------------------------------

    def change(self, story: str, edit: Edit, version: str) -> Notice:
        """Make ``edit`` to the story (as it was when shown) and build again."""
        with self._lock:
            try:
                edit_story(self.story_file(story), edit, version)
            except StaleStory as err:
                notice = Notice(f"{err} (the page now shows the file as it is)", False)
            except AnonymizeError as err:
                notice = Notice(str(err), False)
            else:
                notice = Notice(f"{edit.describe()}: written to the story", True)
            self.rebuild()
            if notice.ok and self.failure:
                notice = Notice(f"{edit.describe()}: written, but the build failed: {self.failure[-1]}", False)
            self.notices[story] = notice
            return notice

    def decide(self, story: str, decision: str, by: str | None, reason: str | None) -> Notice:
        """Approve or reject ``story`` as the report shows it: ``anonymize approve`` / ``reject``."""
        with self._lock:
            try:
                reviews = Reviews.load(self.project.reviews_file)
                recorded = record_decision(
                    self.project.root, self.report_file, reviews, story, decision, dt.date.today(), by, reason
                )
            except AnonymizeError as err:
                notice = Notice(str(err), False)
            else:
                notice = Notice(f"{recorded.describe()} (fingerprint {recorded.fingerprint.digest[:16]})", True)
            self.rebuild()
            self.notices[story] = notice
            return notice

    def notice(self, story: str) -> Notice | None:
        """The last change's notice, once."""
        return self.notices.pop(story, None)
