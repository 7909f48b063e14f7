"""``anonymize studio``: the project in a local browser, to look, correct and decide."""

from __future__ import annotations

import webbrowser
from pathlib import Path

import click

from anonymize.cli.common import CONFIG_FILE, fail
from anonymize.errors import AnonymizeError, InputError
from anonymize.progress import progress_for
from anonymize.studio.server import StudioServer


@click.command("studio")
@CONFIG_FILE
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Listen on this port (default: a free one).")
@click.option("--no-browser", is_flag=True, help="Only print the address; do not open a browser.")
@click.option("-q", "--quiet", is_flag=True, help="No progress while the first draft is built.")
def studio_command(config_file: Path, port: int, no_browser: bool, quiet: bool) -> None:
    """Open the project in a local web page: look at every story and photo, correct, approve.

    Builds the draft and the report (as `anonymize review` does), then listens on 127.0.0.1
    only and prints the address to open, with the key it needs; Ctrl-C stops it. Changes are
    written into the story files and reviews.yml, then the draft is built again.

    \b
    Example:
      anonymize studio
    """
    try:
        server = StudioServer(config_file, port, progress=progress_for(quiet))
    except OSError as err:
        fail(InputError(None, f"--port {port}: cannot listen there ({err.strerror or err})"))
    except AnonymizeError as err:
        fail(err)
    server.studio.rebuild()
    for line in server.studio.failure:
        click.echo(f"anonymize: {line}", err=True)
    click.echo(f"studio: {server.url}")
    click.echo("local only; the address holds a key, keep it to yourself. Ctrl-C stops the studio.")
    if not no_browser:
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
    click.echo("studio stopped")
