"""The exhibition's layer over each theme it knows: one folder of templates per theme.

The exhibition's pages are the same HTML under every theme (``site/templates``); what differs is
only how a theme's page frame makes room for them, and that is a template override here
(``themes/<theme name>/main.html``), put between a project's own ``custom_dir`` and the theme,
and the rules that point the theme's colours at the exhibition's (``assets/themes/<theme name>.css``,
published inside the exhibition's stylesheet; kept out of the template folder, whose other files
MkDocs would publish as the theme's own).
A theme without a folder here still shows the pages, inside its usual frame.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.theme import Theme

LAYERS = Path(__file__).parent
RULES = LAYERS.parent / "assets" / "themes"


def layer(theme_name: str | None) -> Path | None:
    """The folder of templates anonymize lays over ``theme_name``, if it has one."""
    folder = LAYERS / str(theme_name)
    return folder if theme_name and folder.is_dir() else None


def add_layer(theme: Theme) -> None:
    """Put the layer for ``theme`` in its template search path, after the project's custom_dir."""
    folder = layer(theme.name)
    if folder is None or str(folder) in theme.dirs:
        return
    custom = theme.custom_dir
    at = 1 if custom and theme.dirs and Path(theme.dirs[0]) == Path(custom) else 0
    theme.dirs.insert(at, str(folder))


def stylesheet(theme_name: str | None) -> str:
    """The rules anonymize adds for ``theme_name`` after its own (empty for a theme it has no layer for)."""
    css = RULES / f"{theme_name}.css"
    return css.read_text(encoding="utf-8") if theme_name and css.is_file() else ""
