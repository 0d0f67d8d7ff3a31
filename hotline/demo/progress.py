"""A tiny terminal progress bar for long commands (demo data, benchmarks).

    bar = ProgressBar(total, label="calls")
    bar.update(done, total)   # fits demodata.generate(progress=bar.update)
    bar.close()

On a terminal it redraws one line (at most 10 times a second); elsewhere (logs, CI) it
prints a plain line every 10%.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    def __init__(
        self, total: int, *, label: str = "", width: int = 30, stream: TextIO | None = None
    ) -> None:
        self.total = max(total, 1)
        self.label = label
        self.width = width
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self._drawn = 0.0
        self._decile = -1
        self.done = 0

    def update(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total:
            self.total = max(total, 1)
        now = time.monotonic()
        if self.tty:
            if now - self._drawn >= 0.1 or done >= self.total:
                self._drawn = now
                self.stream.write("\r" + self.render(now))
                self.stream.flush()
        elif (decile := 10 * done // self.total) > self._decile:
            self._decile = decile
            self.stream.write(self.render(now) + "\n")
            self.stream.flush()

    def render(self, now: float | None = None) -> str:
        now = time.monotonic() if now is None else now
        share = min(self.done / self.total, 1.0)
        filled = int(share * self.width)
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        bar = "█" * filled + "·" * (self.width - filled)
        return (
            f"{self.label} [{bar}] {share:6.1%} {self.done:,}/{self.total:,} "
            f"{rate:,.0f}/s eta {eta:,.0f}s"
        ).strip()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
