from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from paperex.apps.core.collector import YOUNG_THRESHOLD, tune_for_serving


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_serving_freezes_startup_objects_and_collects_young_ones_less_often(
    restored_collector: None,
) -> None:
    survivor = [object() for _ in range(10)]
    tune_for_serving()
    assert gc.get_freeze_count() >= len(survivor)
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD
