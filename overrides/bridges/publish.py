"""What a static host needs beside the pages: cache and security headers with a
Content-Security-Policy hashed from this build's inline scripts, and the offline
bundle (the whole site for file://, zipped reproducibly)."""

from __future__ import annotations

import base64
import hashlib
import re
import zipfile
from datetime import datetime
from pathlib import Path

import lxml.html
from jinja2 import Environment, FileSystemLoader

HEADERS_FILE = "_headers"
NGINX_FILE = "nginx-headers.conf"
OFFLINE_ZIP = "building-bridges-offline.zip"
FINGERPRINTED = re.compile(r"\.[0-9a-f]{8}\.min\.(css|js)$")
EXECUTABLE_TYPES = {"", "text/javascript", "application/javascript", "module"}
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


def inline_script_hashes(site_dir: Path) -> list[str]:
    """CSP sources for every distinct inline script the built pages run."""
    hashes = set()
    for page in sorted(site_dir.rglob("*.html")):
        for script in lxml.html.parse(str(page)).getroot().iter("script"):
            if script.get("src") or script.get("type", "").lower() not in EXECUTABLE_TYPES:
                continue
            digest = hashlib.sha256((script.text or "").encode("utf-8")).digest()
            hashes.add(f"'sha256-{base64.b64encode(digest).decode()}'")
    return sorted(hashes)


def content_security_policy(script_hashes: list[str]) -> str:
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *script_hashes]),
        "style-src": "'self'",
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


def write_host_headers(site_dir: Path, templates: Path) -> None:
    """Writes `_headers` (Netlify, Cloudflare Pages) and an nginx snippet."""
    files = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file())
    revalidated = [
        "/" + (name.removesuffix("index.html") if name.endswith("index.html") else name)
        for name in files
        if name.endswith((".html", ".pdf", ".epub", ".zip", ".json", ".xml"))
    ]
    env = Environment(loader=FileSystemLoader(templates), keep_trailing_newline=True)
    values = {
        "csp": content_security_policy(inline_script_hashes(site_dir)),
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
