"""What several commands share: the project options, and how an error ends a command."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from anonymize.errors import AnonymizeError, printed

Command = TypeVar("Command", bound=Callable[..., Any])

CONFIG_FILE = click.option(
    "-f",
    "--config-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default="mkdocs.yml",
    show_default=True,
    help="The project's MkDocs configuration, with the anonymize plugin's settings.",
)


def as_of_option(text: str) -> Callable[[Command], Command]:
    """``--as-of YYYY-MM-DD``: the day consent is judged on."""
    return click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help=text)


def fail(err: AnonymizeError) -> NoReturn:
    """Print ``err``, one line per problem naming its file (several: then their sum); exit."""
    for line in printed(err):
        click.echo(f"anonymize: {line}", err=True)
    sys.exit(err.exit_code)
