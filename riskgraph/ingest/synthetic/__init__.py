"""Building blocks of the synthetic province behind ``riskgraph.ingest.generator``.

Kept apart from the generator so that the static tables (names, districts, phrases) and the
identifier codecs can be read and reviewed on their own.
"""
