"""Progress artifacts on long steps (sources collected, fragment batches, lessons written)."""

from __future__ import annotations

import time

PROGRESS_EVERY_SECONDS = 1.0


class Progress:
    """The progress artifact of a step that takes a while. Each create or update is one API call, so it
    appears only after PROGRESS_EVERY_SECONDS and changes at most that often (a sub-second step, like
    the demo's, shows none); the last update, at 100 %, is always sent once the artifact exists."""

    def __init__(self, description: str, total: int):
        self.description, self.total = description, max(total, 1)
        self.done = 0
        self.artifact_id = None
        self.last = time.monotonic()

    def advance(self, done: int | None = None) -> None:
        """``done`` items finished so far (default: one more than before)."""
        from prefect.artifacts import create_progress_artifact, update_progress_artifact

        self.done = self.done + 1 if done is None else done
        finished = self.done >= self.total
        if time.monotonic() - self.last < PROGRESS_EVERY_SECONDS and not (finished and self.artifact_id):
            return
        percent = min(100.0, 100.0 * self.done / self.total)
        if self.artifact_id is None:
            self.artifact_id = create_progress_artifact(progress=percent, description=self.description)
        else:
            update_progress_artifact(self.artifact_id, progress=percent)
        self.last = time.monotonic()
