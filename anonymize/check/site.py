"""The checks of a built site, one class each, and the manifest they start from."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

from anonymize.cache import Cache, key_of, tool_identity
from anonymize.check import readers
from anonymize.config import FaceSettings, StorySettings
from anonymize.errors import AnonymizeError, display_path
from anonymize.fileio import file_sha256
from anonymize.image.detect.faces import Face, FaceFinder
from anonymize.image.load import load_image
from anonymize.image.plan import KEPT_INSIDE
from anonymize.progress import Progress, Quiet
from anonymize.stories.publish import every_kept, every_redact_term
from anonymize.stories.text import Redactor, folded
from anonymize.workers import Runner, Serial

#: The build's list of every file it wrote, with its hash; at the site's root, published with it.
MANIFEST = "anonymize-manifest.json"
PICTURE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".ico", ".bmp", ".tif", ".tiff", ".avif",
                              ".heic", ".heif", ".jxl"})  # fmt: skip
TEXT_SUFFIXES = frozenset({".html", ".htm", ".css", ".js", ".mjs", ".json", ".xml", ".txt", ".svg", ".map",
                           ".webmanifest", ".md"})  # fmt: skip
#: Hosts the theme's scripts name without loading anything from them (and the pages'
#: Content-Security-Policy would stop them if they tried).
SCRIPT_MENTIONS = frozenset({
    "api.github.com",  # repository facts, only with repo_url (refused by the plugin)
    "unpkg.com",  # Mermaid and a polyfill, only for diagrams
    "bit.ly",  # a link printed in the search worker's warning about a bad query
    "github.com",  # issue links in error messages of node-glob, bundled in lunr's Thai segmenter
    "www.w3.org",  # XML namespaces
    "popper.js.org",  # Bootstrap's error message when Popper is missing (MkDocs' own theme)
})  # fmt: skip
_INFO_BLOCKS = frozenset({"exif", "xmp", "icc_profile", "comment"})
_SCRIPT_URL = re.compile(r"https?://([a-zA-Z0-9.-]+\.[a-zA-Z]{2,})")
#: The theme's own code: searched for the terms as written (whole words, any case), not for their
#: inflected forms, which match ordinary words of its licences and comments ("Shali", "shall").
THEME_CODE = frozenset({".js", ".mjs", ".css", ".map"})
_JS_COMMENT = re.compile(r"/\*.*?\*/|(?<![:\"'\\/])//[^\n]*", re.DOTALL)
#: A face found in a published picture lies in a region a story kept as photographed when the
#: picture shows there what the original shows, scaled: within this mean difference (0..255).
#: Two lossy encodings and a resize stay near 2-5; a redaction or another picture differs by tens.
KEPT_SAME = 12.0
#: An original and a published picture have the same shape when their sides scale alike, within
#: this many pixels of the picture's (sizes are rounded).
KEPT_SHAPE = 2.0

Kept = tuple[Path, tuple[int, int, int, int]]  # an original, and a box of it a story keeps


@dataclass(frozen=True)
class SiteFinding:
    """One thing wrong with a built site, naming its file."""

    path: Path
    reason: str

    def line(self) -> str:
        return f"{display_path(self.path)}: {self.reason}"


@dataclass(frozen=True)
class Expectations:
    """What the project says a site of it must not hold, read from the project itself."""

    #: sha256 of every original photo → its name in the photos folder.
    originals: Mapping[str, str]
    #: Original file names and stems, lower-cased: no published path may carry one.
    original_names: frozenset[str]
    #: Every term the project or any story withholds (withdrawn stories included).
    terms: tuple[str, ...]
    faces: FaceSettings = field(default_factory=FaceSettings)
    #: Regions the stories keep as photographed (not a face, in a person's words), by original.
    kept: tuple[Kept, ...] = ()
    #: Where each term is listed, said in its place ("redact item 2 of stories/amir.md").
    term_labels: Mapping[str, str] = field(default_factory=dict)


def expectations(settings: StorySettings) -> Expectations:
    """Read the originals and the withheld terms of a project."""
    originals: dict[str, str] = {}
    names: set[str] = set()
    root = settings.photos_dir
    for path in sorted(root.rglob("*")) if root.is_dir() else []:
        if path.is_file() and not path.name.startswith("."):
            originals[file_sha256(path)] = path.relative_to(root).as_posix()
            if path.suffix.lower() in PICTURE_SUFFIXES:
                names.update({path.name.lower(), path.stem.lower()})
    kept = tuple(every_kept(settings))
    labels = every_redact_term(settings)
    return Expectations(originals, frozenset(names), tuple(labels), kept=kept, term_labels=labels)


@dataclass(frozen=True)
class SiteFile:
    """One file of the site: its hash taken once, its bytes read when a check needs them (a
    site of thousands of pictures is never held in memory at once)."""

    name: str  # relative, with forward slashes
    path: Path
    sha256: str

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix.lower()

    def text(self) -> str | None:
        """The file as text (a gzip archive unpacked), or None when it is not a text file."""
        data, suffix = self.data, self.suffix
        if suffix == ".gz":
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError):
                return None
            suffix = PurePosixPath(self.name[:-3]).suffix.lower()
        if suffix not in TEXT_SUFFIXES:
            return None
        return data.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class CheckContext:
    """How the checks may run: worker processes for the face search, a store of earlier results
    (by the file's hash and the checker's own identity), and where to show progress."""

    runner: Runner = field(default_factory=Serial)
    verdicts: Cache | None = None
    progress: Progress = field(default_factory=Quiet)


class SiteCheck(ABC):
    """One kind of check over every file of a site."""

    name: ClassVar[str]

    @abstractmethod
    def run(
        self, files: Sequence[SiteFile], expected: Expectations, means: CheckContext
    ) -> Iterator[tuple[SiteFile | None, str]]:
        """Yield (file, reason) for each finding; a file of None means the site as a whole."""


class ManifestCheck(SiteCheck):
    """Every file is the one the build listed, with the same hash; nothing extra, nothing missing."""

    name = "manifest"

    def run(
        self, files: Sequence[SiteFile], expected: Expectations, means: CheckContext
    ) -> Iterator[tuple[SiteFile | None, str]]:
        manifest = next((f for f in files if f.name == MANIFEST), None)
        if manifest is None:
            yield None, f"no {MANIFEST}: nothing says which files the build wrote"
            return
        try:
            listed = json.loads(manifest.data)["files"]
            if not isinstance(listed, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            yield manifest, "unreadable manifest"
            return
        present = {f.name: f for f in files if f.name != MANIFEST}
        for name, file in present.items():
            if name not in listed:
                yield file, "not in the build's manifest: left from an earlier build or added by hand"
            elif listed[name] != file.sha256:
                yield file, "changed since the build (its hash differs from the manifest's)"
        for name in sorted(set(listed) - set(present)):
            yield None, f"{name}: listed in the manifest but missing"


class PictureCheck(SiteCheck):
    """Every picture holds nothing but pixels and shows no face a detector can find."""

    name = "pictures"

    def run(
        self, files: Sequence[SiteFile], expected: Expectations, means: CheckContext
    ) -> Iterator[tuple[SiteFile | None, str]]:
        pictures = [file for file in files if file.suffix in PICTURE_SUFFIXES]
        # Each picture is read once, in a worker: its blocks, its decoding, the face search; a
        # picture already looked at, byte for byte, by this same checker is not looked at again.
        kept = _kept_key(expected.kept)
        keys = {file.name: _look_key(file.sha256, expected.faces, kept) for file in pictures}
        looks: dict[str, dict[str, Any]] = {}
        for file in pictures:
            entry = means.verdicts.get(keys[file.name]) if means.verdicts is not None else None
            if entry is not None:
                looks[file.name] = entry.data
        to_look = [file for file in pictures if file.name not in looks]
        means.progress.start("site check", len(pictures), len(looks), f"{len(looks)} seen before" if looks else "")
        try:
            jobs = [(file.path, expected.faces, expected.kept) for file in to_look]
            for index, look in means.runner.run(_look, jobs):
                file = to_look[index]
                means.progress.step(file.name)
                if look["sha256"] != file.sha256:
                    look = {"sha256": file.sha256, "problems": ["changed while the site was being checked"]}
                elif means.verdicts is not None:
                    means.verdicts.put(keys[file.name], look, {})
                looks[file.name] = look
        finally:
            means.progress.finish()
        for file in pictures:
            for problem in looks[file.name]["problems"]:
                yield file, problem


def _kept_key(kept: Sequence[Kept]) -> list[object]:
    """What the kept regions are, for a verdict's key: each original by its bytes, and the box."""
    found: list[object] = []
    for path, box in kept:
        try:
            found.append([file_sha256(path), list(box)])
        except OSError:
            found.append([None, list(box)])
    return found


