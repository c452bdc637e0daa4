"""Errors of the ETL pack's pure functions (turned into InputError or a failed source by the caller)."""


class ExtractionError(ValueError):
    """The bytes cannot be turned into text; the message says why and what to do."""
