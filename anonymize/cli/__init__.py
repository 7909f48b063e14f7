"""The ``anonymize`` command: parses options, calls the library, prints, maps errors to exit codes.

Exit codes: 0 done, 1 verification failed, 2 bad input or usage.
"""

from __future__ import annotations

import signal
from types import FrameType

import click

from anonymize import __version__
from anonymize.cli.build import build_command, serve_command
from anonymize.cli.check import check_command
from anonymize.cli.image import image_command
from anonymize.cli.review import approve_command, reject_command, review_command
from anonymize.cli.stories import stories_command
from anonymize.cli.studio import studio_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
