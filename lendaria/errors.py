"""Exceptions that carry what a user needs: which file, what is wrong, what to do.

The CLI turns any :class:`LendariaError` into one clear paragraph and its ``exit_code``.
"""

from __future__ import annotations

from pathlib import Path


class LendariaError(Exception):
    """Base class for errors reported to users without a traceback."""

    exit_code = 1

    def __init__(self, message: str, *, file: str | Path | None = None, hint: str | None = None):
        self.message = message
        self.file = str(file) if file is not None else None
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}: ")
        parts.append(self.message)
        if self.hint:
            if not self.message.rstrip().endswith((".", "!", "?", ":")):
                parts.append(".")
            parts.append(f" {self.hint}")
        return "".join(parts)


class InputError(LendariaError):
    """Bad user input (spec, source file, slug, option): nothing was written."""


class MissingOutputs(InputError):
    """A stage's contract file that another step reads is not there: the stage has not run for this mind
    (``lendaria persist`` skips such a stage unless the user named it)."""


class StageStopped(LendariaError):
    """A stage stopped on purpose after writing a report of why (e.g. a failed quality audit). An
    optional stage that stops this way is skipped by the pipeline, and its persist step still runs so
    the report reaches the database."""


class NothingCollectedError(LendariaError):
    """Every source of a mind failed; metadata records why."""

    exit_code = 3
