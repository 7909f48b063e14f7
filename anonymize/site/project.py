"""Read a project's settings from its mkdocs.yml, as the plugin sees them."""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import ConfigurationError

from anonymize.errors import InputError
from anonymize.exhibition.project import Project
from anonymize.site.plugin import AnonymizePlugin
from anonymize.site.settings import project_of


def project_config(config_file: Path) -> tuple[MkDocsConfig, AnonymizePlugin]:
    """The project's MkDocs configuration and its ``anonymize`` plugin (which must be listed)."""
    if not config_file.is_file():
        raise InputError(config_file, "no such file: the project's mkdocs.yml")
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    try:
        config = load_config(str(config_file))
    except ConfigurationError as err:
        raise InputError(config_file, str(err).strip() or "not a valid MkDocs configuration") from None
    plugin = config.plugins.get("anonymize")
    if not isinstance(plugin, AnonymizePlugin):
        raise InputError(
            config_file, "plugins: 'anonymize' is not listed, so its settings (redact, folders) are unknown"
        )
    return config, plugin


def load_project(config_file: Path) -> Project:
    """The project whose mkdocs.yml is ``config_file``, as the build sees it."""
    return project_of(project_config(config_file)[1].config, config_file)
