"""Verdicts: model values (and a baseline) in, gate results out. Pure functions, no I/O."""
