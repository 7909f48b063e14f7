"""The README tells the truth: its commands run on the sample as written, and print what it shows.

How each block is held to it is in ``tests/readme.py``; after a change that alters a shown
output, look at it and write it in with ``python -m tests.readme --update``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from anonymize.cli import main
from tests import readme
from tests.readme import Block

ALL = readme.blocks(readme.README.read_text(encoding="utf-8"))


def _id(block: Block) -> str:
    return f"line-{block.line}"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample as a fresh clone has it, built once so each block's copy starts with its cache
    (what the blocks print does not depend on it: only how long they take)."""
    base = readme.new_sample(tmp_path_factory.mktemp("readme") / "sample")
    built = readme.shell("anonymize build -q", base)
    assert built.returncode == 0, built.stdout
    return base


def test_every_block_says_how_it_is_tested() -> None:
    unmarked = [f"{b.where}: {b.kind or 'no <!-- test: … --> marker'}" for b in ALL if b.kind not in readme.KINDS]
    assert unmarked == [], "mark each block (kinds: tests/readme.py)"
    assert {b.kind for b in ALL} == set(readme.KINDS), "a kind no block uses any more: take it out"


def test_the_ci_blocks_are_what_ci_runs() -> None:
    """The quick start's two commands, verbatim in .ci/run's hands (it reads them from here)."""
    assert [b.line for b in readme.readme_blocks("ci")] == [b.line for b in ALL[:2]]
    assert (
        readme.ci_commands()[-1]
        == "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest"
    )
    ci = (readme.ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m tests.readme --ci" in ci
    printed = subprocess.run(
        [sys.executable, "-m", "tests.readme", "--ci"], cwd=readme.ROOT, capture_output=True, text=True
    )
    assert printed.returncode == 0 and printed.stdout.splitlines() == readme.ci_commands()


def _run(commands: list[str], cwd: Path, where: str) -> None:
    assert commands, f"{where}: no command"
    for command in commands:
        if readme.serves(command):
            address, status, printed = readme.serve_and_fetch(command, cwd)
            assert address and 200 <= status < 400, (
                f"{where}: {command!r} served {address or 'nothing'} ({status}):\n{printed}"
            )
            continue
        done = readme.shell(command, cwd)
        assert done.returncode == 0, f"{where}: {command!r} exited {done.returncode}:\n{done.stdout}"


@pytest.mark.parametrize("block", readme.readme_blocks("run"), ids=_id)
def test_run_blocks_run(block: Block, sample: Path, tmp_path: Path) -> None:
    _run(readme.commands(block.lines), readme.sample_copy(sample, tmp_path / "sample"), block.where)


@pytest.mark.parametrize("command", sorted(readme.help_examples()))
def test_help_examples_run(command: str, sample: Path, tmp_path: Path) -> None:
    _run(
        readme.help_examples()[command], readme.sample_copy(sample, tmp_path / "sample"), f"anonymize {command} --help"
    )


@pytest.mark.parametrize("block", readme.readme_blocks("output"), ids=_id)
def test_output_blocks_print_what_they_show(block: Block, sample: Path, tmp_path: Path) -> None:
    shown = readme.console(block.lines)
    assert shown, f"{block.where}: no '$ command' line"
    printed = readme.output_of(block, readme.sample_copy(sample, tmp_path / "sample"))
    assert printed == shown, f"{block.where} drifted: look, then python -m tests.readme --update"


@pytest.mark.parametrize("block", readme.readme_blocks("mkdocs.yml"), ids=_id)
def test_mkdocs_yml_blocks_build_the_sample(block: Block, sample: Path, tmp_path: Path) -> None:
    cwd = readme.sample_copy(sample, tmp_path / "sample")
    text = "\n".join(block.lines) + "\n"
    if block.detail == "plugins":
        settings = readme.load_yaml(block.lines)
        assert isinstance(settings, dict) and set(settings) == {"plugins"}, f"{block.where}: not only plugins"
        whole = yaml.safe_load((cwd / "mkdocs.yml").read_text(encoding="utf-8"))
        text = yaml.safe_dump(whole | settings, allow_unicode=True)
    (cwd / "mkdocs.yml").write_text(text, encoding="utf-8")
    done = readme.shell("anonymize build -q", cwd)
    assert done.returncode == 0, f"{block.where}: the sample does not build with it:\n{done.stdout}"


@pytest.mark.parametrize("block", readme.readme_blocks("story"), ids=_id)
def test_story_blocks_load(block: Block, sample: Path, tmp_path: Path) -> None:
    cwd = readme.sample_copy(sample, tmp_path / "sample")
    story = cwd / "stories" / f"{block.detail}.md"
    story.write_text("\n".join(line for line in block.lines if "withdrawn:" not in line) + "\n", encoding="utf-8")
    done = readme.shell("anonymize stories", cwd)
    assert done.returncode == 0, f"{block.where}: the story does not load:\n{done.stdout}"
    assert f"published  {block.detail}:" in done.stdout, done.stdout


@pytest.mark.parametrize("block", readme.readme_blocks("synopsis"), ids=_id)
def test_synopsis_blocks_name_real_options(block: Block) -> None:
    for command, options in readme.synopsis_options(block.lines).items():
        name = command.split()[1]
        result = CliRunner().invoke(main, [name, "--help"], terminal_width=200)
        assert result.exit_code == 0, f"{block.where}: {command}: no such command"
        unknown = sorted(option for option in options if option not in result.output)
        assert unknown == [], f"{block.where}: {command} has no {', '.join(unknown)}"


@pytest.mark.parametrize("block", readme.readme_blocks("report"), ids=_id)
def test_the_report_block_shows_only_keys_the_report_has(block: Block, sample: Path, tmp_path: Path) -> None:
    """The example shows every key the reports of the sample's photos have, and no other (with a
    blurred background, a drawn polygon, a detected face kept: the example shows all three)."""
    cwd = readme.sample_copy(sample, tmp_path / "sample")

    def report(command: str) -> dict[str, Any]:
        done = readme.shell(command, cwd)
        assert done.returncode == 0, done.stdout
        document = readme.as_json(tuple(done.stdout[done.stdout.index("{") :].split("\n")))
        assert isinstance(document, dict)
        return document

    astronaut = "anonymize image photos/sample/astronaut.jpg -o out/a.jpg --json"
    drawn = report(astronaut + " --region polygon:10,10,60,10,60,60")
    face = next(region["box"] for region in drawn["regions"] if region["reason"] == "face")
    reports = [
        drawn,
        report(astronaut + " --keep " + ",".join(map(str, face))),
        report("anonymize image photos/sample/bridge.jpg -o out/b.jpg --background blur --json"),
        report("anonymize image photos/sample/window.jpg -o out/c.jpg --json"),
    ]
    written = {path for document in reports for path in readme.key_paths(document)}
    shown = set(readme.key_paths(readme.as_json(block.lines)))
    assert (sorted(shown - written), sorted(written - shown)) == ([], []), (
        f"{block.where}: (keys the report does not have, keys it has that the example does not show)"
    )
