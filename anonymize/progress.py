"""What a long build is doing: a bar on a terminal, plain lines in a log, or nothing.

The build reports stages ("photos", "site check") and steps within them; how they are shown
is the caller's choice (``progress_for``). Lines name the user's own files only, as the build's
error messages do, and go to standard error with them.
"""

from __future__ import annotations

import sys
import time
from abc import ABC, abstractmethod
from typing import NoReturn, TextIO

from tqdm import tqdm

from anonymize.errors import printable


class Progress(ABC):
    """Stages of work, one at a time, each with a known number of steps."""

    @abstractmethod
    def start(self, stage: str, total: int, done: int = 0, note: str = "") -> None:
        """A stage of ``total`` steps begins, ``done`` of them already done (from the cache)."""

    @abstractmethod
    def step(self, note: str = "") -> None:
        """One more step of the current stage is done; ``note`` says which."""

    @abstractmethod
    def finish(self) -> None:
        """The current stage is over."""


class Quiet(Progress):
    """Nothing at all (``--quiet``): errors still reach standard error."""

    def start(self, stage: str, total: int, done: int = 0, note: str = "") -> None:
        pass

    def step(self, note: str = "") -> None:
        pass

    def finish(self) -> None:
        pass


class Lines(Progress):
    """A line per step, for logs and pipes: ``anonymize: photos 3/40 stories/amir.md: window.jpg``."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self.stage, self.total, self.done, self.began = "", 0, 0, 0.0

    def _print(self, text: str) -> None:
        print(f"anonymize: {printable(text, limit=300)}", file=self.stream or sys.stderr, flush=True)

    def start(self, stage: str, total: int, done: int = 0, note: str = "") -> None:
        self.stage, self.total, self.done, self.began = stage, total, done, time.monotonic()
        if total:
            self._print(f"{stage}: {total}{f' ({note})' if note else ''}")

    def step(self, note: str = "") -> None:
        self.done += 1
        self._print(f"{self.stage} {self.done}/{self.total}{f' {note}' if note else ''}")

    def finish(self) -> None:
        if self.total:
            self._print(f"{self.stage}: done in {time.monotonic() - self.began:.1f} s")


class Bar(Progress):
    """A tqdm bar on the terminal: count, rate and time left."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self._bar: tqdm[NoReturn] | None = None

    def start(self, stage: str, total: int, done: int = 0, note: str = "") -> None:
        self.finish()
        if total:
            self._bar = tqdm(
                total=total,
                initial=done,
                desc=f"anonymize: {stage}",
                postfix=note or None,
                file=self.stream or sys.stderr,
                dynamic_ncols=True,
                leave=True,
            )

    def step(self, note: str = "") -> None:
        if self._bar is not None:
            self._bar.update(1)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def progress_for(quiet: bool = False, stream: TextIO | None = None) -> Progress:
    """Nothing when ``quiet``; a bar when ``stream`` (default standard error) is a terminal; lines otherwise."""
    if quiet:
        return Quiet()
    target = stream or sys.stderr
    return Bar(stream) if target.isatty() else Lines(stream)
