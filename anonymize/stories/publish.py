"""All stories in, publishable stories out: validated, consent-gated, withheld, checked.

``load_exhibition`` is the one entry point: it reads every story, reports every problem of the
run together (``InputErrors``, exit 2), and returns what may be published and what may not, with
the reason. The text it returns is already redacted; the original text and the redact lists stay
here.
"""

from __future__ import annotations

import datetime as dt
import html.parser
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import markdown

from anonymize.config import StorySettings
from anonymize.errors import InputError, InputErrors, display_path
from anonymize.image.plan import RegionRequest
from anonymize.image.regions import Polygon
from anonymize.stories.consent import ConsentDecision, consent_as_of
from anonymize.stories.load import StoryFile, read_story
from anonymize.stories.schema import STORY_FIELDS, Consent, Fields, FrontMatter, read_consent, read_front_matter
from anonymize.stories.text import (
    MESSENGER_SCHEMES,
    Redacted,
    Redactor,
    allowed,
    find_contacts,
    folded,
    withheld_mark,
    without_marks,
)

#: Tags a testimony may render to: what Markdown makes of prose. Pictures go under ``photos:``.
TESTIMONY_TAGS = frozenset(
    {"p", "br", "hr", "em", "strong", "blockquote", "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6", "a", "code", "pre"}
)
#: Attributes a testimony's tags may carry; ``style``, ``class`` and event handlers would reach
#: the page's look and behaviour.
TESTIMONY_ATTRIBUTES = frozenset({"href", "title"})
#: A link may go to a web page or stay on the site; mailto:, tel: and friends are contact details
#: (found, and allowed or not, like any other); javascript:, data: and file: are refused.
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_LINK_SCHEMES = frozenset({"http", "https", *MESSENGER_SCHEMES})


@dataclass(frozen=True)
class PublishablePhoto:
    """A portrait cleared for publication, with its redacted text and manual regions."""

    source: Path  # the original: read, never written
    #: As the story names it, relative to the photos folder. Never published: file names are
    #: often people's names; published pictures are named after their content.
    file: str
    alt: str
    caption: str | None
    regions: tuple[RegionRequest, ...]
    #: Shown before the picture, which is then only shown on request.
    content_warnings: tuple[str, ...] = ()
    #: ``keep`` or ``blur`` what is behind the people; None: the project's setting.
    background: str | None = None
    #: Polygons round the people, drawn in the story, instead of the person model's mask.
    subject: tuple[Polygon, ...] = ()


@dataclass(frozen=True)
class AllowedContact:
    """A contact detail found in a story and published because its author allowed it."""

    field: str  # where: "testimony, line 12, column 4", "title, column 3"
    kind: str
    text: str


@dataclass(frozen=True)
class PublishableStory:
    """What of one story may be published, its text already redacted.

    ``title``, ``alt`` and captions are plain text: a page shows them escaped, never rendered as
    Markdown or HTML (only the testimony is rendered, and checked as rendered).
    """

    #: The file name without ``.md``, how curators name the story. Never published (it may be
    #: a real name); pages are named after the pseudonym.
    slug: str
    path: Path
    pseudonym: str
    title: str | None
    language: str
    testimony: str | None  # Markdown; None without consent to publish it
    photos: tuple[PublishablePhoto, ...]
    content_warnings: tuple[str, ...]
    consent: Consent
    #: The testimony as rendered and checked (``render_testimony``): what a page shows.
    testimony_html: str | None = None
    excerpt: str | None = None
    #: How many times each listed term was withheld. It names the people: for the local
    #: curator report only, never for anything published.
    withheld: Mapping[str, int] = field(default_factory=dict)
    #: The forms each term was found in ("Аргуне" for "Аргун"), for the same report.
    withheld_forms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Contact details the author allowed, published as written: for the curator to confirm.
    findings: tuple[AllowedContact, ...] = ()


