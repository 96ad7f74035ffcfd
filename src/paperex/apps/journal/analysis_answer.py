from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AnalysisAnswer:
    """What an analysis run says, in the Lambda handler's words: 200 (saved), 400 (a bad date),
    404 (no trades file that day), 422 (a file that breaks the format) or 503 (the store or the
    function is away)."""

    status_code: int
    message: str

    def body(self) -> dict[str, Any]:
        """``{"statusCode", "message"}``, as the handler answers."""
        return {"statusCode": self.status_code, "message": self.message}
