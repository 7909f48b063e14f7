"""One photo: original in, verified publishable file out."""
