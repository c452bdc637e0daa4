"""A cost budget that holds: ``LENDARIA_MAX_COST_USD`` / ``lendaria run --max-cost``, per run.

Before each request the engine asks :meth:`Budget.reserve` for the request's worst case — its input
tokens counted by the API's token counter (free), each priced at the higher of the input and
cache-write prices, plus ``max_tokens`` of output. A request that could take the run's spend over the
limit is not sent: :class:`BudgetExceeded` stops the run with what was spent, what was left undone and
how to go on. Requests in flight hold their reservation until their real cost is known, so parallel
tasks cannot overshoot together: the spend never exceeds the limit. Answers already paid for are in
the response cache, so a re-run with a higher limit pays only for what is left.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from lendaria.errors import LendariaError


class BudgetExceeded(LendariaError):
    """A call was not sent because it could take the run over its cost budget; the run stops."""

    exit_code = 6
    stops_run = True  # even an optional stage stopped by it stops the pipeline: later stages would be refused too


@dataclass
class Budget:
    limit_usd: float
    spent_usd: float = 0.0
    reserved_usd: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def reserve(self, worst_usd: float, what: str) -> None:
        """Hold ``worst_usd`` for a request about to be sent, or raise :class:`BudgetExceeded`."""
        with self._lock:
            if self.spent_usd + self.reserved_usd + worst_usd > self.limit_usd + 1e-12:
                left = max(0.0, self.limit_usd - self.spent_usd)
                raise BudgetExceeded(
                    f"cost budget reached: {what} was not sent. Spent ${self.spent_usd:.4f} of the run's "
                    f"${self.limit_usd:.4f} (${left:.4f} left); this request could cost up to ${worst_usd:.4f}, so it "
                    "and the rest of the run were left undone; the files written so far are complete",
                    hint="Raise the limit (--max-cost or LENDARIA_MAX_COST_USD) and run the same command again: "
                         "finished stages are skipped and answers already paid for are read from the response cache.")
            self.reserved_usd += worst_usd

    def settle(self, reserved_usd: float, actual_usd: float) -> None:
        """A reserved request finished (or failed): release its reservation, count what it cost."""
        with self._lock:
            self.reserved_usd = max(0.0, self.reserved_usd - reserved_usd)
            self.spent_usd += actual_usd
