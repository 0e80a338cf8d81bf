"""Publishing: the deploy workflow, host headers, offline bundle and version."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from conftest import PAGES, ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "deploy.yml"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def headers_for(site: Path) -> dict[str, dict[str, str]]:
    """`_headers` as {path pattern: {header: value}}."""
    rules: dict[str, dict[str, str]] = {}
    current = None
    for line in (site / "_headers").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            current = rules.setdefault(line.strip(), {})
        else:
            name, _, value = line.strip().partition(": ")
            current[name] = value
    return rules


def test_workflow_is_valid_against_the_github_schema():
    result = subprocess.run(
        [Path(sys.executable).parent / "check-jsonschema",
         "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_tests_every_change_and_publishes_main_only():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow[True]  # YAML reads the key `on` as True
    assert triggers["push"]["branches"] == ["main"] and "pull_request" in triggers
    test_steps = [step.get("run", "") for step in workflow["jobs"]["test"]["steps"]]
    assert "./scripts/test" in test_steps
    publish = workflow["jobs"]["publish"]
    assert publish["needs"] == "test"
    assert "pull_request" in publish["if"] and "refs/heads/main" in publish["if"]
    uses = [step.get("uses", "") for step in publish["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact") for u in uses)
    assert any(u.startswith("actions/deploy-pages") for u in uses)
    assert publish["permissions"] == {"pages": "write", "id-token": "write"}


def test_csp_allows_no_inline_script_except_the_hashed_ones(site):
    csp = headers_for(site)["/*"]["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"]
    for page in site.rglob("*.html"):
        for script in re.findall(r"<script>(.*?)</script>", page.read_text(), re.DOTALL):
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in directives["script-src"], page


def test_security_headers_apply_to_every_path(site):
    everything = headers_for(site)["/*"]
    assert everything["X-Content-Type-Options"] == "nosniff"
    assert everything["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in everything["Permissions-Policy"]


def test_fingerprinted_assets_are_immutable_and_pages_revalidate(site):
    rules = headers_for(site)
    fingerprinted = [
        p for p in site.rglob("*.min.*") if re.search(r"\.[0-9a-f]{8}\.min\.(css|js)$", p.name)
    ]
    assert fingerprinted
    for asset in fingerprinted:
        rule = rules["/" + asset.relative_to(site).as_posix()]
        assert rule["Cache-Control"] == "public, max-age=31536000, immutable"
    for path in [*(f"/{p}" for p in PAGES), "/building-bridges.pdf",
                 "/search/search_index.json", "/building-bridges-offline.zip"]:  # fmt: skip
        assert rules[path]["Cache-Control"] == "no-cache", path


def test_nginx_snippet_carries_the_same_policy(site):
    csp = headers_for(site)["/*"]["Content-Security-Policy"]
    snippet = (site / "nginx-headers.conf").read_text(encoding="utf-8")
    assert f'add_header Content-Security-Policy "{csp}" always;' in snippet
    assert "immutable" in snippet


def test_build_templates_are_not_published(site):
    assert not (site / "pdf").exists() and not (site / "deploy").exists()


@pytest.fixture(scope="module")
def bundle(site: Path) -> zipfile.ZipFile:
    return zipfile.ZipFile(site / "building-bridges-offline.zip")


def test_offline_bundle_holds_every_page_as_a_file_with_inline_search(bundle):
    names = set(bundle.namelist())
    for page in ("index.html", "allyship.html", "glossary.html", "about.html"):
        assert f"building-bridges/{page}" in names
    assert "building-bridges/search/search_index.js" in names
    assert "building-bridges/building-bridges.pdf" in names


def test_offline_bundle_loads_nothing_from_another_host(bundle):
    for name in bundle.namelist():
        if name.endswith(".html"):
            text = bundle.read(name).decode("utf-8")
            assert "unpkg.com" not in text and "fonts.googleapis" not in text, name
            for url in re.findall(r'(?:src|href)="(https?://[^"]+)"', text):
                assert url.startswith("https://building-bridges.github.io/"), (name, url)


def test_about_page_links_the_pdf_the_epub_and_the_offline_bundle(html):
    links = {a["href"] for a in html("about/").select(".bb-downloads a")}
    assert links == {
        "../building-bridges.pdf",
        "../building-bridges.epub",
        "../building-bridges-offline.zip",
    }


@pytest.mark.parametrize("path", PAGES)
def test_footer_shows_the_version(html, path):
    assert f"Version {VERSION}" in html(path).select_one(".md-copyright").get_text(" ")


def test_pdf_shows_the_version_on_its_cover_and_in_its_metadata(site):
    reader = PdfReader(site / "building-bridges.pdf")
    assert f"Version {VERSION}" in reader.pages[0].extract_text()
    assert VERSION in reader.metadata["/Creator"]


def test_changelog_has_an_entry_for_the_version_and_the_readme_points_to_it():
    assert f"## {VERSION}" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "CHANGELOG.md" in (ROOT / "README.md").read_text(encoding="utf-8")
