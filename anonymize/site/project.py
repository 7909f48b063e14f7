"""Read a project's settings from its mkdocs.yml, as the plugin sees them."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError

from anonymize.errors import InputError, InputErrors, display_path, shown
from anonymize.exhibition.project import Project
from anonymize.site.plugin import AnonymizePlugin
from anonymize.site.settings import project_of

#: How MkDocs words a setting's problem, and a doc file's ("Doc file 'index.md' contains a link …").
_CONFIG_VALUE = re.compile(r"^Config value '([^']+)': ")
_DOC_FILE = re.compile(r"^Doc file '([^']+)' ")


def project_config(config_file: Path) -> tuple[MkDocsConfig, AnonymizePlugin]:
    """The project's MkDocs configuration and its ``anonymize`` plugin (which must be listed)."""
    if not config_file.is_file():
        raise InputError(config_file, "no such file: the project's mkdocs.yml")
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    with mkdocs_messages(logging.ERROR) as errors:
        try:
            config = load_config(str(config_file))
        except ConfigurationError as err:
            raise InputError(config_file, str(err).strip() or "not a valid MkDocs configuration") from None
        except Abort:  # MkDocs logged every reason, then gave up
            reasons = [_CONFIG_VALUE.sub(r"\1: ", line) for line in errors] or ["not a valid MkDocs configuration"]
            raise InputErrors([InputError(config_file, reason) for reason in reasons]) from None
    plugin = config.plugins.get("anonymize")
    if not isinstance(plugin, AnonymizePlugin):
        raise InputError(
            config_file, "plugins: 'anonymize' is not listed, so its settings (redact, folders) are unknown"
        )
    return config, plugin


@contextlib.contextmanager
def mkdocs_messages(level: int = logging.WARNING) -> Iterator[list[str]]:
    """What MkDocs logs at ``level`` or above meanwhile, one line each, instead of printing it
    (its own summary, "Aborted with …", is an exception: the caller prints the reasons)."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage().strip())

    handler = Collect(level)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)


def named(message: str, docs_dir: Path) -> str:
    """An MkDocs message about a doc file as one of ours: the file's path first."""
    return _DOC_FILE.sub(lambda m: f"{display_path(shown(docs_dir / m.group(1)))}: ", message)


def load_project(config_file: Path) -> Project:
    """The project whose mkdocs.yml is ``config_file``, as the build sees it."""
    return project_of(project_config(config_file)[1].config, config_file)
