"""``anonymize check``: verify a built site on its own, without trusting the build that made it.

Every file must be the one the build listed in its manifest; then, whatever the manifest says,
every picture must be free of metadata and of faces, no file may be or name an original, no page
may load anything from another host, and no withheld term may appear anywhere.
"""

from anonymize.check.site import CHECKS, Expectations, SiteCheck, SiteFinding, check_site, expectations, write_manifest

__all__ = ["CHECKS", "Expectations", "SiteCheck", "SiteFinding", "check_site", "expectations", "write_manifest"]