@dataclass(frozen=True)
class Exclusion:
    """Something a story holds that is not published, and why."""

    slug: str
    path: Path
    part: str  # "story", "testimony" or "photo FILE"
    reason: str


@dataclass(frozen=True)
class Exhibition:
    """The publishable stories as of a date, and everything left out."""

    as_of: dt.date
    stories: tuple[PublishableStory, ...]
    exclusions: tuple[Exclusion, ...]


def story_files(stories_dir: Path) -> list[Path]:
    """The story files of a folder: ``*.md``, except names starting with ``_`` or ``.``."""
    return sorted(p for p in stories_dir.glob("*.md") if not p.name.startswith(("_", ".")) and p.is_file())


def load_exhibition(settings: StorySettings, as_of: dt.date | None = None) -> Exhibition:
    """Load every story of ``settings.stories_dir`` as of a day (default: today).

    Raise ``InputErrors`` with every problem found, in every story, when there is any.
    """
    as_of = as_of or dt.date.today()
    problems: list[InputError] = []
    project_terms = _project_terms(settings, problems)
    if not settings.stories_dir.is_dir():
        problems.append(InputError(settings.stories_dir, "no such folder of stories"))
        raise InputErrors(problems)

    stories: list[_Story] = []
    for path in story_files(settings.stories_dir):
        try:
            story = _Story.read(read_story(path), settings, as_of)
        except InputError as err:
            problems.append(err)
            continue
        stories.append(story)

    refused = {photo: story for story in stories for photo in story.refused_photos()}
    published: list[PublishableStory] = []
    exclusions: list[Exclusion] = []
    pseudonyms: dict[str, _Story] = {}
    for story in stories:
        exclusions.extend(story.exclusions())
        if story.front is None or not story.decision.in_force:
            continue
        other = pseudonyms.setdefault(folded(story.front.pseudonym), story)
        if other is not story:
            story.problem("pseudonym", f"already used by {display_path(other.file.path)}")
        result = story.publish(settings, project_terms, refused)
        if result is None:
            continue
        if result.testimony is None and not result.photos:
            exclusions.append(story.excluded("story", "nothing left to publish"))
        else:
            published.append(result)
        exclusions.extend(story.late_exclusions)
    problems.extend(problem for story in stories for problem in story.problems)
    if problems:
        # Project settings first, then file by file, each file's problems in the order found.
        problems.sort(key=lambda p: (p.path != settings.config_file, str(p.path)))
        raise InputErrors(problems)
    return Exhibition(as_of, tuple(published), tuple(exclusions))


def every_redact_term(settings: StorySettings) -> list[str]:
    """Every term the project and any of its stories withholds, consent or not, read leniently.

    For checking a built site: a withdrawn story's names must not appear either, and a story too
    broken to load still says what it wants withheld.
    """
    terms = [term for term in settings.redact if isinstance(term, str) and term.strip()]
    for path in story_files(settings.stories_dir) if settings.stories_dir.is_dir() else []:
        try:
            data = read_story(path).data
        except InputError:
            continue
        listed = data.get("redact") if isinstance(data, dict) else None
        terms += [term for term in listed if isinstance(term, str) and term.strip()] if isinstance(listed, list) else []
    return list(dict.fromkeys(terms))


def _project_terms(settings: StorySettings, problems: list[InputError]) -> dict[str, str]:
    """Project-wide terms, each with how a message names it (never the term itself)."""
    fields = Fields()
    terms = fields.terms(list(settings.redact), "redact")
    source = settings.config_file or Path("mkdocs.yml")
    problems.extend(InputError(source, f"plugins.anonymize.{name}: {message}") for name, message in fields.problems)
    return {term: f"redact item {i + 1} of {display_path(source)}" for i, term in enumerate(terms)}


