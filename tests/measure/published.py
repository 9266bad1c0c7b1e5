"""Tables as `sanctuary-atlas outcomes` publishes them, asked of a store through the command itself."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from typing import Any

from sanctuary_atlas.store import Store


def outcomes_json(store: Store, keys: str, period: Sequence[str], k: int) -> dict[str, Any]:
    """The JSON document of ``outcomes --group-by keys`` for ``period`` (its --from/--to options) at
    ``--min-cell k`` (0: the true table)."""
    args = ["--store", str(store.root), "--group-by", keys, *period, "--format", "json", "--min-cell", str(k)]
    done = subprocess.run(
        ["sanctuary-atlas", "outcomes", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout)
