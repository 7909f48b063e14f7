"""Finders: what in a picture must be redacted. Faces now; text and subject masks later."""