def _look_key(sha256: str, faces: FaceSettings, kept: list[object]) -> str:
    return key_of(
        {"kind": "site picture", "tool": tool_identity(), "sha256": sha256, "faces": asdict(faces), "kept": kept}
    )


def _look(job: tuple[Path, FaceSettings, tuple[Kept, ...]]) -> dict[str, Any]:
    """Read one picture's blocks, decode it and search it for faces (run in a worker): the
    file's hash and what is wrong with it, as lines."""
    path, settings, kept = job
    data = path.read_bytes()
    extras = _extras(data)
    problems = [f"holds more than pixels: {'; '.join(extras)}"] if extras else []
    try:
        with Image.open(io.BytesIO(data)) as image:
            frames = getattr(image, "n_frames", 1)
            pixels = np.asarray(image.convert("RGB"))
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as err:
        return {"sha256": _sha256(data), "problems": [*problems, f"cannot be decoded as a picture: {err}"]}
    if frames != 1:
        problems.append(f"holds {frames} pictures")
    if min(pixels.shape[:2]) >= settings.min_face:  # smaller: an icon, smaller than any face searched for
        faces = [face for face in FaceFinder.from_settings(settings).search(pixels).faces if face.sure]
        faces = _not_kept(faces, pixels, kept) if faces and kept else faces
        if faces:
            boxes = ", ".join("x{} y{} w{} h{}".format(*face.box) for face in faces)
            problems.append(f"shows {len(faces)} face(s) a detector finds: {boxes}")
    return {"sha256": _sha256(data), "problems": problems}


