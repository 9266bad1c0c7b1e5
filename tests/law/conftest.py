"""Shared, session-wide fixtures for the law tests: the real shipped registry and gazetteer."""

from __future__ import annotations

import pytest

from sanctuary_atlas.law.exposure import LawContext
from sanctuary_atlas.law.registry import load_registry
from sanctuary_atlas.law.status import StatusEngine
from sanctuary_atlas.resolve.gazetteer import Gazetteer


@pytest.fixture(scope="session")
def gaz() -> Gazetteer:
    return Gazetteer.load()


@pytest.fixture(scope="session")
def reg():
    return load_registry()


@pytest.fixture(scope="session")
def engine(reg, gaz) -> StatusEngine:
    return StatusEngine(reg, gaz)


@pytest.fixture(scope="session")
def ctx(reg, gaz) -> LawContext:
    return LawContext(reg, gaz, store=None)
