"""How long a person waits in the studio between saving a change and seeing the photo again.

    PYTHONPATH=. python -m benchmarks.studio_change [--repeat 3]

Copies the sample exhibition into a temporary folder, builds its draft once (the cache), then
times what the studio does for each change, as the browser's POST does it: write the story file
(``anonymize.stories.edit``) and build the draft and report again. Prints the seconds of a
rebuild with nothing changed (median), of a region drawn on one photo (that photo is made again,
the others come from the cache; median), of a keep and of taking it back (mean), and each one's
ratio to the unchanged rebuild.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from anonymize.progress import Quiet
from anonymize.stories.edit import AddKeep, AddRegion, Edit, RemoveKeep, edit_story
from anonymize.studio.app import Studio
from benchmarks.image_vs_pillow import median_time

REPO = Path(__file__).resolve().parents[1]
SAMPLE = ("mkdocs.yml", "reviews.yml", "docs", "stories", "photos")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name in SAMPLE:
            source = REPO / name
            (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
        studio = Studio(root / "mkdocs.yml", progress=Quiet())
        studio.rebuild()
        story = root / "stories" / "amir.md"
        entry = studio.entry("amir")
        assert entry is not None and not studio.failure
        text_box = tuple(entry["photos"][1]["image"]["regions"][0]["box"])  # type: ignore[index]
        counter = iter(range(10_000))

        def change(*edits: Edit) -> Callable[[], None]:
            def run() -> None:
                for edit in edits:
                    edit_story(story, edit)
                studio.rebuild()
                assert not studio.failure, studio.failure

            return run

        def region() -> None:
            n = next(counter)
            change(AddRegion("sample/bridge.jpg", "box", (40 + n, 60, 120, 90), "a sign"))()

        unchanged = median_time(studio.rebuild, args.repeat)
        drawn = median_time(region, args.repeat)
        box: tuple[int, int, int, int] = text_box
        kept = taken_back = 0.0
        for _ in range(args.repeat):
            kept += median_time(change(AddKeep("sample/bridge.jpg", box, "railing")), 1) / args.repeat
            taken_back += median_time(change(RemoveKeep("sample/bridge.jpg", box)), 1) / args.repeat
        print(f"rebuild, nothing changed: {unchanged:.2f} s")
        print(f"a region drawn on the 1600 px photo: {drawn:.2f} s ({drawn / unchanged:.1f}x)")
        print(f"a detected region kept as photographed: {kept:.2f} s ({kept / unchanged:.1f}x)")
        print(f"the keep taken back (the photo made again): {taken_back:.2f} s ({taken_back / unchanged:.1f}x)")


if __name__ == "__main__":
    main()
