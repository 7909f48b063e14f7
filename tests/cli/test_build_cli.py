"""``anonymize build``: exit codes and one line per failure, naming the file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from anonymize.cli import main
from tests.dirty import scene
from tests.site.projects import write_project
from tests.site.site_reader import tree


def test_build_prints_a_summary_and_a_broken_photo_exits_2_leaving_the_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        f"as of {dt.date.today()}: 4 stories published to site/ (gallery: stories/), checked; "
        "report: reports/index.html"
    )
    assert "published  zelimkhan-real-name: page stories/amir/, 2 pictures (6 sizes), testimony" in result.stdout
    assert "excluded   gone: story: consent withdrawn on 2025-01-01" in result.stdout
    # Not a terminal: progress as plain lines on standard error (the photos were made when the
    # project was approved: they come from the cache), then the site check.
    progress = result.stderr.splitlines()
    assert progress[0] == "anonymize: photos: 3 (3 from the cache)"
    assert progress[1].startswith("anonymize: photos: done in ")
    assert progress[2].startswith("anonymize: site check: ")
    before = tree(tmp_path / "site")

    (project.photos / "street.jpg").write_bytes(b"not a picture")
    # Quiet: no progress, only the reasons.
    result = CliRunner().invoke(main, ["build", "-q"], catch_exceptions=False)
    assert result.exit_code == 2
    errors = result.stderr.splitlines()
    assert errors[-1] == "anonymize: 2 failures; the site was not published"
    assert all(line.startswith("anonymize: stories/") and "photo street.jpg" in line for line in errors[:-1])
    assert tree(tmp_path / "site") == before


def test_quiet_prints_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "-q", "--as-of", "2026-06-01", "-d", "out"], catch_exceptions=False)
    assert result.exit_code == 0 and result.output == ""
    assert (tmp_path / "out" / "stories" / "amir" / "index.html").is_file()


def test_another_day_is_a_preview_that_leaves_the_live_site_report_and_cache_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_project(tmp_path)
    Image.fromarray(scene(640, 480, seed=9)).save(project.photos / "later.jpg")
    later = "consent:\n  portrait: true\n  testimony: true\n  given: 2029-06-01\n"
    project.story(
        "later", "pseudonym: Ilyas\nphotos:\n  - file: later.jpg\n    alt: A yard\n", "Soon.\n", consent=later
    )
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["build", "-q"], catch_exceptions=False).exit_code == 0
    live = {name: tree(tmp_path / name) for name in ("site", "reports", ".anonymize-cache")}
    assert live["site"] and live["reports"] and live[".anonymize-cache"]

    result = runner.invoke(main, ["build", "--as-of", "2030-01-01"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "as of 2030-01-01: PREVIEW, not the live site: 4 stories published to site-as-of-2030-01-01/ "
        "(gallery: stories/), checked; report: reports/as-of-2030-01-01/index.html"
    )
    assert (tmp_path / "site-as-of-2030-01-01" / "stories" / "amir" / "index.html").is_file()
    # Consent from 2029 on: the photo is made for the draft preview, never into the live cache,
    # and the curator can decide from the preview's report.
    result = runner.invoke(main, ["review", "--as-of", "2030-01-01"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [
        "report: reports/as-of-2030-01-01/index.html; draft: site-draft-as-of-2030-01-01/",
        "waiting    later: not reviewed yet",
    ]
    assert (tmp_path / "site-draft-as-of-2030-01-01" / "stories" / "ilyas" / "index.html").is_file()
    result = runner.invoke(main, ["approve", "later", "--as-of", "2030-01-01"], catch_exceptions=False)
    assert result.exit_code == 0, result.output

    result = runner.invoke(main, ["build", "-q", "--as-of", "2030-01-01", "-d", "site"], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr == (
        "anonymize: site: a look at another day (--as-of) never replaces the live site; choose another folder (-d)\n"
    )
    for name in ("site", ".anonymize-cache"):
        assert tree(tmp_path / name) == live[name], name
    reports = {path: data for path, data in tree(tmp_path / "reports").items() if not path.startswith("as-of-")}
    assert reports == live["reports"]
