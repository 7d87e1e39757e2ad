"""The reporting pipeline: artifacts -> parse -> model -> evaluate -> render -> publish."""
