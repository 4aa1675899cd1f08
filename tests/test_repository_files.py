"""CI workflows, issue forms and hosting configuration are valid, checked offline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

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


def _jobs():
    for workflow in WORKFLOWS:
        data = yaml.safe_load(workflow.read_text(encoding="utf-8"))
        for name, job in data["jobs"].items():
            yield workflow.name, name, data, job


def test_workflows_grant_nothing_by_default_and_each_job_asks_for_its_own():
    for workflow, name, data, job in _jobs():
        assert data["permissions"] == {}, workflow
        assert "permissions" in job, f"{workflow}: job {name} has no permissions of its own"


def test_jobs_that_can_write_run_no_project_code():
    # Publishing jobs hold write tokens; none of them installs packages or runs
    # nox, a build, or a checkout whose code could use the token.
    for workflow, name, _, job in _jobs():
        writes = {scope for scope, level in job["permissions"].items() if level == "write"}
        if writes - {"issues"}:
            steps = job["steps"]
            assert not any("run" in step for step in steps), f"{workflow}: {name}"
            assert not any(step.get("uses", "").startswith("actions/checkout") for step in steps)


def test_every_checkout_drops_its_credentials_and_every_action_is_pinned_to_a_commit():
    for workflow, name, _, job in _jobs():
        for step in job["steps"]:
            uses = step.get("uses")
            if uses is None:
                continue
            ref = uses.split("@", 1)[1]
            assert len(ref) == 40, f"{workflow}: {name}: {uses} is not pinned to a commit"
            assert all(c in "0123456789abcdef" for c in ref), uses
            if uses.startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, f"{workflow}: {name}"


def test_dependabot_updates_the_actions_and_the_lock_files():
    config = yaml.safe_load((REPO / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    updates = {(u["package-ecosystem"], u["directory"]) for u in config["updates"]}
    assert ("github-actions", "/") in updates
    assert ("pip", "/requirements") in updates
    assert (REPO / "requirements" / "constraints.txt").is_file()
    assert (
        _check_jsonschema("vendor.dependabot", REPO / ".github" / "dependabot.yml").returncode == 0
    )


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


def _console_lines(markdown: str) -> list[str]:
    """The commands in a Markdown file's ``console`` blocks, in order."""
    blocks = markdown.split("```console\n")[1:]
    return [line for block in blocks for line in block.split("```", 1)[0].splitlines() if line]


def test_ci_runs_the_readme_quick_start_exactly():
    """.ci/run installs with the README's line and runs the README's two commands."""
    readme = _console_lines((REPO / "README.md").read_text(encoding="utf-8"))
    assert readme[:3] == ['python -m pip install "nox[uv]"', "nox -s docs", "nox -s tests"]
    ci = [line.strip() for line in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    install = next(line for line in ci if "pip install" in line)
    assert install.startswith("python -m pip install")
    assert install.split("pip install", 1)[1].split()[-1] == '"nox[uv]"'
    assert "nox -s tests" in ci
    assert "nox -s docs" in ci
    # the quick start runs in a fresh environment, not in what the machine has
    assert ci.index(". .ci-venv/bin/activate") < ci.index(install) < ci.index("nox -s tests")
