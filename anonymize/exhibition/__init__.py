"""The build as a library: load the project, make the pictures, decide each story, write the report.

Plain functions over typed values, called by the MkDocs plugin (``site/``), the command line and
anything else that builds an exhibition (a studio, a cluster runner) alike. Nothing here knows
MkDocs: what a story's page is called and how the site is written belong to ``site/``.
"""
