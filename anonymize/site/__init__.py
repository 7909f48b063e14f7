"""The MkDocs side: the ``anonymize`` plugin and how a project's settings are read from mkdocs.yml."""
