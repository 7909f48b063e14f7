"""anonymize: turn portraits of people at risk into a static exhibition without exposing them."""

__version__ = "0.1.0"
