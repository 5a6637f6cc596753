"""Reading case files: JSONL rows with their line numbers, a malformed line an error naming it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.errors import InputError


def read_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed row) for every non-blank line; InputError on a line that is not JSON."""
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not JSON ({exc.msg})") from exc
