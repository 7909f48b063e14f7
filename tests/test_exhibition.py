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
    import datetime as dt, json, sys
    from pathlib import Path

    from anonymize.config import ImageSettings, StorySettings, TextSettings
    from anonymize.exhibition.build import Build, BuildOptions
    from anonymize.exhibition.project import Project

    root = Path(sys.argv[1])
    project = Project(
        root / "mkdocs.yml",
        StorySettings(
            root / "stories", root / "photos", ("Grozny", "Грозный"), "en", root / "mkdocs.yml", ("Moscow",)
        ),
        ImageSettings(text=TextSettings(True, 12), background="keep"),
        reports_dir=root / "reports",
        cache_dir=root / ".anonymize-cache",
        reviews_file=root / "reviews.yml",
    )
    with Build(project, BuildOptions(as_of=dt.date(2026, 12, 1), jobs=1)) as build:
        build.make_pictures()
        report = build.write_report()
    curation = build.curation
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