def _not_kept(faces: Sequence[Face], pixels: np.ndarray, kept: Sequence[Kept]) -> list[Face]:
    """The faces that lie in no region a story keeps as photographed.

    Not the build's word for it: a face is kept when ``KEPT_INSIDE`` of it lies in a kept box of
    an original of the picture's shape, scaled, and the picture shows there what that original
    shows (``KEPT_SAME``), so a kept box excuses nothing in any other picture or place.
    """
    height, width = pixels.shape[:2]
    # Each original decoded once, scaled to the picture (None: unreadable, or of another shape).
    shown_as: dict[Path, tuple[float, np.ndarray] | None] = {}

    def scaled(path: Path) -> tuple[float, np.ndarray] | None:
        if path not in shown_as:
            try:
                original = load_image(path).pixels
            except AnonymizeError:
                original = None
            scale = width / original.shape[1] if original is not None else 0.0
            shown_as[path] = (
                None
                if original is None or abs(original.shape[0] * scale - height) > KEPT_SHAPE
                else (scale, cv2.resize(original, (width, height), interpolation=cv2.INTER_AREA))
            )
        return shown_as[path]

    left = []
    for face in faces:
        fx, fy, fw, fh = face.box
        excused = False
        for path, (kx, ky, kw, kh) in kept:
            if (found := scaled(path)) is None:
                continue
            scale, shown = found
            x0, y0 = max(fx, round(kx * scale)), max(fy, round(ky * scale))
            x1, y1 = min(fx + fw, round((kx + kw) * scale)), min(fy + fh, round((ky + kh) * scale))
            if x0 >= x1 or y0 >= y1 or (x1 - x0) * (y1 - y0) < KEPT_INSIDE * fw * fh:
                continue
            difference = cv2.absdiff(pixels[y0:y1, x0:x1], shown[y0:y1, x0:x1])
            if float(difference.mean()) <= KEPT_SAME:
                excused = True
                break
        if not excused:
            left.append(face)
    return left


