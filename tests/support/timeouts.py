"""Per-test time limits (pytest-timeout): every test gets the ini's ``timeout``, and a unit test,
one without the ``integration`` marker, the tighter ``unit_timeout``.

pytest-timeout's ``signal`` method is the one used: it raises in the test's own (main) thread,
so a hanging test fails and the session goes on, while the ``thread`` method ends the whole run.
Every test here waits in Python code (locks, sockets, the event loop's selector), which a
SIGALRM interrupts.
"""

from __future__ import annotations

import pytest

UNIT_TIMEOUT_INI = "unit_timeout"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        UNIT_TIMEOUT_INI,
        "seconds a test without the integration marker may take (0: the timeout setting)",
        default="0",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give each unit test without a timeout marker of its own the unit time limit, unless
    time limits are off (``--timeout 0``) or the general one is already tighter."""
    configured = config.getoption("timeout")
    general = float(configured if configured is not None else config.getini("timeout") or 0)
    unit = float(config.getini(UNIT_TIMEOUT_INI))
    if general <= 0 or unit <= 0 or unit >= general:
        return
    for item in items:
        if item.get_closest_marker("integration") or item.get_closest_marker("timeout"):
            continue
        item.add_marker(pytest.mark.timeout(unit))
