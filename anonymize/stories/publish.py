"""All stories in, publishable stories out: validated, consent-gated, withheld, checked.

``load_exhibition`` is the one entry point: it reads every story, reports every problem of the
run together (``InputErrors``, exit 2), and returns what may be published and what may not, with
the reason. The text it returns is already redacted; the original text and the redact lists stay
here.
"""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath

from anonymize.config import StorySettings
from anonymize.errors import InputError, InputErrors, display_path
from anonymize.image.plan import KeepRequest, RegionRequest
from anonymize.stories.consent import ConsentDecision, consent_as_of
from anonymize.stories.load import StoryFile, read_story
from anonymize.stories.model import (
    UNDECIDED,
    AllowedContact,
    Exclusion,
    Exhibition,
    NameDecision,
    PublishablePhoto,
    PublishableStory,
)
from anonymize.stories.names import likely_names
from anonymize.stories.rendered import RenderedTestimony, render_testimony
from anonymize.stories.schema import STORY_FIELDS, Consent, Fields, FrontMatter, read_consent, read_front_matter
from anonymize.stories.text import (
    Redacted,
    Redactor,
    allowed,
    find_contacts,
    folded,
    term_problem,
    withheld_mark,
    without_marks,
)


def story_files(stories_dir: Path) -> list[Path]:
    """The story files of a folder: ``*.md``, except names starting with ``_`` or ``.``."""
    return sorted(p for p in stories_dir.glob("*.md") if not p.name.startswith(("_", ".")) and p.is_file())


def load_exhibition(settings: StorySettings, as_of: dt.date | None = None, *, draft: bool = False) -> Exhibition:
    """Load every story of ``settings.stories_dir`` as of a day (default: today).

    Raise ``InputErrors`` with every problem found, in every story, when there is any. A
    ``draft`` (for review) records a likely name nobody listed as undecided instead, so the
    author can see it in place and decide; it is never published that way.
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

    # One list for the exhibition: the project's terms, then every story's, consent or not.
    # (Read from the stories already loaded: each file that parses as a mapping, as the site check reads them.)
    listed = _redact_labels(settings, ((story.file.path, story.file.data) for story in stories))
    labels = project_terms | {t: where for t, where in listed.items() if t not in project_terms}
    redactor = Redactor(labels)
    # Names published on purpose: the project's allow list and every pseudonym (the name a person
    # chose to be shown under).
    chosen_names = Redactor([s.front.pseudonym for s in stories if s.front is not None])
    allow_everywhere = (settings.allow, chosen_names)
    refused = {photo: story for story in stories for photo in story.refused_photos()}
    published: list[PublishableStory] = []
    exclusions: list[Exclusion] = []
    pseudonyms: dict[str, _Story] = {}
    for story in stories:
        exclusions.extend(story.exclusions())
        if not story.decision.in_force:
            continue
        # Checked even when other fields are wrong: every problem of a story in one run.
        pseudonym = story.pseudonym
        other = pseudonyms.setdefault(folded(pseudonym), story) if pseudonym is not None else story
        if other is not story:
            story.problem("pseudonym", f"already used by {display_path(other.file.path)}")
        if story.front is None:
            continue
        result = story.publish(settings, redactor, labels, allow_everywhere, refused, draft=draft)
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


def _every_front_matter(settings: StorySettings) -> Iterator[tuple[Path, dict[str, object]]]:
    """The front matter of every story file that parses as a mapping, consent or not, whatever
    else is wrong with it: what the site check must hold a built site to."""
    for path in story_files(settings.stories_dir) if settings.stories_dir.is_dir() else []:
        try:
            data = read_story(path).data
        except InputError:
            continue
        if isinstance(data, dict):
            yield path, data


def every_redact_term(settings: StorySettings) -> dict[str, str]:
    """Every term the project and any of its stories withholds, consent or not, read leniently,
    each with where it is first listed ("redact item 2 of stories/amir.md"): what a message says
    in place of the term.

    One list for the whole exhibition: a name one story lists is withheld in every story (a
    brother's testimony names him too), and a withdrawn story's names stay withheld everywhere.
    A story too broken to load still says what it wants withheld.
    """
    return _redact_labels(settings, _every_front_matter(settings))


def _redact_labels(settings: StorySettings, fronts: Iterable[tuple[Path, object]]) -> dict[str, str]:
    """The project's terms, then those of each (path, front matter), with where each is listed."""
    labels: dict[str, str] = {}

    def add(listed: object, where: Path) -> None:
        for i, term in enumerate(listed if isinstance(listed, list) else []):
            if isinstance(term, str) and term_problem(term) is None:
                labels.setdefault(term.strip(), f"redact item {i + 1} of {display_path(where)}")

    add(list(settings.redact), settings.config_file or Path("mkdocs.yml"))
    for path, data in fronts:
        add(data.get("redact") if isinstance(data, dict) else None, path)
    return labels


def every_kept(settings: StorySettings) -> list[tuple[Path, tuple[int, int, int, int]]]:
    """Every region a story keeps as photographed (``photos[].keep``), as (original, box), read
    leniently, consent or not: for checking a built site, which must not call them faces."""
    kept = []
    for _, data in _every_front_matter(settings):
        photos = data.get("photos")
        for photo in photos if isinstance(photos, list) else []:
            file = photo.get("file") if isinstance(photo, dict) else None
            keep = photo.get("keep") if isinstance(photo, dict) else None
            if not isinstance(file, str) or not isinstance(keep, list):
                continue
            for entry in keep:
                box = entry.get("box") if isinstance(entry, dict) else None
                if isinstance(box, list) and len(box) == 4 and all(type(v) is int for v in box):
                    kept.append((settings.photos_dir / file, (box[0], box[1], box[2], box[3])))
    return kept


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
        story.problems.extend(InputError(file.path, duplicate) for duplicate in file.duplicates)
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

    @property
    def pseudonym(self) -> str | None:
        """The pseudonym, also as written when other fields have problems (None: none usable)."""
        if self.front is not None:
            return self.front.pseudonym
        value = self.file.data.get("pseudonym") if isinstance(self.file.data, dict) else None
        return value.strip() if isinstance(value, str) and value.strip() else None

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
        self,
        settings: StorySettings,
        redactor: Redactor,
        labels: Mapping[str, str],
        allow_everywhere: tuple[Sequence[str], Redactor],
        refused: Mapping[Path, _Story],
        *,
        draft: bool = False,
    ) -> PublishableStory | None:
        """Withhold every term of the exhibition (``labels``: each with where it is listed), then
        look for what must not be published; None on problems."""
        front = self.front
        assert front is not None
        if self.problems:
            return None
        language = front.language or settings.language
        for found in redactor.find(front.pseudonym):
            self.problem(
                "pseudonym",
                f"matches {labels.get(found.term, 'a redact term')}: the pseudonym is published as written; "
                "choose another",
            )
        withheld: Counter[str] = Counter()
        forms: dict[str, dict[str, None]] = {}

        def count(redacted: Redacted) -> None:
            withheld.update(redacted.counts())
            for r in redacted.replacements:
                forms.setdefault(r.term, {})[redacted.original[r.start : r.end]] = None

        names = _Names(redactor, labels, front.allow, allow_everywhere, draft=draft)

        def plain(text: str | None, name: str) -> str | None:
            if text is None:
                return None
            redacted = redactor.redact(text, withheld_mark(language))
            count(redacted)
            for field_name, message in names.check(
                redacted, lambda offset: f"{name}, column {offset + 1}", title=name == "title"
            ):
                self.problem(field_name, message)
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
                keep = tuple(
                    KeepRequest(entry.box, entry.reason, f"photos[{i}].keep[{j}]") for j, entry in enumerate(photo.keep)
                )
                alt = plain(photo.alt, f"photos[{i}].alt") or ""
                caption = plain(photo.caption, f"photos[{i}].caption")
                photo_warnings = tuple(
                    plain(w, f"photos[{i}].content_warnings[{j}]") or "" for j, w in enumerate(photo.content_warnings)
                )
                photos.append(
                    PublishablePhoto(
                        source,
                        photo.file,
                        alt,
                        caption,
                        requests,
                        photo_warnings,
                        photo.background,
                        photo.subject,
                        keep,
                    )
                )
        testimony = testimony_html = None
        if self.decision.testimony is None:
            testimony, testimony_html = self._testimony(redactor, labels, language, front.allow, count, names)
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
            names=tuple(names.decisions),
        )

    def _testimony(
        self,
        redactor: Redactor,
        labels: Mapping[str, str],
        language: str,
        allow: Sequence[str],
        count: Callable[[Redacted], None],
        names: _Names,
    ) -> tuple[str, str]:
        """The redacted testimony, as Markdown and as rendered HTML."""
        body = self.file.body
        redacted = redactor.redact(body, withheld_mark(language, markdown=True))
        count(redacted)

        def at(original: int) -> str:
            line = body.count("\n", 0, original)
            column = original - (body.rfind("\n", 0, original) + 1)
            return f"line {self.file.body_line + line}, column {column + 1}"

        for field_name, message in names.check(redacted, lambda offset: f"testimony, {at(offset)}"):
            self.problem(field_name, message)

        def where(offset: int) -> str:
            return at(redacted.original_offset(offset))

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
        page = RenderedTestimony()
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


