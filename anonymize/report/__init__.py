"""The curator report: a JSON document first, the local HTML page rendered from it."""
