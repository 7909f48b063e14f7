"""``anonymize build``: exit codes and one line per failure, naming the file."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Callable
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
    preview = tmp_path / "site-as-of-2030-01-01"
    for page in ("index.html", "stories/amir/index.html"):
        html = (preview / page).read_text(encoding="utf-8")
        # Marked on every page, and kept from search engines: never mistaken for the exhibition.
        assert "PREVIEW of 2030-01-01: consent judged on that day; not the live exhibition, do not publish" in html
        assert '<meta name="robots" content="noindex, nofollow">' in html
        assert "PREVIEW" not in (tmp_path / "site" / page).read_text(encoding="utf-8")
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


def _with(path: str, find: str, put: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        file = root / path
        text = file.read_text(encoding="utf-8") if file.exists() else ""
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text.replace(find, put) if find else text + put, encoding="utf-8")

    return change


@pytest.mark.parametrize(
    ("change", "line", "mkdocs_status"),
    [
        (
            _with("mkdocs.yml", "", "repo_url: https://example.org/x/y\n"),
            "mkdocs.yml: repo_url: remove it; the theme would fetch the repository's star counts from its host",
            2,
        ),
        (
            _with("mkdocs.yml", "", "extra:\n  analytics: {provider: google, property: G-1}\n"),
            "mkdocs.yml: extra.analytics: remove it; analytics tell a third party who reads the exhibition",
            2,
        ),
        (
            _with("mkdocs.yml", "  font: false\n", "  font: {text: Roboto}\n"),
            "mkdocs.yml: theme.font: set it to false; the theme would load its fonts from Google's servers",
            2,
        ),
        (
            _with("mkdocs.yml", "", "extra_css: [https://cdn.example.org/a.css]\n"),
            "mkdocs.yml: extra_css: https://cdn.example.org/a.css is on another host; ship the file with the site",
            2,
        ),
        (
            _with("docs/stories/index.md", "", "# Mine\n"),
            "docs/stories/index.md: the exhibition generates this file; rename yours",
            2,
        ),
        (
            _with("stories/lena.md", "pseudonym: Lena", "pseudonym: Amir"),
            "stories/zelimkhan-real-name.md: pseudonym: already used by stories/lena.md",
            2,
        ),
        # MkDocs' own refusals: anonymize build says them as its own; MkDocs exits 1 for them.
        (
            _with("docs/index.md", "", "\n[gone](nowhere.md)\n"),
            "docs/index.md: contains a link 'nowhere.md', but the target is not found among documentation files.",
            None,
        ),
        (
            _with("mkdocs.yml", "site_name: Test exhibition\n", ""),
            "mkdocs.yml: site_name: Required configuration not provided.",
            1,
        ),
    ],
)
def test_bad_configuration_is_one_line_and_exit_2_from_build_stories_and_mkdocs(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[Path], None],
    line: str,
    mkdocs_status: int | None,
) -> None:
    write_project(tmp_path)
    change(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = tree(tmp_path / "site")
    result = CliRunner().invoke(main, ["build", "-q"], catch_exceptions=False)
    assert (result.exit_code, result.stderr) == (2, f"anonymize: {line}\n")
    assert tree(tmp_path / "site") == before
    if line.startswith("stories/"):
        result = CliRunner().invoke(main, ["stories"], catch_exceptions=False)
        assert (result.exit_code, result.stderr) == (2, f"anonymize: {line}\n")
    if mkdocs_status is None:  # a plain mkdocs build is not strict unless mkdocs.yml says so
        return
    plain = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert plain.returncode == mkdocs_status, plain.stderr
    assert line in plain.stderr.replace("Config value 'site_name': ", "mkdocs.yml: site_name: ")
