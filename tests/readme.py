"""The README's command blocks and the ``--help`` examples, run against the sample as written.

Every fenced block of README.md carries a marker, an HTML comment on the line before it
(GitHub does not show it), saying how the documentation test holds it to the truth:

``<!-- test: run -->``
    Each line is a command, run in a fresh copy of the sample exhibition (one copy per block,
    lines in order); each must exit 0. ``anonymize serve`` and ``anonymize studio`` are
    started, the page they announce is fetched, and they are stopped. ``pip install`` runs with
    ``--no-index``: the test environment must already have what it names; nothing is fetched.
``<!-- test: output -->``, ``<!-- test: output; setup: SHELL -->``
    A console block: each ``$ command`` is run (after SHELL changed the copy, e.g. broke a
    story on purpose) and what it prints, standard output and error in order, must be the
    lines under it. ``python -m tests.readme --update`` writes what they print now.
``<!-- test: mkdocs.yml -->``, ``<!-- test: mkdocs.yml plugins -->``
    A complete mkdocs.yml the sample must build with (or only its plugins section, in the
    sample's file).
``<!-- test: story amir -->``
    A story's front matter: written over the sample's ``stories/amir.md`` (without its
    ``withdrawn`` line, which would leave the rest unread), it must load and be published.
``<!-- test: synopsis -->``
    Usage lines: every option they show is one the command's ``--help`` lists.
``<!-- test: report -->``
    The JSON report: every key it shows is one that ``anonymize image --json`` writes.
``<!-- test: ci -->``
    Installs from PyPI: ``.ci/run`` runs these blocks verbatim, on a fresh clone.

Examples in ``--help`` (the lines under ``Example:``) are run like ``run`` blocks.
"""

from __future__ import annotations

import functools
import http.client
import json
import os
import queue
import re
import shlex
import shutil
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"
#: What a copy of the sample holds (as a fresh clone has it).
SAMPLE = ("mkdocs.yml", "reviews.yml", "docs", "stories", "photos")
KINDS = ("run", "output", "mkdocs.yml", "story", "synopsis", "report", "ci")
_MARKER = re.compile(r"^<!-- test: (?P<kind>[\w.]+)(?P<detail>[^;]*?)(?:; setup: (?P<setup>.*?))? -->$")
_FENCE = re.compile(r"^```(?P<lang>\w*)\s*$")
#: Commands that serve until stopped, and what they print when ready.
_SERVES = ("anonymize serve", "anonymize studio")
_ADDRESS = re.compile(r"https?://127\.0\.0\.1:\d+/\S*")
#: The longest a documented command may take (a build of the sample is seconds).
TIMEOUT = 900


@dataclass(frozen=True)
class Block:
    """One fenced block of the README: where it is, how it is tested, what it holds."""

    line: int  # the fence's line number, counted from 1
    kind: str | None
    detail: str
    setup: str | None
    lang: str
    lines: tuple[str, ...]

    @property
    def where(self) -> str:
        return f"README.md line {self.line}"


def blocks(text: str) -> list[Block]:
    """Every fenced block of ``text`` with the marker on the line before it (None: none)."""
    found = []
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        fence = _FENCE.match(lines[index])
        if fence is None:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        marker = _MARKER.match(lines[index - 1].strip()) if index > 0 else None
        kind = marker.group("kind") if marker else None
        detail = marker.group("detail").strip() if marker else ""
        setup = marker.group("setup") if marker else None
        found.append(Block(index + 1, kind, detail, setup, fence.group("lang"), tuple(lines[index + 1 : end])))
        index = end + 1
    return found


def readme_blocks(kind: str) -> list[Block]:
    return [block for block in blocks(README.read_text(encoding="utf-8")) if block.kind == kind]


def commands(lines: tuple[str, ...] | list[str]) -> list[str]:
    """The command lines of a ``run`` block: neither blank nor a comment."""
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


@functools.cache
def help_examples() -> dict[str, list[str]]:
    """Each command's ``--help`` examples (the lines under ``Example:``), by command."""
    from click.testing import CliRunner

    from anonymize.cli import main

    found = {}
    for name in main.list_commands(None):  # type: ignore[arg-type]
        text = CliRunner().invoke(main, [name, "--help"], terminal_width=200).output
        lines = text.split("\n")
        at = next((i for i, line in enumerate(lines) if line.strip() in ("Example:", "Examples:")), None)
        if at is None:
            continue
        example = []
        for line in lines[at + 1 :]:
            if not line.startswith("    ") or not line.strip():
                break
            example.append(line)
        found[name] = commands(example)
    return found


def sample_copy(base: Path, into: Path) -> Path:
    """A fresh copy of ``base`` (a copy of the sample, perhaps with its cache made) at ``into``."""
    shutil.copytree(base, into, symlinks=True)
    return into


