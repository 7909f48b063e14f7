"""Every cleared photo of an exhibition, anonymized into web sizes, each made once.

Each photo goes through the image pipeline (load → find → decide → redact → encode → verify)
into a full-size file that is never published, then into the web sizes made from that verified
file. The web sizes and the photo's report are kept in the cache under a key of everything they
depend on, so a rebuild makes only what changed; the rest is read back from the cache and
checked. Photos to make are shared out among worker processes. A photo that fails is reported
with the story that lists it; every photo is tried, so one run names every failure.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PIL import Image

from anonymize.cache import Cache, Entry, key_of, tool_identity
from anonymize.config import ImageSettings
from anonymize.errors import AnonymizeError, InputError, display_path
from anonymize.fileio import file_sha256
from anonymize.image import metadata
from anonymize.image.derive import DEFAULT_WIDTHS, Derivative, derive
from anonymize.image.photo_report import PhotoReport
from anonymize.image.pipeline import anonymize_image
from anonymize.image.plan import KeepRequest, RegionRequest
from anonymize.image.regions import Polygon
from anonymize.progress import Progress, Quiet
from anonymize.stories.model import Exhibition, PublishablePhoto, PublishableStory
from anonymize.workers import Runner, Serial

#: A worker's peak memory per pixel of the frame it is making, beyond its own (measured by
#: ``benchmarks/scale.py --megapixels 50``: blurred background, faces and text searched).
BYTES_PER_PIXEL = 20
#: A worker's own memory: interpreter, libraries and models.
WORKER_MEMORY = 250_000_000


@dataclass(frozen=True)
class Picture:
    """One photo ready to publish: its web sizes, smallest first, and what was done to it."""

    photo: PublishablePhoto
    sizes: tuple[Derivative, ...]
    #: The photo's image report (the cache keeps it as ``ImageReport.to_dict`` wrote it).
    report: PhotoReport
    #: Read from the cache rather than made in this build.
    cached: bool = False

    @property
    def largest(self) -> Derivative:
        return self.sizes[-1]


@dataclass(frozen=True)
class PictureFailure:
    """A photo that could not be made publishable, and why."""

    story: PublishableStory
    photo: PublishablePhoto
    error: AnonymizeError

    def line(self) -> str:
        return f"{display_path(self.story.path)}: photo {self.photo.file}: {self.error.reason}"


@dataclass(frozen=True)
class Pictures:
    """The outcome for every photo: pictures by (story path, photo index), and failures."""

    made: dict[tuple[Path, int], Picture]
    failures: tuple[PictureFailure, ...]

    def of(self, story: PublishableStory) -> list[Picture]:
        return [self.made[(story.path, i)] for i in range(len(story.photos)) if (story.path, i) in self.made]


@dataclass(frozen=True)
class PictureJob:
    """What a worker needs to make one photo's picture; it writes into ``scratch`` only."""

    source: Path
    regions: tuple[RegionRequest, ...]
    subject: tuple[Polygon, ...]
    settings: ImageSettings
    widths: tuple[int, ...]
    scratch: Path
    keep: tuple[KeepRequest, ...] = ()


def make_picture(job: PictureJob) -> dict[str, Any]:
    """Anonymize one photo into web sizes in ``job.scratch`` (run in a worker process).

    Returns the image report and the sizes' facts, or ``{"failed": ...}`` with the reason: the
    error itself stays here (it may hold what the pipeline knew of the picture).
    """
    full_size = job.scratch / "full.jpg"  # verified, never published or kept: the sizes are made from it
    try:
        # No size is published wider than the widest width: what is too small to matter there is not searched for.
        report = anonymize_image(
            job.source, full_size, job.regions, job.settings, job.subject, job.keep, published=max(job.widths)
        )
        sizes = derive(full_size, job.scratch, job.widths)
    except AnonymizeError as err:
        return {"failed": {"reason": err.reason, "input": isinstance(err, InputError)}}
    finally:
        full_size.unlink(missing_ok=True)
    return {
        "report": report.to_dict(),
        "sizes": [
            {"file": s.path.name, "width": s.width, "height": s.height, "sha256": s.sha256, "bytes": s.byte_count}
            for s in sizes
        ],
    }


@dataclass(frozen=True)
class CarriedJob:
    """A job for a worker that may not see this machine's files: the original travels with it."""

    job: PictureJob
    original: bytes


