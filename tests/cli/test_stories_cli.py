"""``anonymize stories`` and the plugin from the outside: the sample project, bad input, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from anonymize.cli import main
from tests.stories.project import Project

REPO = Path(__file__).resolve().parents[2]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["stories", *args], catch_exceptions=False)


def test_the_sample_exhibition(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two stories with photos (one in Russian), one withdrawn, one text only: as the sample promises."""
    monkeypatch.chdir(REPO)
    result = run("--as-of", "2026-11-21")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "as of 2026-11-21: 3 stories to publish",
        "published  amir: testimony, 2 photos, 4 terms withheld, consent expires 2029-03-01",
        "published  lena: testimony, 1 term withheld",
        "published  nadia: testimony, 1 photo, 3 terms withheld",
        "excluded   lena: photo sample/grace_hopper.jpg: no consent to publish portraits",
        "excluded   musa: story: consent withdrawn on 2025-06-01",
    ]


def test_planning_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = run("--as-of", "2029-03-01")
    assert result.exit_code == 0
    assert "excluded   amir: story: consent expired on 2029-03-01 (as of 2029-03-01)" in result.stdout.splitlines()


def test_json_names_no_testimony(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = run("--as-of", "2026-11-21", "--json")
    report = json.loads(result.stdout)
    assert [s["story"] for s in report["published"]] == ["amir", "lena", "nadia"]
    assert report["published"][0]["withheld"]["Zelimkhan"] == 1
    assert [(e["story"], e["part"]) for e in report["excluded"]] == [
        ("lena", "photo sample/grace_hopper.jpg"),
        ("musa", "story"),
    ]
    assert "bakery" not in result.stdout


def test_bad_stories_exit_2_with_one_line_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = Project(tmp_path)
    project.mkdocs_yml(redact=["x"])
    project.story("a", "pseudonym: A\n", consent="consent: {portrait: true, testimony: true, given: yesterday}\n")
    project.story("b", "pseudonym: B\n", body="Call +7 928 123-45-67.\n")
    monkeypatch.chdir(tmp_path)
    result = run()
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "anonymize: mkdocs.yml: plugins.anonymize.redact[0]: too short to withhold safely "
        "(at least 2 letters or digits)",
        "anonymize: stories/a.md: consent.given: expected a date (YYYY-MM-DD), got 'yesterday'",
        "anonymize: stories/b.md: testimony, line 8, column 6: phone number (16 characters): "
        "add it to 'redact' to withhold it or to 'allow' to publish it",
        "anonymize: 3 problems in the input; nothing was published",
    ]


def test_the_plugin_must_be_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run()
    assert result.exit_code == 2
    assert result.stderr.startswith("anonymize: mkdocs.yml: plugins: 'anonymize' is not listed")


def test_a_missing_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("-f", "nowhere.yml")
    assert result.exit_code == 2
    assert result.stderr == "anonymize: nowhere.yml: no such file: the project's mkdocs.yml\n"


def test_mkdocs_build_fails_on_a_bad_story(tmp_path: Path) -> None:
    """The plugin checks stories on every ``mkdocs build``, not only in ``anonymize`` commands."""
    project = Project(tmp_path)
    project.mkdocs_yml()
    project.story("a", "pseudonym: A\ntitel: x\n")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "stories/a.md: titel: unknown field (did you mean 'title'?)" in result.stderr
    assert not (tmp_path / "site" / "index.html").exists()
