"""tools/audit/audit.py: which runs decide a page's performance score."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools" / "audit"))
import audit


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, list[int]], list[str]]:
    """Lighthouse and axe replaced by scores given per page; returns them and the call order."""
    scores: dict[str, list[int]] = {}
    order: list[str] = []
    monkeypatch.setattr(audit, "axe_both_modes", lambda urls: {u: ([], []) for u in urls})
    monkeypatch.setattr(audit, "lighthouse", lambda url, _tmp: url)

    def report(url: str, _origin: str) -> dict[str, Any]:
        page = url.rsplit("/", 1)[1].removesuffix(".html")
        order.append(page)
        performance, accessibility = scores[page].pop(0), 100
        if page.startswith("inaccessible"):
            accessibility = 90
        return {
            "scores": {
                "performance": performance,
                "accessibility": accessibility,
                "best-practices": 100,
                "seo": 100,
            },
            "kib": 10.0,
            "off_site": [],
            "console_errors": [],
            "metrics": {},
        }

    monkeypatch.setattr(audit, "read_report", report)
    return scores, order


def test_a_page_missing_only_performance_is_run_again_after_the_others(scripted, tmp_path):
    scores, order = scripted
    scores.update({"slow": [90, 92, 91, 99], "fast": [100], "never": [80, 81, 82, 83, 84, 85]})
    results = {r.page: r for r in audit.audit(tmp_path, ["slow", "fast", "never"], 3)}
    assert order == ["slow"] * 3 + ["fast"] + ["never"] * 3 + ["slow"] + ["never"] * 3
    assert results["slow"].performance_runs == [90, 92, 91]
    assert results["slow"].second_round == [99]
    assert results["slow"].failures == []
    assert results["fast"].second_round == []
    assert results["never"].failures == ["performance 85 < 95"]
    assert "80,81,82 | 83,84,85" in audit.row(results["never"])


def test_a_page_that_misses_another_target_gets_no_second_round(scripted, tmp_path):
    scores, order = scripted
    scores["inaccessible"] = [90, 90, 90]
    (result,) = audit.audit(tmp_path, ["inaccessible"], 3)
    assert order == ["inaccessible"] * 3
    assert result.second_round == []
    assert result.failures == ["performance 90 < 95", "accessibility 90 < 100"]
