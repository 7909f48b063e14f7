"""``anonymize build``: exit codes and one line per failure, naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from anonymize.cli import main
from tests.site.projects import write_project
from tests.site.site_reader import tree


def test_build_prints_a_summary_and_a_broken_photo_exits_2_leaving_the_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "--as-of", "2026-06-01"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "as of 2026-06-01: 4 stories published to site/ (gallery: stories/), checked; report: reports/index.html"
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
    result = CliRunner().invoke(main, ["build", "-q", "--as-of", "2026-06-01"], catch_exceptions=False)
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
