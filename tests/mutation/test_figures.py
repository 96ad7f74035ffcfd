from __future__ import annotations

import json
from pathlib import Path

from tests.mutation.figures import (
    Package,
    failures,
    load_equivalents,
    load_exit_codes,
    stale_equivalents,
    tally,
)

ENGINE = "paperex.engine.fees.x_fee__mutmut_"
GATEWAY = "paperex.apps.trading.gateway.gateway.x_send__mutmut_"


def test_listed_equivalents_are_not_counted_as_survivors() -> None:
    codes: dict[str, int | None] = {f"{ENGINE}{n}": 1 for n in range(1, 9)}
    codes |= {f"{ENGINE}9": 0, f"{ENGINE}10": 0}
    figures = tally(codes, {f"{ENGINE}10"})["engine"]
    assert (figures.mutants, figures.killed, figures.survived, figures.equivalent) == (10, 8, 1, 1)
    assert figures.ratio == 8 / 9
    assert figures.survivors == [f"{ENGINE}9"]


def test_a_package_below_its_target_is_a_failure_and_one_at_it_is_not() -> None:
    codes: dict[str, int | None] = {f"{ENGINE}{n}": 1 for n in range(1, 10)}
    codes |= {f"{ENGINE}10": 0}
    codes |= {f"{GATEWAY}{n}": 1 if n <= 3 else 33 for n in range(1, 6)}
    packages = (
        Package("engine", ("paperex.engine.",), 0.90),
        Package("gateway", ("paperex.apps.trading.gateway.",), 0.80),
    )
    assert failures(tally(codes, set()), packages) == ["gateway: 60.0% killed, target 80%"]


def test_timeouts_count_as_detected_and_unrun_mutants_are_not_judged() -> None:
    codes: dict[str, int | None] = {f"{ENGINE}1": 36, f"{ENGINE}2": None, f"{ENGINE}3": 0}
    figures = tally(codes, set())["engine"]
    assert (figures.timeout, figures.unchecked, figures.ratio) == (1, 1, 0.5)


def test_only_globs_restrict_the_count_and_other_modules_are_ignored() -> None:
    codes: dict[str, int | None] = {
        f"{ENGINE}1": 1,
        "paperex.engine.book.x_add__mutmut_1": 0,
        "paperex.cli.x_main__mutmut_1": 0,
    }
    figures = tally(codes, set(), only=["paperex.engine.fees.*"])
    assert figures["engine"].mutants == 1
    assert figures["engine"].ratio == 1.0


def test_equivalents_are_read_from_backticked_names_and_stale_ones_are_reported(
    tmp_path: Path,
) -> None:
    listed = load_equivalents(
        f"| src/paperex/engine/fees.py | `{ENGINE}2` | why |\n| x | `{ENGINE}7` | why |\n"
    )
    assert listed == {f"{ENGINE}2", f"{ENGINE}7"}
    meta = tmp_path / "src" / "fees.py.meta"
    meta.parent.mkdir()
    exit_codes = {f"{ENGINE}2": 1, f"{ENGINE}3": 0, f"{ENGINE}4": None}
    meta.write_text(json.dumps({"exit_code_by_key": exit_codes}))
    codes = load_exit_codes(tmp_path)
    assert codes == exit_codes
    assert stale_equivalents(codes, listed | {f"{ENGINE}4"}) == [f"{ENGINE}2", f"{ENGINE}7"]