class _Story:
    """One story on its way from file to publishable story, collecting its problems."""

    def __init__(self, file: StoryFile, photos_dir: Path, consent: Consent | None, decision: ConsentDecision) -> None:
        self.file = file
        self.photos_dir = photos_dir
        self.consent = consent
        self.decision = decision
        self.front: FrontMatter | None = None
        #: Each photo's original, resolved once when its path was checked.
        self.sources: dict[int, Path] = {}
        self.problems: list[InputError] = []
        self.late_exclusions: list[Exclusion] = []
        self.findings: list[AllowedContact] = []

    @classmethod
    def read(cls, file: StoryFile, settings: StorySettings, as_of: dt.date) -> _Story:
        """Check consent first: a story without consent in force needs nothing else to be valid.

        A person who withdraws may ask for their photos to be deleted; the story file that says
        so must not then fail the build for naming missing photos.
        """
        if not isinstance(file.data, dict):
            raise InputError(file.path, f"front matter: expected a mapping of {', '.join(STORY_FIELDS)}")
        fields = Fields()
        consent = read_consent(fields, file.data["consent"]) if "consent" in file.data else None
        if "consent" not in file.data:
            fields.problem("consent", "missing (required)")
        decision = (
            consent_as_of(consent, as_of)
            if consent is not None
            else ConsentDecision(as_of, "no valid consent", None, None)
        )
        story = cls(file, settings.photos_dir, consent, decision)
        if consent is not None and not decision.in_force:
            return story
        fields.mapping(file.data, "", STORY_FIELDS)
        if consent is not None:
            story.front = read_front_matter(fields, file.data, consent)
        else:
            read_front_matter(fields, file.data, Consent(False, False, as_of))  # for its problems only
        for name, message in fields.problems:
            story.problem(name, message)
        if story.front is not None and decision.portrait is None:
            story._check_photo_files()
        return story

    def problem(self, field: str, message: str) -> None:
        self.problems.append(InputError(self.file.path, f"{field}: {message}"))

    def excluded(self, part: str, reason: str) -> Exclusion:
        return Exclusion(self.file.slug, self.file.path, part, reason)

    def exclusions(self) -> Iterator[Exclusion]:
        if self.decision.story is not None:
            if self.consent is not None:
                yield self.excluded("story", self.decision.story)
            return
        if self.front is None:
            return
        if self.decision.testimony is not None:
            yield self.excluded("testimony", self.decision.testimony)
        if self.decision.portrait is not None:
            for photo in self.front.photos:
                yield self.excluded(f"photo {photo.file}", self.decision.portrait)

    def refused_photos(self) -> Iterator[Path]:
        """Photos this story may not publish (read leniently: the story may be invalid)."""
        if self.decision.portrait is None and self.decision.story is None:
            return
        data = self.file.data if isinstance(self.file.data, dict) else {}
        photos = data.get("photos")
        for item in photos if isinstance(photos, list) else []:
            if isinstance(item, dict) and isinstance(item.get("file"), str) and _usable_path(item["file"]):
                yield _resolved(self.photos_dir, item["file"])

    def _check_photo_files(self) -> None:
        assert self.front is not None
        photos_dir = self.photos_dir
        root = photos_dir.resolve()
        seen: dict[Path, int] = {}
        for i, photo in enumerate(self.front.photos):
            name = f"photos[{i}].file"
            posix = PurePosixPath(photo.file)
            if not _usable_path(photo.file):
                self.problem(name, "contains a control character")
                continue
            if posix.is_absolute() or "\\" in photo.file or ":" in photo.file:
                self.problem(name, f"must be a path inside {display_path(photos_dir)}/, got {photo.file!r}")
                continue
            resolved = _resolved(photos_dir, photo.file)
            if ".." in posix.parts or not resolved.is_relative_to(root):
                self.problem(name, f"leaves {display_path(photos_dir)}/: {photo.file!r}")
            elif not resolved.is_file():
                self.problem(name, f"no such file in {display_path(photos_dir)}/: {photo.file!r}")
            elif resolved in seen:
                self.problem(name, f"already listed as photos[{seen[resolved]}]")
            else:
                seen[resolved] = i
                self.sources[i] = resolved

    def publish(
        self, settings: StorySettings, project_terms: Mapping[str, str], refused: Mapping[Path, _Story]
    ) -> PublishableStory | None:
        """Withhold every term, then look for what must not be published; None on problems."""
        front = self.front
        assert front is not None
        if self.problems:
            return None
        labels = {term: f"redact item {i + 1}" for i, term in enumerate(front.redact)} | dict(project_terms)
        redactor = Redactor(labels)
        language = front.language or settings.language
        if redactor.find(front.pseudonym):
            self.problem("pseudonym", "matches a redact term: the pseudonym is published as written; choose another")
        withheld: Counter[str] = Counter()
        forms: dict[str, dict[str, None]] = {}

        def count(redacted: Redacted) -> None:
            withheld.update(redacted.counts())
            for r in redacted.replacements:
                forms.setdefault(r.term, {})[redacted.original[r.start : r.end]] = None

        def plain(text: str | None, name: str) -> str | None:
            if text is None:
                return None
            redacted = redactor.redact(text, withheld_mark(language))
            count(redacted)
            self._contacts(redacted.text, name, front.allow, lambda offset: f"column {offset + 1}")
            return redacted.text

        title = plain(front.title, "title")
        excerpt = plain(front.excerpt, "excerpt")
        self._contacts(front.pseudonym, "pseudonym", front.allow, lambda offset: f"column {offset + 1}")
        warnings = tuple(plain(w, f"content_warnings[{i}]") or "" for i, w in enumerate(front.content_warnings))
        photos = []
        if self.decision.portrait is None:
            for i, photo in enumerate(front.photos):
                source = self.sources[i]
                if source in refused:
                    other = refused[source]
                    reason = other.decision.story or other.decision.portrait
                    self.late_exclusions.append(
                        self.excluded(f"photo {photo.file}", f"also in {display_path(other.file.path)}: {reason}")
                    )
                    continue
                requests = tuple(
                    RegionRequest(entry.region, entry.reason, f"{display_path(self.file.path)} photos[{i}]")
                    for entry in photo.regions
                )
                alt = plain(photo.alt, f"photos[{i}].alt") or ""
                caption = plain(photo.caption, f"photos[{i}].caption")
                photo_warnings = tuple(
                    plain(w, f"photos[{i}].content_warnings[{j}]") or "" for j, w in enumerate(photo.content_warnings)
                )
                photos.append(
                    PublishablePhoto(
                        source, photo.file, alt, caption, requests, photo_warnings, photo.background, photo.subject
                    )
                )
        testimony = testimony_html = None
        if self.decision.testimony is None:
            testimony, testimony_html = self._testimony(redactor, labels, language, front.allow, count)
        if self.problems:
            return None
        return PublishableStory(
            slug=self.file.slug,
            path=self.file.path,
            pseudonym=front.pseudonym,
            title=title,
            language=language,
            testimony=testimony,
            photos=tuple(photos),
            content_warnings=warnings,
            consent=front.consent,
            testimony_html=testimony_html,
            excerpt=excerpt,
            withheld=dict(withheld),
            withheld_forms={term: tuple(found) for term, found in forms.items()},
            findings=tuple(self.findings),
        )

    def _testimony(
        self,
        redactor: Redactor,
        labels: Mapping[str, str],
        language: str,
        allow: Sequence[str],
        count: Callable[[Redacted], None],
    ) -> tuple[str, str]:
        """The redacted testimony, as Markdown and as rendered HTML."""
        body = self.file.body
        redacted = redactor.redact(body, withheld_mark(language, markdown=True))
        count(redacted)

        def where(offset: int) -> str:
            original = redacted.original_offset(offset)
            line = body.count("\n", 0, original)
            column = original - (body.rfind("\n", 0, original) + 1)
            return f"line {self.file.body_line + line}, column {column + 1}"

        found = self._contacts(redacted.text, "testimony", allow, where)
        rendered = self._check_rendered(redacted.text, redactor, labels, allow, found)
        return redacted.text, rendered

    def _contacts(self, text: str, name: str, allow: Sequence[str], where: Callable[[int], str]) -> set[str]:
        """Record a problem for each contact detail not allowed; return the folded ones found."""
        found = set()
        for contact in find_contacts(text):
            found.add(folded(contact.text))
            if allowed(contact, allow):
                self.findings.append(AllowedContact(f"{name}, {where(contact.start)}", contact.kind, contact.text))
            else:
                self.problem(
                    f"{name}, {where(contact.start)}",
                    f"{contact.kind} ({len(contact.text)} characters): add it to 'redact' to withhold it "
                    "or to 'allow' to publish it",
                )
        return found

    def _check_rendered(
        self, text: str, redactor: Redactor, labels: Mapping[str, str], allow: Sequence[str], found: set[str]
    ) -> str:
        """Render the redacted testimony and read it back as a visitor and a search index would.

        Markup inside a word (``Zelim**khan**``) or an entity (``&#90;elimkhan``) hides a term
        from the source but not from the page. Returns the HTML that was checked.
        """
        page = _Rendered()
        try:
            rendered = render_testimony(text)
            page.feed(rendered)
        except RecursionError:
            self.problem("testimony", "nested too deeply to render (lists or quotes hundreds of levels deep)")
            return ""
        page.close()
        for tag in sorted(page.refused_tags):
            self.problem("testimony", f"<{tag}> is not allowed in a testimony (pictures go under 'photos:')")
        for attribute in sorted(page.refused_attributes):
            self.problem("testimony", f"the HTML attribute {attribute!r} is not allowed in a testimony")
        for link in sorted(page.refused_links):
            self.problem("testimony", f"a link of this kind is not allowed: {link[:40]!r}")
        readable = without_marks(page.text())
        for survivor in redactor.find(readable):
            self.problem(
                "testimony",
                f"{labels.get(survivor.term, 'a redact term')} survives in the rendered text "
                "(Markdown or an HTML entity inside the word?)",
            )
        for contact in find_contacts(readable):
            if folded(contact.text) not in found and not allowed(contact, allow):
                self.problem("testimony", f"{contact.kind} in the rendered text (hidden by Markdown or an HTML entity)")
        return rendered


def render_testimony(text: str) -> str:
    """Render testimony Markdown to HTML: the one rendering that is both checked and published."""
    return markdown.markdown(text, output_format="html")


def _usable_path(file: str) -> bool:
    return not any(unicodedata.category(c) == "Cc" for c in file)


def _resolved(photos_dir: Path, file: str) -> Path:
    return Path(os.path.realpath(photos_dir / file))


class _Rendered(html.parser.HTMLParser):
    """Text and attribute values of rendered HTML, and any tag or link a testimony may not hold."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.refused_tags: set[str] = set()
        self.refused_links: set[str] = set()
        self.refused_attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TESTIMONY_TAGS:
            self.refused_tags.add(tag)
        for name, value in attrs:
            if name not in TESTIMONY_ATTRIBUTES:
                self.refused_attributes.add(name)
            if value is None:
                continue
            self.parts.append(f" {value} ")
            # Browsers drop tabs and newlines from a URL and trim controls and spaces around it:
            # "java&#9;script:" is "javascript:" to them.
            url = re.sub(r"[\t\n\r]", "", value).strip("".join(map(chr, range(33))))
            scheme = _SCHEME.match(url)
            if name == "href" and scheme is not None and scheme.group(1).lower() not in _LINK_SCHEMES:
                self.refused_links.add(value)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def text(self) -> str:
        return "".join(self.parts)
