"""A machine with only Python and pip can install the project: every pin names a
version on the registry, never a file, folder or URL that exists on one machine."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib

from conftest import ROOT

REGISTRY_PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[a-z0-9,_-]+\])?==[A-Za-z0-9.+!-]+$")
EXACT_NPM_VERSION = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")


def constraint_lines() -> list[tuple[int, str]]:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    return [(n, line.strip()) for n, line in enumerate(lines, 1) if line.strip()[:1] not in "#"]


def project_requirements() -> list[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    extras = [r for group in project["optional-dependencies"].values() for r in group]
    return project["dependencies"] + extras + pyproject["build-system"]["requires"]


def test_every_constraint_is_name_equals_version():
    bad = [f"constraints.txt:{n}: {line}" for n, line in constraint_lines()
           if not REGISTRY_PIN.match(line)]  # fmt: skip
    assert not bad, "pin these as name==version from PyPI:\n" + "\n".join(bad)


def test_every_pyproject_requirement_is_name_equals_version():
    bad = [r for r in project_requirements() if not REGISTRY_PIN.match(r)]
    assert not bad, f"pyproject.toml: pin these as name==version from PyPI: {bad}"


def test_every_node_tool_is_an_exact_registry_version():
    manifest = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    pins = {**manifest.get("dependencies", {}), **manifest.get("devDependencies", {})}
    bad = {name: spec for name, spec in pins.items() if not EXACT_NPM_VERSION.match(spec)}
    assert not bad, f"package.json: pin these to an exact version from npm: {bad}"


def test_node_lock_file_names_no_local_or_git_source():
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    bad = [
        path
        for path, entry in lock["packages"].items()
        if entry.get("link")
        or str(entry.get("resolved", "")).startswith(("file:", "git", "/"))
        or str(entry.get("version", "")).startswith(("file:", "git", "/", "http"))
    ]
    assert not bad, f"package-lock.json: these come from outside the npm registry: {bad}"


def test_pins_resolve_from_the_registry_in_a_brand_new_environment():
    """What a fresh machine does first: a new venv, no local wheels, no pip configuration."""
    result = subprocess.run(
        [str(ROOT / "scripts" / "pins"), "--check"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
