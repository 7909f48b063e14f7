"""A copy of the sample exhibition for each studio test, its draft built once for the session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from anonymize.progress import Quiet
from anonymize.site.build import build_site
from anonymize.studio.server import StudioServer

REPO = Path(__file__).resolve().parents[2]
SAMPLE = ("mkdocs.yml", "reviews.yml", "docs", "stories", "photos")


@pytest.fixture(scope="session")
def sample_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project with its draft and cache built (the slow part, once)."""
    root = tmp_path_factory.mktemp("studio-sample")
    for name in SAMPLE:
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    build_site(root / "mkdocs.yml", draft=True, progress=Quiet())
    return root


@pytest.fixture
def project(sample_built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the built sample: its cache makes the studio's first build quick."""
    root = tmp_path / "project"
    shutil.copytree(sample_built, root, symlinks=True)
    return root


@pytest.fixture
def studio(project: Path) -> Iterator[StudioServer]:
    """The studio of ``project``, serving in a thread of this process, its draft built."""
    server = StudioServer(project / "mkdocs.yml")
    server.studio.rebuild()
    assert server.studio.failure == []
    server.start()
    yield server
    server.stop()
