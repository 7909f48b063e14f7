"""``anonymize check``: verify a built site on its own, without trusting the build that made it.

Every file must be the one the build listed in its manifest; then, whatever the manifest says,
every picture must be free of metadata and of faces, no file may be or name an original, no page
may load anything from another host, and no withheld term may appear anywhere.

What it re-implements, so that a mistake in the builder cannot hide itself: reading the site
(its own HTML, CSS and picture readers in ``readers``, trusting no record of the build but the
manifest), and every judgement of what is wrong. What it deliberately shares with the builder,
and why: the face detectors (``FaceFinder``: the best ones there are, and a second set of
weights to keep current would be worse, not more independent), the withheld terms and the
matching of their forms (``stories.text.Redactor``: a term must be found in every form the
stories stage withholds it in), and the cache store and worker pool (plumbing, not judgement).
The manifest is written by the build that made the files (``exhibition.build.write_manifest``)
and only read here. A face in a region a story keeps as photographed (``keep:``) is not a
finding, but not on the build's word: the check reads the keeps from the stories and the
original from the photos folder, and excuses a face only where the picture shows what that
original shows there, scaled.
"""

from anonymize.check.site import CHECKS, MANIFEST, Expectations, SiteCheck, SiteFinding, check_site, expectations

__all__ = ["CHECKS", "MANIFEST", "Expectations", "SiteCheck", "SiteFinding", "check_site", "expectations"]
