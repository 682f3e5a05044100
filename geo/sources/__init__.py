"""The data pipeline: the source registry, fetching and parsing the official exports, validation,
normalisation, the atomic build, and reading the built store with its provenance.
"""
