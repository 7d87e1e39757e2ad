"""Renderers: a :class:`~ci.report.model.Report` in, text out. No I/O here."""
