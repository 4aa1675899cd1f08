"""benchmarks/_harness.py: a crashing case is reported, not waited on forever."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parent.parent / "benchmarks" / "_harness.py"


@pytest.fixture(scope="module")
def harness():
    # The spawned child imports `_harness` by name, from the sys.path it inherits.
    sys.path.insert(0, str(HARNESS.parent))
    spec = importlib.util.spec_from_file_location("_harness", HARNESS)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["_harness"] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules["_harness"]
    sys.path.remove(str(HARNESS.parent))


def test_measures_a_case(harness):
    result = harness.measure(
        harness.Case("sqrt", float, math.sqrt, args=("4",), limits={"seconds": 60})
    )
    assert result.within_limits
    assert len(result.seconds_all) == 3
    assert result.peak_mb > 0


def test_a_crashing_case_raises_instead_of_hanging(harness):
    # math.sqrt(-1.0) raises ValueError in the child process.
    with pytest.raises(RuntimeError, match="benchmark case 'crash' failed with exit code 1"):
        harness.measure(harness.Case("crash", float, math.sqrt, args=("-1",)))


def test_import_first_puts_a_folder_first_in_the_case_only(harness, tmp_path):
    # How a benchmark runs a case with another revision's mlorg (MLORG_BENCH_BASELINE).
    import importlib
    import operator

    probe = "mlorg_harness_probe"
    (tmp_path / f"{probe}.py").write_text(
        "def where(_):\n    return {'file': __file__}\n", encoding="utf-8"
    )
    before = list(sys.path)
    result = harness.measure(
        harness.Case(
            "probe",
            importlib.import_module,
            operator.methodcaller("where", None),
            args=(probe,),
            repeat=1,
            import_first=str(tmp_path),
        )
    )
    assert result.info == {"file": str(tmp_path / f"{probe}.py")}
    assert sys.path == before
    assert probe not in sys.modules