def new_sample(into: Path) -> Path:
    """The sample exhibition as a fresh clone has it."""
    into.mkdir(parents=True)
    for name in SAMPLE:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, into / name)
    return into


def environment() -> dict[str, str]:
    """A shell's environment in which ``anonymize``, ``mkdocs`` and ``pip`` are this Python's."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["NO_MKDOCS_2_WARNING"] = "1"
    env.pop("PYTHONPATH", None)
    return env


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``command`` as a shell runs it, standard output and error together, in order."""
    if command.startswith("pip install "):
        command = "pip install --no-index " + command.removeprefix("pip install ")
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def serves(command: str) -> bool:
    return command.startswith(_SERVES)


def serve_and_fetch(command: str, cwd: Path) -> tuple[str, int, str]:
    """Start ``command``, wait until it announces its address, fetch it, stop the command.

    Returns the address, the HTTP status and everything the command printed."""
    process = subprocess.Popen(
        ["bash", "-c", f"exec {command}"],
        cwd=cwd,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    printed: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            printed.put(line)
        printed.put(None)

    threading.Thread(target=read, daemon=True).start()
    seen: list[str] = []
    address = ""
    status = 0
    try:
        while True:
            line = printed.get(timeout=TIMEOUT)
            if line is None:
                break
            seen.append(line)
            found = _ADDRESS.search(line)
            if found:
                address = found.group(0)
                break
        if address:
            parts = urllib.parse.urlsplit(address)
            connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
            connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
            status = connection.getresponse().status
            connection.close()
    finally:
        process.terminate()
        process.wait(timeout=60)
    return address, status, "".join(seen)


def console(lines: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """The ``$ command`` lines of a console block, each with the lines shown under it."""
    shown: list[tuple[str, list[str]]] = []
    for line in lines:
        if line.startswith("$ "):
            shown.append((line[2:], []))
        elif shown:
            shown[-1][1].append(line)
    return shown


def output_of(block: Block, cwd: Path) -> list[tuple[str, list[str]]]:
    """What each command of a console block prints now, run in ``cwd`` after its setup."""
    if block.setup:
        done = shell(block.setup, cwd)
        assert done.returncode == 0, f"{block.where}: the setup failed: {done.stdout}"
    return [(command, shell(command, cwd).stdout.rstrip("\n").split("\n")) for command, _ in console(block.lines)]


def key_paths(value: object, prefix: str = "") -> Iterator[str]:
    """Every key of a JSON document, as a dotted path (list items share their list's path)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{prefix}{key}"
            yield from key_paths(item, f"{prefix}{key}.")
    elif isinstance(value, list):
        for item in value:
            yield from key_paths(item, prefix)


def synopsis_options(lines: tuple[str, ...]) -> dict[str, set[str]]:
    """The options each usage line of a synopsis block shows, by its command (``anonymize image``)."""
    found: dict[str, set[str]] = {}
    command = ""
    for line in lines:
        words = shlex.split(line.replace("[", " ").replace("]", " ").replace("|", " "))
        if words and words[0] == "anonymize":
            command = f"anonymize {words[1]}"
        found.setdefault(command, set()).update(
            word.split("=")[0].split("/")[0] for word in words if word.startswith("-")
        )
    return found


def update() -> int:
    """Write into README.md what every ``output`` block's commands print now."""
    import tempfile

    text = README.read_text(encoding="utf-8")
    lines = text.split("\n")
    with tempfile.TemporaryDirectory() as scratch:
        base = new_sample(Path(scratch) / "base")
        changed = 0
        for number, block in reversed(list(enumerate(blocks(text)))):
            if block.kind != "output":
                continue
            cwd = sample_copy(base, Path(scratch) / f"block-{number}")
            fresh = []
            for command, printed in output_of(block, cwd):
                fresh += [f"$ {command}", *printed]
            if tuple(fresh) != block.lines:
                changed += 1
                lines[block.line : block.line + len(block.lines)] = fresh
    README.write_text("\n".join(lines), encoding="utf-8")
    print(f"README.md: {changed} output block{'' if changed == 1 else 's'} rewritten")
    return 0


def ci_commands() -> list[str]:
    """The ``ci`` blocks' commands, in order: what ``.ci/run`` runs verbatim."""
    return [command for block in readme_blocks("ci") for command in commands(block.lines)]


def main(arguments: list[str]) -> int:
    if arguments == ["--update"]:
        return update()
    if arguments == ["--ci"]:
        print("\n".join(ci_commands()))
        return 0
    print("usage: python -m tests.readme --update | --ci", file=sys.stderr)
    return 2


def load_yaml(lines: tuple[str, ...]) -> object:
    import yaml  # here: .ci/run asks for the ci commands before anything is installed

    return yaml.safe_load("\n".join(lines))


def as_json(lines: tuple[str, ...]) -> object:
    return json.loads("\n".join(lines).replace("…", ""))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
