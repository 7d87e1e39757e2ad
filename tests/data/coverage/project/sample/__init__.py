"""A tiny package measured by the sample coverage runs (see tests/data/coverage/README.md)."""
