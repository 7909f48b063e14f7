"""Builds with the cache: nothing made twice, only what changed made again, damage undone,
nothing kept of a withdrawn story, and nothing in the cache that was not published."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from anonymize.errors import BuildErrors, InputError
from anonymize.exhibition.pictures import Pictures
from anonymize.site.build import build_site
from tests.site.projects import PHOTO_NAME, write_project
from tests.site.site_reader import tree
from tests.stories.project import AS_OF

STORY = "zelimkhan-real-name.md"


def cached_pictures(root: Path) -> dict[str, bytes]:
    """Every picture file in the project's cache, by its hash."""
    files = (root / ".anonymize-cache" / "pictures").rglob("*.jpg")
    return {hashlib.sha256(path.read_bytes()).hexdigest(): path.read_bytes() for path in files}


def made(root: Path, **options: object) -> dict[str, bool]:
    """Build; each photo (story file: photo) and whether it came from the cache."""
    pictures = build_site(root / "mkdocs.yml", AS_OF, **options).pictures  # type: ignore[arg-type]
    assert not pictures.failures
    return {f"{p.photo.source.name}@{story}": p.cached for (story, _), p in pictures.made.items()}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_project(tmp_path)  # the curator's draft build made every picture once
    return tmp_path


def test_a_rebuild_makes_nothing_and_publishes_what_a_fresh_build_would(project: Path, tmp_path: Path) -> None:
    assert all(made(project).values())
    fresh = tmp_path / "fresh"
    assert not any(made(project, site_dir=fresh, use_cache=False).values())
    assert tree(project / "site") == tree(fresh)


def test_one_changed_photo_is_the_only_one_made_again(project: Path) -> None:
    story = project / "stories" / STORY
    story.write_text(
        story.read_text().replace(
            "caption: Evening, Argun",
            "caption: Evening, Argun\n    regions:\n      - box: [10, 10, 200, 150]\n        reason: a street sign",
        )
    )
    remade = [name for name, cached in made(project).items() if not cached]
    assert remade == [f"{Path(PHOTO_NAME).name}@{project / 'stories' / STORY}"]


def test_a_damaged_entry_is_made_again_and_never_published(project: Path) -> None:
    made(project)
    good = tree(project / "site")
    victim = sorted((project / ".anonymize-cache" / "pictures").rglob("*.jpg"))[0]
    damaged = bytearray(victim.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    victim.write_bytes(bytes(damaged))
    # One original made again (two stories list the street photo alike: one entry, made once).
    assert len({name.split("@")[0] for name, cached in made(project).items() if not cached}) == 1
    assert tree(project / "site") == good
    assert bytes(damaged) not in tree(project / "site").values()


def test_the_cache_holds_only_what_the_site_publishes(project: Path) -> None:
    made(project, draft=True)  # every consented story, with every photo published
    published = {
        hashlib.sha256(data).hexdigest()
        for name, data in tree(project / "site-draft").items()
        if name.startswith("pictures/")
    }
    cached = cached_pictures(project)
    assert set(cached) == published
    originals = {path.read_bytes() for path in (project / "photos").rglob("*.jpg")}
    for path in (project / ".anonymize-cache").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert data not in originals
            assert b"zelimkhan" not in data.lower() and b"img_0042" not in data.lower(), path


def test_withdrawn_consent_leaves_nothing_in_the_cache(project: Path) -> None:
    pictures = build_site(project / "mkdocs.yml", AS_OF).pictures
    amir = {size.sha256 for (story, _), p in pictures.made.items() if story.name == STORY for size in p.sizes}
    assert amir and amir <= set(cached_pictures(project))
    story = project / "stories" / STORY
    story.write_text(story.read_text().replace("given: 2024-01-01", "given: 2024-01-01\n  withdrawn: 2026-01-01"))
    pictures = build_site(project / "mkdocs.yml", AS_OF).pictures
    still = {size.sha256 for p in pictures.made.values() for size in p.sizes}
    assert set(cached_pictures(project)) == still and not amir & still


def test_an_original_changing_during_the_build_is_not_kept_or_published(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made(project)
    site = tree(project / "site")
    monkeypatch.setattr("anonymize.exhibition.pictures._sha256", lambda path: "0" * 64)
    with pytest.raises(BuildErrors) as caught:
        build_site(project / "mkdocs.yml", AS_OF, jobs=1)
    assert all("the original changed while the build was reading it" in line for line in caught.value.lines())
    assert tree(project / "site") == site


def test_worker_processes_make_the_same_exhibition(project: Path, tmp_path: Path) -> None:
    one = build_site(project / "mkdocs.yml", AS_OF, tmp_path / "one", use_cache=False, jobs=1)
    two = build_site(project / "mkdocs.yml", AS_OF, tmp_path / "two", use_cache=False, jobs=2)
    assert [page.url for page in one.pages] == [page.url for page in two.pages]

    def found(pictures: Pictures) -> list[list[str]]:
        return [[r.reason for r in p.report.regions] for p in pictures.made.values()]

    assert found(one.pictures) == found(two.pictures)
    assert sorted(tree(tmp_path / "one")) == sorted(tree(tmp_path / "two"))


def test_a_cache_inside_the_docs_is_refused(tmp_path: Path) -> None:
    write_project(tmp_path, extra_plugin="      cache: docs/cache\n", approve=False)
    with pytest.raises(InputError, match=r"plugins\.anonymize\.cache: inside docs_dir, it would be published"):
        build_site(tmp_path / "mkdocs.yml", AS_OF)
    assert not (tmp_path / "docs" / "cache").exists()


def test_no_cache_keeps_nothing_in_the_project(tmp_path: Path) -> None:
    write_project(tmp_path, approve=False)
    build_site(tmp_path / "mkdocs.yml", AS_OF, draft=True, use_cache=False)
    assert (tmp_path / "site-draft" / "pictures").is_dir()
    assert not (tmp_path / ".anonymize-cache").exists()