def _extras(data: bytes) -> list[str]:
    """Every block of a picture file beyond its pixels."""
    if data.startswith(b"\xff\xd8"):
        return readers.jpeg_extras(data)
    if data.startswith(b"\x89PNG"):
        return readers.png_extras(data)
    try:
        with Image.open(io.BytesIO(data)) as image:
            found = sorted(str(key) for key in image.info if str(key).lower() in _INFO_BLOCKS)
    except (OSError, UnidentifiedImageError, ValueError):
        return []  # reported as undecodable
    return [f"{key} block" for key in found]


class OriginalsCheck(SiteCheck):
    """No file is a copy of an original photo or carries an original's file name."""

    name = "originals"

    def run(
        self, files: Sequence[SiteFile], expected: Expectations, means: CheckContext
    ) -> Iterator[tuple[SiteFile | None, str]]:
        originals = expected.originals
        # Names with their suffix, as a story lists them: short stems ("window") are ordinary words.
        full_names = sorted(n for n in expected.original_names if PurePosixPath(n).suffix)
        for file in files:
            digest = file.sha256
            if digest in originals:
                yield file, f"is a copy of the original {originals[digest]}"
            parts = PurePosixPath(file.name.lower())
            named = {parts.name, parts.stem} & expected.original_names
            if named:
                yield file, f"is named like an original ({sorted(named)[0]})"
            text = file.text()
            if text is not None:
                lowered = text.lower()
                for name in full_names:
                    if name in lowered:
                        yield file, f"names the original {name}"


class RemoteCheck(SiteCheck):
    """No page, style sheet or script loads anything from another host."""

    name = "remote"

    def run(
        self, files: Sequence[SiteFile], expected: Expectations, means: CheckContext
    ) -> Iterator[tuple[SiteFile | None, str]]:
        for file in files:
            text = file.text()
            if text is None:
                continue
            suffix = file.suffix
            if suffix in (".html", ".htm", ".svg"):
                page = readers.read_html(text)
                for url in page.loads:
                    if readers.is_remote(url):
                        yield file, f"loads {url[:120]} from another host"
                for url in page.sends:
                    if readers.is_remote(url):
                        yield file, f"sends to {url[:120]}, another host, when a visitor acts"
                if suffix != ".svg" and not page.policies:
                    yield file, "has no Content-Security-Policy"
                for policy in page.policies:
                    remote = [source for source in policy.replace(";", " ").split() if _lets_in_hosts(source)]
                    if remote:
                        yield file, f"its Content-Security-Policy lets in another host: {remote[0]}"
            elif suffix == ".css":
                for url in readers.css_loads(text):
                    if readers.is_remote(url):
                        yield file, f"loads {url[:120]} from another host"
                for url in page.sends:
                    if readers.is_remote(url):
                        yield file, f"sends to {url[:120]}, another host, when a visitor acts"
            elif suffix in (".js", ".mjs"):
                hosts = sorted(set(_SCRIPT_URL.findall(_JS_COMMENT.sub("", text))) - SCRIPT_MENTIONS)
                if hosts:
                    yield file, f"script names another host: {', '.join(hosts[:5])}"


