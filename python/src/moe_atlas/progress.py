"""Progress bars through tqdm when it is installed, plain lines on stderr otherwise."""
from __future__ import annotations

import sys
import time


class _Lines:
    def __init__(self, total: int, desc: str):
        self.total, self.desc, self.n = total, desc, 0
        self._last = 0.0
        self._start = time.monotonic()

    def update(self, k: int) -> None:
        self.n += k
        now = time.monotonic()
        if now - self._last >= 3 or self.n >= self.total:
            self._last = now
            rate = self.n / max(1e-3, now - self._start) / 1048576
            pct = 100.0 * self.n / self.total if self.total else 100.0
            sys.stderr.write(f"{self.desc}: {pct:5.1f}% {self.n / 1048576:.1f}/{self.total / 1048576:.1f} MiB {rate:.1f} MiB/s\n")

    def close(self) -> None:
        pass


class _Quiet:
    def update(self, k: int) -> None:
        pass

    def close(self) -> None:
        pass


def bar(total: int, desc: str, enabled: bool = True):
    """A byte-progress bar with update(n) and close()."""
    if not enabled:
        return _Quiet()
    try:
        from tqdm import tqdm  # optional
    except ImportError:
        return _Lines(total, desc)
    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr, leave=False)
