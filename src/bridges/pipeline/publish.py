"""What a static host needs beside the pages: the Content-Security-Policy, the
cache and security headers, and the offline bundle (the whole site for file://,
zipped reproducibly).

The policy allows exactly the inline scripts and styles the templates emit
(Material's and ours). They depend on the configuration and on a page's depth,
never on its content, so they are found before any page is built: each
template is rendered once per kind of page address (its depth; the home page)
with stand-in content, and every inline script and style in that output is
hashed. A built page whose inline code is not in that set fails the build, so
content cannot widen the policy.
"""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

import jinja2
from jinja2 import Environment, FileSystemLoader
from mkdocs.commands.build import _build_template, get_context
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from bridges.pipeline.pagescan import InlineCode, inline_code

# The tests hash code as the policy does.
from bridges.pipeline.pagescan import hash_source as hash_source

HEADERS_FILE = "_headers"
NGINX_FILE = "nginx-headers.conf"
OFFLINE_ZIP = "building-bridges-offline.zip"
FINGERPRINTED = re.compile(r"\.[0-9a-f]{8}\.min\.(css|js)$")
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
REFERRER = "strict-origin-when-cross-origin"
# A policy in <meta> may not carry these; browsers ignore them there.
HEADER_ONLY_DIRECTIVES = ("frame-ancestors", "report-uri", "report-to", "sandbox")


def template_inline_code(
    env: jinja2.Environment, config: MkDocsConfig, files: Files, nav: Navigation
) -> InlineCode:
    """What the templates emit inline, for every kind of page address, before any page is built."""
    found = InlineCode()
    main = env.get_template("main.html")
    for file in _one_page_per_address_kind(files):
        page = _stand_in_page(file, config)
        context = get_context(_stand_in_nav([page], nav), files, config, page)
        found.add(inline_code(main.render(context)))
    for name in config.theme.static_templates:
        if name.endswith(".html"):
            stand_in_nav = _stand_in_nav([], nav)
            found.add(inline_code(
                _build_template(name, env.get_template(name), files, config, stand_in_nav)
            ))  # fmt: skip
    found.scripts |= redirect_scripts(config, files)
    return found


def _one_page_per_address_kind(files: Files) -> list[File]:
    """A page for each depth of address, and the home page: what inline code can vary
    with. One render each, not one per page; the check after the build catches
    anything this misses."""
    kinds: dict[tuple[int, bool], File] = {}
    for file in files.documentation_pages():
        kinds.setdefault((file.url.count("/"), file.url in ("", "./")), file)
    return list(kinds.values())


def _stand_in_nav(pages: list[Page], nav: Navigation) -> Navigation:
    """A navigation of `pages` alone, with the site's home page. Templates emit no
    inline code for navigation entries, and rendering the whole navigation for each
    stand-in would cost as much as a page of a large site."""
    stand_in = Navigation(list(pages), list(pages))
    stand_in.homepage = nav.homepage
    return stand_in


def _stand_in_page(file: File, config: MkDocsConfig) -> Page:
    """A page at `file`'s address whose text is only a placeholder."""
    page = Page("Stand-in", File.generated(config, file.src_uri, content=""), config)
    page.meta = {"title": "Stand-in", "description": "Stand-in"}
    page.content = "<p>Stand-in</p>"
    page.toc = get_toc([])
    return page


def redirect_scripts(config: MkDocsConfig, files: Files) -> set[str]:
    """Hashes of the inline script of each page mkdocs-redirects writes (from mkdocs.yml)."""
    plugin = config.plugins.get("redirects")
    if plugin is None:
        return set()
    from mkdocs_redirects.plugin import HTML_TEMPLATE, get_relative_html_path

    found = set()
    for old, new in plugin.config["redirect_maps"].items():
        path, _, fragment = str(new).partition("#")
        target = files.get_file_from_path(path)
        if str(new).lower().startswith(("http://", "https://")):
            url = str(new)
        elif target is not None:
            url = get_relative_html_path(
                old, target.url + (f"#{fragment}" if fragment else ""), config.use_directory_urls
            )
        else:
            continue  # The plugin warns, which fails the strict build.
        found |= inline_code(HTML_TEMPLATE.format(url=url)).scripts
    return found


def content_security_policy(allowed: InlineCode) -> str:
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *sorted(allowed.scripts)]),
        "style-src": " ".join(["'self'", *sorted(allowed.styles)]),
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "worker-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def meta_policy(policy: str) -> str:
    """The policy as a <meta> element may carry it: without header-only directives."""
    kept = [d.strip() for d in policy.split(";") if d.split()[0] not in HEADER_ONLY_DIRECTIVES]
    return "; ".join(kept)


def write_host_headers(site_dir: Path, templates: Path, policy: str) -> None:
    """Writes `_headers` (Netlify, Cloudflare Pages) and an nginx snippet."""
    files = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file())
    # Made from the built pages after MkDocs is done (and absent from a site-only
    # build, whose download links lead nowhere too). Imported here: the modules
    # that make them are slow to load, and a site-only build needs only their names.
    from bridges.pipeline.epub import EPUB_NAME
    from bridges.pipeline.pdf import PDF_NAME

    files = sorted({*files, PDF_NAME, EPUB_NAME, OFFLINE_ZIP})
    revalidated = [
        "/" + (name.removesuffix("index.html") if name.endswith("index.html") else name)
        for name in files
        if name.endswith((".html", ".pdf", ".epub", ".zip", ".json", ".xml"))
    ]
    env = Environment(loader=FileSystemLoader(templates), keep_trailing_newline=True)
    values = {
        "csp": policy,
        "referrer": REFERRER,
        "permissions": PERMISSIONS,
        "revalidated": revalidated,
        "immutable": ["/" + name for name in files if FINGERPRINTED.search(name)],
    }
    for template, target in (("_headers", HEADERS_FILE), ("nginx.conf", NGINX_FILE)):
        text = env.get_template(template).render(values)
        (site_dir / target).write_text(re.sub(r"\n{3,}", "\n\n", text), encoding="utf-8")


def zip_folder(folder: Path, target: Path, when: datetime) -> None:
    """A zip whose bytes depend only on the files: sorted, one fixed date."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            entry = zipfile.ZipInfo(
                f"building-bridges/{path.relative_to(folder).as_posix()}", stamp
            )
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, path.read_bytes())