class TermsCheck(SiteCheck):
    """No withheld term appears in any file's name, text, attributes or search index."""

    name = "terms"

    def run(
        self, files: Sequence[SiteFile], expected: Expectations, means: CheckContext
    ) -> Iterator[tuple[SiteFile | None, str]]:
        if not expected.terms:
            return
        redactor = Redactor(expected.terms)
        exact = {term: re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.IGNORECASE) for term in expected.terms}
        # One pass over a theme's large bundles finds whether any term is there (at any position
        # it tries every term); only then is each term looked for, to name which.
        any_term = re.compile(
            rf"(?<!\w)(?:{'|'.join(re.escape(term) for term in expected.terms)})(?!\w)", re.IGNORECASE
        )
        for file in files:
            found = {match.term for match in redactor.find(file.name.replace("/", " ").replace("-", " "))}
            text = file.text()
            if text is not None and file.suffix in THEME_CODE:
                if any_term.search(text):
                    found.update(term for term, pattern in exact.items() if pattern.search(text))
            elif text is not None:
                for readable in _readings(text, file.suffix):
                    found.update(match.term for match in redactor.find(readable))
            for number in sorted(_term_numbers(expected.terms, found)):
                # The term itself is never printed: the output of a build may be shared.
                term = expected.terms[number - 1]
                where = expected.term_labels.get(term, f"withheld term {number}")
                yield file, f"holds a name or place the exhibition withholds ({where})"


#: Every check, in the order its findings are reported.
CHECKS: tuple[SiteCheck, ...] = (ManifestCheck(), PictureCheck(), OriginalsCheck(), RemoteCheck(), TermsCheck())


def check_site(
    site_dir: Path,
    expected: Expectations,
    checks: Sequence[SiteCheck] = CHECKS,
    *,
    runner: Runner | None = None,
    verdicts: Cache | None = None,
    progress: Progress | None = None,
) -> list[SiteFinding]:
    """Every finding of every check on the site in ``site_dir``; pictures are searched for faces
    by ``runner``'s workers, and not again when ``verdicts`` holds this checker's result for the
    same bytes."""
    if not site_dir.is_dir():
        return [SiteFinding(site_dir, "no such site folder")]
    means = CheckContext(runner or Serial(), verdicts, progress or Quiet())
    files, findings = [], []
    for path in sorted(site_dir.rglob("*")):
        name = path.relative_to(site_dir).as_posix()
        if path.is_symlink():
            findings.append(SiteFinding(path, "a symbolic link: a site holds files, not links to elsewhere"))
        elif path.is_file():
            files.append(SiteFile(name, path, file_sha256(path)))
    for check in checks:
        for file, reason in check.run(files, expected, means):
            findings.append(SiteFinding(file.path if file is not None else site_dir, reason))
    return findings


def _lets_in_hosts(source: str) -> bool:
    """Whether a Content-Security-Policy source lets in other hosts: a host, a wildcard, a scheme."""
    if source.startswith("'") or source in ("data:", "blob:"):
        return False
    return source == "*" or source.endswith(":") or "." in source or "://" in source


def _sha256(data: bytes) -> str:
    """Of bytes already read (a picture the check decoded); files are hashed by ``file_sha256``."""
    return hashlib.sha256(data).hexdigest()


def _readings(text: str, suffix: str) -> Iterator[str]:
    """The ways a visitor, a crawler or a search index reads a text file."""
    yield text
    if suffix in (".html", ".htm", ".svg", ".xml"):
        page = readers.read_html(text)
        yield from readers.readings(page)
        yield from page.scripts
    if suffix == ".json":
        try:
            data = json.loads(text)
        except ValueError:
            return
        for value in _strings(data):
            yield value
            if "<" in value or "&" in value:  # search index entries hold HTML
                yield from readers.readings(readers.read_html(value))


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _term_numbers(terms: Sequence[str], found: set[str]) -> set[int]:
    """1-based positions in ``terms`` of the terms found (the redactor reports its own spelling)."""
    keys = {" ".join(folded(term).split()) for term in found}
    return {i + 1 for i, term in enumerate(terms) if " ".join(folded(term).split()) in keys}
