"""One person's story: a story file in, a publishable story (or the reason it is not) out.

``load_exhibition(settings, as_of)`` is the entry point; see :mod:`anonymize.stories.publish`.
"""
