"""The ``anonymize`` command: parses options, calls the library, prints, maps errors to exit codes.

Exit codes: 0 done, 1 verification failed, 2 bad input or usage.
"""

from __future__ import annotations

import re
import signal
from types import FrameType
from typing import Any

import click

from anonymize import __version__
from anonymize.cli.build import build_command, serve_command
from anonymize.cli.check import check_command
from anonymize.cli.image import image_command
from anonymize.cli.review import approve_command, reject_command, review_command
from anonymize.cli.stories import stories_command
from anonymize.cli.studio import studio_command


class _UsageLine(click.ClickException):
    """A mistake in how a command was called, told in one line as every other error is."""

    exit_code = 2

    def __init__(self, err: click.UsageError) -> None:
        message = " ".join(err.format_message().split())
        message = re.sub(r"^Invalid value for '([^']+)': ", r"\1: ", message)
        where = err.ctx.command_path if err.ctx is not None else "anonymize"
        super().__init__(f"{message.rstrip('.')} (see {where} --help)")

    def show(self, file: object = None) -> None:
        click.echo(f"anonymize: {self.format_message()}", err=True)


class _Main(click.Group):
    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as err:
            raise _UsageLine(err) from None

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except click.UsageError as err:
            raise _UsageLine(err) from None


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="anonymize")
def main() -> None:
    """Turn portraits of people at risk into pictures safe to publish."""
    # A polite kill (SIGTERM) unwinds like Ctrl-C, so temporary files are removed on the way out.
    signal.signal(signal.SIGTERM, _terminate)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


main.add_command(build_command)
main.add_command(serve_command)
main.add_command(image_command)
main.add_command(stories_command)
main.add_command(review_command)
main.add_command(approve_command)
main.add_command(reject_command)
main.add_command(check_command)
main.add_command(studio_command)
