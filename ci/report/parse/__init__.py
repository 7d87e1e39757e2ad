"""Readers of test artifacts: one module per input format, each turning a file into model values."""
