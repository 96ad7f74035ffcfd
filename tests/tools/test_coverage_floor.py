from typing import Any

from tools.coverage_floor import MODULE_FLOOR, TOTAL_FLOOR, problems


def report(total: float, **modules: float) -> dict[str, Any]:
    return {
        "totals": {"percent_covered": total},
        "files": {
            f"src/{name}.py": {"summary": {"percent_covered": percent}}
            for name, percent in modules.items()
        },
    }


def test_coverage_at_the_floors_holds() -> None:
    assert problems(report(TOTAL_FLOOR, engine=MODULE_FLOOR), {}) == []


def test_a_total_below_the_floor_is_a_problem() -> None:
    (problem,) = problems(report(TOTAL_FLOOR - 0.1, engine=100.0), {})
    assert problem.startswith("total 89.9 %")


def test_a_module_below_the_floor_is_a_problem_unless_a_reason_is_written() -> None:
    thin = report(95.0, engine=100.0, feed=MODULE_FLOOR - 1)
    (problem,) = problems(thin, {})
    assert problem.startswith("src/feed.py 74.0 %")
    assert problems(thin, {"src/feed.py": "needs a live venue"}) == []