def make_carried_picture(carried: CarriedJob) -> dict[str, Any]:
    """``make_picture`` in a folder of the worker's own; the result carries the sizes' bytes."""
    job = carried.job
    with tempfile.TemporaryDirectory(prefix="anonymize-worker-") as folder:
        # Named by its suffix only: the original's name (often a person's) stays on this machine.
        source, scratch = Path(folder) / "original" / f"original{job.source.suffix.lower()}", Path(folder) / "made"
        source.parent.mkdir()
        scratch.mkdir()
        source.write_bytes(carried.original)
        result = make_picture(replace(job, source=source, scratch=scratch))
        if "sizes" in result:
            result["files"] = {size["file"]: (scratch / size["file"]).read_bytes() for size in result["sizes"]}
    result["tool"] = tool_identity()  # what made it, for the coordinator to compare with its key's
    return result


@dataclass(frozen=True)
class _Photo:
    story: PublishableStory
    index: int
    photo: PublishablePhoto
    settings: ImageSettings
    original: str | None  # sha256 of the original as this build found it (None: unreadable)

    @property
    def at(self) -> tuple[Path, int]:
        return self.story.path, self.index

    def key(self, widths: Sequence[int]) -> str | None:
        """The cache key of this photo's picture; None when the original could not be read."""
        if self.original is None:
            return None
        return key_of(
            {
                "kind": "picture",
                "tool": tool_identity(),
                "original": self.original,
                "regions": [_request(r) for r in self.photo.regions],
                "subject": [[list(point) for point in p.points] for p in self.photo.subject],
                "keep": [dataclasses.asdict(k) for k in self.photo.keep],
                "settings": dataclasses.asdict(self.settings),
                "widths": list(widths),
            }
        )


def make_pictures(
    exhibition: Exhibition,
    cache: Cache,
    settings: ImageSettings,
    widths: Sequence[int] = DEFAULT_WIDTHS,
    runner: Runner | None = None,
    progress: Progress | None = None,
) -> Pictures:
    """Every photo of every published story as web sizes: from ``cache`` when it holds them,
    otherwise made by ``runner``'s workers and put in it."""
    runner, progress = runner or Serial(), progress or Quiet()
    photos = [
        _Photo(story, index, photo, replace(settings, background=photo.background) if photo.background else settings,
               _sha256(photo.source))
        for story in exhibition.stories
        for index, photo in enumerate(story.photos)
    ]  # fmt: skip
    made: dict[tuple[Path, int], Picture] = {}
    # Photos to make, by key: a photo two stories list with the same regions is made once.
    groups: dict[str | tuple[Path, int], list[_Photo]] = {}
    keys: dict[tuple[Path, int], str | None] = {}
    for item in photos:
        key = keys[item.at] = item.key(widths)
        entry = cache.get(key) if key is not None and key not in groups else None
        picture = _from_entry(item.photo, entry) if entry is not None else None
        if picture is not None:
            made[item.at] = picture
        else:
            groups.setdefault(key if key is not None else item.at, []).append(item)
    to_make = [(group[0], keys[group[0].at]) for group in groups.values()]

    cached = len(photos) - sum(len(group) for group in groups.values())
    progress.start("photos", len(photos), cached, f"{cached} from the cache" if cached else "")
    jobs = [
        PictureJob(item.photo.source, item.photo.regions, item.photo.subject, item.settings, tuple(widths),
                   cache.scratch(), item.photo.keep)
        for item, _ in to_make
    ]  # fmt: skip

    def memory(job: PictureJob) -> int:
        return BYTES_PER_PIXEL * min(_pixels(job.source), job.settings.max_pixels)

    failed: dict[tuple[Path, int], PictureFailure] = {}
    try:
        for number, result in _run(runner, jobs, memory):
            item, key = to_make[number]
            group = groups[key if key is not None else item.at]
            for other in group:
                progress.step(f"{display_path(other.story.path)}: {other.photo.file}")
            try:
                picture = _stored(item, key, result, jobs[number].scratch, cache)
            except AnonymizeError as err:
                failed.update({other.at: PictureFailure(other.story, other.photo, err) for other in group})
                continue
            made.update({other.at: replace(picture, photo=other.photo) for other in group})
    finally:
        progress.finish()
        for job in jobs:
            shutil.rmtree(job.scratch, ignore_errors=True)
    # In the stories' order, whatever order the workers finished in.
    return Pictures(
        {item.at: made[item.at] for item in photos if item.at in made},
        tuple(failed[item.at] for item in photos if item.at in failed),
    )


