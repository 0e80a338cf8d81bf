"""Publishing: the deploy workflow, host headers, offline bundle and version."""

from __future__ import annotations

import base64
import gzip
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
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
    # The hashes come from the templates (tests/test_security.py shows content
    # cannot add one); here every inline script the pages do run is covered.
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


# nginx, as a host would run it ------------------------------------------------

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
                    "Permissions-Policy")  # fmt: skip


def nginx_config(site: Path, folder: Path, port: int) -> Path:
    """A server whose root is the site, including its nginx-*.conf snippets, as the
    README says; nginx's temporary files stay in `folder`."""
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read pytest's temp folder
    temp = "\n".join(
        f"  {kind}_temp_path {folder}/{kind};" for kind in
        ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )  # fmt: skip
    config = folder / "nginx.conf"
    config.write_text(
        f"""{user}
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
{temp}
  server {{
    listen 127.0.0.1:{port};
    root {site};
    include {site}/nginx-*.conf;
  }}
}}
""",
        encoding="utf-8",
    )
    return config


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def nginx(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("nginx")
    port = free_port()
    config = nginx_config(site, folder, port)
    server = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(config)],
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        for _ in range(100):
            with socket.socket() as client:
                if client.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None, server.stderr.read()
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def published_paths(site: Path) -> list[str]:
    """Every file of the site as a URL path; index.html files by their folder."""
    paths = []
    for file in sorted(p for p in site.rglob("*") if p.is_file()):
        name = file.relative_to(site).as_posix()
        paths.append("/" + name.removesuffix("index.html"))
    return paths


def test_nginx_accepts_the_configuration_with_the_snippet(site, tmp_path):
    config = nginx_config(site, tmp_path, free_port())
    result = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(config)],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_nginx_sends_the_security_headers_with_every_page_and_asset(site, nginx):
    expected = {
        "Content-Security-Policy": headers_for(site)["/*"]["Content-Security-Policy"],
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": headers_for(site)["/*"]["Permissions-Policy"],
    }
    for path in published_paths(site):
        status, headers, _ = fetch(nginx + path)
        assert status == 200, path
        assert {name: headers.get(name) for name in SECURITY_HEADERS} == expected, path


def test_nginx_caches_fingerprinted_assets_and_revalidates_pages(site, nginx):
    rules = headers_for(site)
    for path in published_paths(site):
        _, headers, _ = fetch(nginx + path)
        wanted = rules.get(path, {}).get("Cache-Control")
        assert headers.get("Cache-Control") == wanted, path
    assert any("immutable" in rule.get("Cache-Control", "") for rule in rules.values())


def test_nginx_serves_the_publications_with_their_media_types(nginx):
    for path, media_type in (("/building-bridges.pdf", "application/pdf"),
                             ("/building-bridges.epub", "application/epub+zip"),
                             ("/building-bridges-offline.zip", "application/zip")):  # fmt: skip
        status, headers, _ = fetch(nginx + path)
        assert (status, headers.get("Content-Type")) == (200, media_type), path


def test_nginx_compresses_text(site, nginx):
    assets = [p for p in published_paths(site) if p.endswith((".css", ".js", ".svg"))]
    for path in ["/", "/allyship/", "/search/search_index.json", "/sitemap.xml", *assets]:
        _, headers, body = fetch(nginx + path)
        assert headers.get("Content-Encoding") == "gzip", path
        gzip.decompress(body)


def test_nginx_answers_a_missing_path_with_the_404_page(nginx):
    status, headers, body = fetch(nginx + "/no/such/page/")
    assert status == 404
    assert "This page is not here" in gzip.decompress(body).decode("utf-8")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in headers["Content-Security-Policy"]


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
