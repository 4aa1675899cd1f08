"""CI workflows, issue forms and hosting configuration are valid, checked offline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
ISSUE_FORMS = sorted(
    p for p in (REPO / ".github" / "ISSUE_TEMPLATE").glob("*.yml") if p.name != "config.yml"
)


def _check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "check_jsonschema",
        "--builtin-schema",
        schema,
        *map(str, files),
    ]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_there_are_workflows_for_ci_deploy_and_link_check():
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "deploy.yml", "links.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_valid(workflow):
    result = _check_jsonschema("vendor.github-workflows", workflow)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("form", ISSUE_FORMS, ids=lambda p: p.name)
def test_issue_form_is_valid(form):
    result = _check_jsonschema("vendor.github-issue-forms", form)
    assert result.returncode == 0, result.stdout + result.stderr


def test_readthedocs_config_is_valid():
    result = _check_jsonschema("vendor.readthedocs", REPO / ".readthedocs.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_jsonschema_rejects_an_invalid_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("name: broken\non: push\njobs:\n  build:\n    steps: 3\n", encoding="utf-8")
    assert _check_jsonschema("vendor.github-workflows", broken).returncode != 0


def test_pre_commit_config_is_valid():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "validate-config",
            str(REPO / ".pre-commit-config.yaml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_workflow_runs_the_same_script_as_local_ci():
    assert "bash .ci/run" in (REPO / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
