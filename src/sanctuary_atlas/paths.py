"""Where the bundled data and the store live.

The bundled data sits at the repository root (``data/``); the package is installed editable from the
repository, so it is found relative to this file. ``SANCTUARY_ATLAS_DATA`` overrides it for installs
that keep the data elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

STORE_ENV = "SANCTUARY_ATLAS_STORE"
DATA_ENV = "SANCTUARY_ATLAS_DATA"


def data_dir() -> Path:
    override = os.environ.get(DATA_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "data"


def default_store() -> Path:
    """The store named by the environment, else a per-user data directory."""
    override = os.environ.get(STORE_ENV)
    if override:
        return Path(override)
    return Path(user_data_dir("sanctuary-atlas", appauthor=False)) / "store"
