"""The one exception family of anonymize, and how its messages are made safe to print."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str, limit: int = 200) -> str:
    """Strip control and bidi-override characters from untrusted text and shorten it.

    File names and decoder messages come from outside; printed raw they could move the cursor,
    rewrite the terminal line or reorder what the curator reads.
    """
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("?", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def display_path(path: str | os.PathLike[str]) -> str:
    """Render a path the way the user typed it, made safe to print."""
    return printable(os.fspath(path), limit=400)


def shown(path: Path) -> Path:
    """``path`` relative to the working folder when it is inside it, as the user would type it."""
    return path.relative_to(Path.cwd()) if path.is_absolute() and path.is_relative_to(Path.cwd()) else path


class AnonymizeError(Exception):
    """Base of every error anonymize raises on purpose; its message names the file."""

    exit_code = 1

    def __init__(self, path: str | os.PathLike[str] | None, reason: str) -> None:
        self.path = Path(path) if path is not None else None
        self.reason = printable(reason, limit=400)
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.path is None:
            return self.reason
        return f"{display_path(self.path)}: {self.reason}"

    def lines(self) -> list[str]:
        """One line per problem when the error gathers several (its own message sums them up)."""
        return []


def printed(err: AnonymizeError) -> list[str]:
    """What to print of ``err``: one problem as its one line; several, one line each and a sum."""
    lines = err.lines()
    return lines if len(lines) == 1 else [*lines, str(err)]


class InputError(AnonymizeError):
    """Raised by loaders and option parsers when an input cannot be used as given."""

    exit_code = 2


class VerificationError(AnonymizeError):
    """Raised by the verifier when a written file cannot be proven clean; nothing is published."""

    exit_code = 1


class InputErrors(InputError):
    """Raised by the story loader when inputs are bad: every problem of the run, reported together."""

    def __init__(self, problems: list[InputError]) -> None:
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(None, f"{len(problems)} {noun} in the input; nothing was published")

    def lines(self) -> list[str]:
        """One line per problem, each naming its file (and field)."""
        return [str(problem) for problem in self.problems]


class BuildErrors(AnonymizeError):
    """Raised by the site build when anything publishable failed: every failure of the run, together."""

    def __init__(self, problems: list[str], exit_code: int = 1) -> None:
        self.problems = [printable(problem, limit=400) for problem in problems]
        self.exit_code = exit_code
        noun = "failure" if len(problems) == 1 else "failures"
        super().__init__(None, f"{len(problems)} {noun}; the site was not published")

    def lines(self) -> list[str]:
        return list(self.problems)


class SiteFindings(AnonymizeError):
    """Raised by ``anonymize check`` when a built site holds anything it must not: every finding."""

    def __init__(self, findings: list[str]) -> None:
        self.findings = [printable(finding, limit=400) for finding in findings]
        noun = "finding" if len(findings) == 1 else "findings"
        super().__init__(None, f"{len(findings)} {noun}; do not publish this site as it is")

    def lines(self) -> list[str]:
        return list(self.findings)
