"""The one exception the helper raises for server and input errors."""
from __future__ import annotations

from typing import Optional


class AtlasError(Exception):
    """An error from a MoE Atlas server (`status`, `code`, `message`, `where` as in docs/API.md),
    or a local one (status 0) such as an unreachable server or a malformed engine dump."""

    def __init__(self, status: int, code: str, message: str, where: Optional[str] = None):
        self.status = status
        self.code = code
        self.message = message
        self.where = where
        super().__init__(f"{status} {code}: {message}" + (f" (at {where})" if where else ""))
