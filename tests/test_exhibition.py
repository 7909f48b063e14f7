"""The build as a library: the sample's statuses and curator report, with no MkDocs at all."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: The sample's mkdocs.yml, said in the library's own values (no MkDocs configuration is read).
SCRIPT = textwrap.dedent(
    """\
    import datetime as dt, json, sys, tempfile
    from pathlib import Path

    from anonymize.cache import Cache, held
    from anonymize.config import ImageSettings, StorySettings, TextSettings
    from anonymize.exhibition.curation import curate
    from anonymize.exhibition.pictures import make_pictures
    from anonymize.exhibition.project import Project
    from anonymize.exhibition.report import write_curator_report
    from anonymize.review import Reviews
    from anonymize.stories.publish import load_exhibition

    root = Path(sys.argv[1])
    project = Project(
        root / "mkdocs.yml",
        StorySettings(root / "stories", root / "photos", ("Grozny", "Грозный"), "en", root / "mkdocs.yml"),
        ImageSettings(text=TextSettings(True, 12), background="keep"),
        reports_dir=root / "reports",
        cache_dir=root / ".anonymize-cache",
        reviews_file=root / "reviews.yml",
    )
    exhibition = load_exhibition(project.stories, dt.date(2026, 12, 1))
    reviews = Reviews.load(project.reviews_file)
    with held(project.cache_dir) as folder, tempfile.TemporaryDirectory() as scratch:
        pictures = make_pictures(exhibition, Cache(folder / "pictures"), project.images)
        curation = curate(exhibition, pictures, reviews, project.images)
        report = write_curator_report(project, exhibition, pictures, curation, scratch=Path(scratch))
    print(json.dumps({
        "statuses": {entry.slug: entry.status.state for entry in report.stories},
        "publish": sorted(story.slug for story in curation.publish),
        "page": str(report.page.relative_to(root)),
        "mkdocs": sorted(name for name in sys.modules if name.split(".")[0] in ("mkdocs", "material")),
    }))
    """
)


def test_the_sample_is_curated_and_reported_through_the_library_alone(tmp_path: Path) -> None:
    for name in ("mkdocs.yml", "reviews.yml", "stories", "photos"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["mkdocs"] == []  # nothing of MkDocs was imported, let alone configured
    assert outcome["statuses"] == {"amir": "published", "lena": "published", "musa": "excluded", "nadia": "published"}
    assert outcome["publish"] == ["amir", "lena", "nadia"]
    assert outcome["page"] == "reports/index.html"
    document = json.loads((tmp_path / "reports" / "report.json").read_text())
    amir = next(entry for entry in document["stories"] if entry["story"] == "amir")
    assert [photo["file"] for photo in amir["photos"]] == ["sample/astronaut.jpg", "sample/bridge.jpg"]
    assert all((tmp_path / "reports" / photo["preview"]).is_file() for photo in amir["photos"])
    assert amir["page"] is None and all(photo["published"] == [] for photo in amir["photos"])  # no site was built
