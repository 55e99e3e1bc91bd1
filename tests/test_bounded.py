"""budgetreport.bounded.BoundedCache: never more than its limit, the least recently used forgotten first."""
from __future__ import annotations

import random

import pytest

from budgetreport.bounded import BoundedCache


@pytest.mark.parametrize("seed", range(20))
def test_matches_a_least_recently_used_model(seed: int) -> None:
    rng = random.Random(seed)
    limit = rng.randint(1, 8)
    cache: BoundedCache[int, str] = BoundedCache(limit)
    model: list[tuple[int, str]] = []                 # oldest use first
    for _ in range(300):
        key = rng.randint(0, 12)
        if rng.random() < 0.5:
            value = f"v{rng.randint(0, 999)}"
            assert cache.put(key, value) == value
            model = [(k, v) for k, v in model if k != key] + [(key, value)]
            model = model[-limit:]
        else:
            expected = dict(model).get(key)
            assert cache.get(key) == expected
            if expected is not None:
                model = [(k, v) for k, v in model if k != key] + [(key, expected)]
        assert len(cache) == len(model) <= limit
        assert all(k in cache for k, _ in model)


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        BoundedCache(0)