class _Names:
    """Likely names in a story's text: each withheld, allowed, or a problem until it is either."""

    def __init__(
        self,
        redactor: Redactor,
        labels: Mapping[str, str],
        allow: Sequence[str],
        allow_everywhere: tuple[Sequence[str], Redactor],
        *,
        draft: bool = False,
    ) -> None:
        self.draft = draft
        self.redactor = redactor
        self.labels = labels
        project_allow, self.pseudonyms = allow_everywhere
        self.allow = Redactor([*allow, *project_allow])
        #: What was decided for each likely name, for the curator report.
        self.decisions: list[NameDecision] = []

    def check(self, redacted: Redacted, where: Callable[[int], str], title: bool = False) -> Iterator[tuple[str, str]]:
        """Record each likely name's decision in the text ``redacted`` was made of (``where``: an
        offset of it in words); yield (field, message) for those nobody decided."""
        text, withheld = redacted.original, redacted.replacements
        allowed = self.allow.find(text)
        pseudonyms = self.pseudonyms.find(text)
        for name in likely_names(text, title=title):
            place = where(name.start)
            listed = next((r for r in withheld if r.start < name.end and name.start < r.end), None)
            if listed is not None:
                decision = f"withheld ({self.labels.get(listed.term, 'listed')})"
            elif any(a.start < name.end and name.start < a.end for a in allowed):
                decision = "published as written (allow)"
            elif any(p.start < name.end and name.start < p.end for p in pseudonyms):
                decision = "published as written (a pseudonym)"
            elif self.draft:
                decision = UNDECIDED
            else:
                yield (
                    place,
                    (
                        f"{name.word!r} looks like {name.kind} nobody listed: add it to 'redact' to withhold it "
                        "or to 'allow' to publish it"
                    ),
                )
                continue
            self.decisions.append(NameDecision(place, name.word, name.kind, decision))


def _usable_path(file: str) -> bool:
    return not any(unicodedata.category(c) == "Cc" for c in file)


def _resolved(photos_dir: Path, file: str) -> Path:
    return Path(os.path.realpath(photos_dir / file))
