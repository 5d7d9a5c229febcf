"""What is written from the reader declarations: the CI workflow (valid against the GitHub schema, every reader once) and the
reader table of the docs (docs/reference/readers.md)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from zipstore_compat.compat_tests.readers import matrix_readers

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "matrix.yml"


def test_workflow_is_valid_against_the_github_schema():
    tool = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert tool, "check-jsonschema is a project dependency"
    proc = subprocess.run([tool, "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflow_is_written_from_the_declarations():
    from zipstore_compat.repofiles.ci_workflow import render

    assert WORKFLOW.read_text(encoding="utf-8") == render(), "run ./run python -m compat_tests ci-workflow"


def test_workflow_runs_every_reader_once_and_publishes():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    groups = workflow["jobs"]["readers"]["strategy"]["matrix"]["group"]
    named = [r for g in groups for r in g["readers"].split(",")]
    assert sorted(named) == sorted(matrix_readers()), "each matrix reader belongs to exactly one CI group"
    on = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on` as true
    assert "schedule" in on
    steps = " ".join(str(s.get("run", "")) + str(s.get("uses", "")) for s in workflow["jobs"]["publish"]["steps"])
    assert "report merge" in steps and "GITHUB_STEP_SUMMARY" in steps and "upload-pages-artifact" in steps
    pages = next(step["with"]["path"] for step in workflow["jobs"]["publish"]["steps"] if "upload-pages-artifact" in str(step.get("uses", "")))
    assert f"./run docs --site-dir {pages}/docs" in steps, "the documentation site is published beside matrix.html"


def test_every_versions_lane_family_has_a_job_and_latest_runs_unpinned():
    from zipstore_compat.compat_tests.readers import lane_readers

    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    lanes = workflow["jobs"]["lanes"]["strategy"]["matrix"]["lane"]
    named = [r for lane in lanes for r in lane["readers"].split(",")]
    from zipstore_compat.envs.registry import get_environment
    from zipstore_compat.fixtures.writer_registry import writers

    writer_apt = {p for w in writers().values() for p in get_environment(w.env).apt}   # each job builds the fixtures first
    for group in workflow["jobs"]["readers"]["strategy"]["matrix"]["group"]:
        assert group["apt"].split() == sorted(set(get_environment(group["name"]).apt) | writer_apt), group
    assert sorted(named) == sorted({r.family for r in lane_readers().values()}), "each lane family in exactly one lane job"
    latest = " ".join(str(s.get("run", "")) for s in workflow["jobs"]["latest"]["steps"])
    assert "ZIPCOMPAT_UNPINNED=1" in latest and "report diff" in latest and "GITHUB_STEP_SUMMARY" in latest


def test_the_docs_reader_table_is_written_from_the_declarations():
    from zipstore_compat.repofiles.reader_table import PAGE, main, rewritten

    text = PAGE.read_text(encoding="utf-8")
    assert text == rewritten(text), "run ./run python -m compat_tests reader-table"
    assert main(["--check"]) == 0   # the command's own check agrees (it reads the same page)


def test_reader_table_check_fails_on_a_stale_page_and_the_command_rewrites_it(tmp_path):
    from zipstore_compat.repofiles.reader_table import BEGIN, END, PAGE, main

    page = tmp_path / "readers.md"
    stale = PAGE.read_text(encoding="utf-8").replace("| `zarr3` |", "| `zarr3-renamed` |", 1)
    page.write_text(stale, encoding="utf-8")
    assert main(["--check"], page=page) == 1
    assert main([], page=page) == 0
    assert page.read_text(encoding="utf-8") == PAGE.read_text(encoding="utf-8")
    assert main(["--check"], page=page) == 0
    assert BEGIN in PAGE.read_text(encoding="utf-8") and END in PAGE.read_text(encoding="utf-8")


WORKFLOWS = WORKFLOW.parent


@pytest.mark.parametrize("name", ["zipstore-compat.yml", "upstream-nightly.yml", "release.yml"])
def test_the_hand_written_workflows_are_valid_against_the_github_schema(name):
    tool = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    proc = subprocess.run([tool, "--builtin-schema", "vendor.github-workflows", str(WORKFLOWS / name)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _on(workflow: dict) -> dict:
    return workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on` as true


def test_the_reusable_workflow_takes_readers_an_install_and_pytest_args_and_gives_the_summary_and_results():
    """What a maintainer's CI calls (docs/guide/maintainers.md): its inputs, its outputs, and the run it makes."""
    workflow = yaml.safe_load((WORKFLOWS / "zipstore-compat.yml").read_text(encoding="utf-8"))
    call = _on(workflow)["workflow_call"]
    assert {"readers", "install", "pytest-args"} <= set(call["inputs"]) and call["inputs"]["readers"]["required"]
    assert set(call["outputs"]) == {"summary", "results-artifact"}
    run = " ".join(str(s.get("run", "")) for s in workflow["jobs"]["matrix"]["steps"])
    for word in ("--pyargs zipstore_compat", "--use-current-env", "--corpus", "--junitxml", "--report-log", "corpus \"$CORPUS\"", "GITHUB_OUTPUT"):
        assert word in run, word
    assert "${{ inputs." not in run.replace("${{ inputs.install }}", ""), \
        "inputs reach the shell through env variables (no expression injected into a script but the install lines)"


def test_our_ci_runs_the_reusable_workflow_on_itself_and_nightly_on_upstream_main_branches():
    matrix = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert matrix["jobs"]["maintainer"]["uses"] == "./.github/workflows/zipstore-compat.yml"
    assert matrix["jobs"]["maintainer"]["with"]["suite"] == "."
    nightly = yaml.safe_load((WORKFLOWS / "upstream-nightly.yml").read_text(encoding="utf-8"))
    assert "schedule" in _on(nightly)
    upstream = nightly["jobs"]["upstream"]
    assert upstream["uses"] == "./.github/workflows/zipstore-compat.yml"
    names = {u["name"] for u in upstream["strategy"]["matrix"]["upstream"]}
    assert names == {"zarr-python", "xarray", "fsspec", "dask"}
    from zipstore_compat.compat_tests.readers import all_readers

    for entry in upstream["strategy"]["matrix"]["upstream"]:
        assert set(entry["readers"].split(",")) <= set(all_readers()), entry
        assert "git+https://github.com/" in entry["install"], "a main branch, not a release"
    issue = " ".join(str(s.get("uses", "")) for s in nightly["jobs"]["issue"]["steps"])
    assert "scientific-python/issue-from-pytest-log-action@" in issue and nightly["jobs"]["issue"]["permissions"] == {"issues": "write"}


def test_the_release_publishes_the_corpus_the_index_names():
    release = " ".join(str(s.get("run", "")) for s in yaml.safe_load((WORKFLOWS / "release.yml").read_text(encoding="utf-8"))["jobs"]["corpus"]["steps"])
    assert "corpus build" in release and "corpus pack" in release and "gh release upload" in release