def _run(runner: Runner, jobs: list[PictureJob], memory: Callable[[PictureJob], int]) -> Iterator[tuple[int, Any]]:
    """Every job's result, by ``runner``; to workers that may not see this machine's files each
    original is sent, and the files each made are read back and written where a local worker
    would have written them."""
    if runner.shares_files:
        yield from runner.run(make_picture, jobs, memory)
        return
    carried = [CarriedJob(job, _original(job.source)) for job in jobs]
    for number, result in runner.run(make_carried_picture, carried, lambda c: memory(c.job)):
        files = result.pop("files", {})
        try:
            if result.pop("tool", None) != tool_identity():
                # Its pictures would be kept under a key that names this machine's code and libraries.
                raise ValueError(
                    "made by a worker with another anonymize or other libraries; install the same on every worker"
                )
            for size in result.get("sizes", ()):
                data = files.get(size["file"])
                if data is None or Path(size["file"]).name != size["file"]:
                    raise ValueError(f"a worker named a file {size['file']!r} it did not return")
                _read_back(size, data)
                (jobs[number].scratch / size["file"]).write_bytes(data)
        except ValueError as err:
            result = {"failed": {"reason": str(err), "input": False}}
        yield number, result


def _original(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""  # unreadable: the worker says so, naming the file, as a local one would


def _read_back(size: dict[str, Any], data: bytes) -> None:
    """A size a worker made is what its record says: those bytes, one picture of that size and
    nothing else in the file (the worker verified it; this process does not take its word).
    Raises ``ValueError`` saying what is wrong."""
    what = f"the {size.get('width')} px wide size a worker made"
    try:
        with Image.open(io.BytesIO(data), formats=("JPEG",)) as image:
            image.load()
            frames, shown = getattr(image, "n_frames", 1), image.size
            extras = metadata.inspect(data, "JPEG", image)
    except (OSError, ValueError, Image.DecompressionBombError) as err:
        raise ValueError(f"{what} cannot be read back: {err}") from None
    problems = []
    if hashlib.sha256(data).hexdigest() != size["sha256"] or not str(size["sha256"]).startswith(
        Path(size["file"]).stem
    ):
        problems.append("its bytes are not the ones reported")
    if frames != 1 or shown != (size["width"], size["height"]):
        problems.append(f"it shows {frames} picture(s) of {shown[0]}x{shown[1]}")
    if extras:
        problems.append(f"it holds more than pixels ({', '.join(f'{e.group}:{e.name}' for e in extras)})")
    if problems:
        raise ValueError(f"{what} fails its read-back: {'; '.join(problems)}")


def _stored(item: _Photo, key: str | None, result: dict[str, Any], scratch: Path, cache: Cache) -> Picture:
    """The picture a worker made, put in the cache (and read back from it)."""
    if "failed" in result:
        failed = result["failed"]
        raise (InputError if failed["input"] else AnonymizeError)(item.photo.source, failed["reason"])
    try:
        made = PhotoReport.from_dict(result["report"])
    except ValueError:
        raise AnonymizeError(item.photo.source, "the worker's report could not be read") from None
    if key is None or made.sha256 != item.original:
        # Changed between this build's first look and the worker's read: the picture may not be
        # what the key says, so it is neither kept nor published.
        raise InputError(item.photo.source, "the original changed while the build was reading it; build again")
    files = {size["file"]: scratch / size["file"] for size in result["sizes"]}
    entry = cache.put(key, result, files)
    picture = _from_entry(item.photo, entry)
    if picture is None:
        raise AnonymizeError(item.photo.source, "the cache did not keep the picture as it was made")
    return replace(picture, cached=False)


def _from_entry(photo: PublishablePhoto, entry: Entry) -> Picture | None:
    """The picture an entry holds, if the entry holds what a picture needs."""
    try:
        report = PhotoReport.from_dict(entry.data["report"])
        sizes = tuple(
            Derivative(entry.files[s["file"]], int(s["width"]), int(s["height"]), str(s["sha256"]), int(s["bytes"]))
            for s in entry.data["sizes"]
        )
        if not sizes:
            return None
    except (KeyError, TypeError, ValueError):
        return None
    return Picture(photo, sizes, report, cached=True)


def _request(request: RegionRequest) -> dict[str, object]:
    return {"shape": request.region.shape, **dataclasses.asdict(request)}


def _sha256(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except OSError:
        return None  # the worker's read says why, in the pipeline's words


def _pixels(path: Path) -> int:
    """The number of pixels the original says it has (its header only); 0 when unreadable."""
    try:
        with warnings.catch_warnings(), Image.open(path) as image:
            warnings.simplefilter("ignore")  # a huge header is the worker's to refuse, with a clear line
            width, height = image.size
    except Exception:  # an estimate; the worker reports what is wrong with the file
        return 0
    return width * height
