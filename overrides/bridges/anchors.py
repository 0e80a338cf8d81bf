"""Published links: every page URL and section anchor the site has ever offered.

`docs/published-anchors.txt` lists them, one `/page/#anchor` a line. Each must
keep working: as an id on its page, as a `moved_anchors` entry in that page's
front matter (forwarded in the browser), or through a page redirect in
`mkdocs.yml`. `./scripts/anchors --update` adds anchors that are new.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import lxml.html

REGISTRY = Path("docs/published-anchors.txt")
HEADER = (
    "# Every page and section link the site has published. Do not delete lines:\n"
    "# map a removed anchor under `moved_anchors:` in its page's front matter, or\n"
    "# a moved page under `redirect_maps:` in mkdocs.yml. Add new ones with\n"
    "# ./scripts/anchors --update\n"
)
# Anchors readers may share: headings, essay paragraphs and glossary entries.
PUBLIC_IDS = "article h1[id], article h2[id], article h3[id], article .essay p[id]"


def page_anchors(site_dir: Path, url: str) -> set[str]:
    page = lxml.html.parse(str(site_dir / url / "index.html")).getroot()
    ids = (element.get("id") for element in page.cssselect(PUBLIC_IDS))
    return {id for id in ids if not id.startswith("bb-")}  # bb- ids are the theme's own


def site_anchors(site_dir: Path, urls: Iterable[str]) -> set[str]:
    """`/page/` and `/page/#anchor` for every page and public anchor in the site."""
    links = set()
    for url in urls:
        links.add(f"/{url}")
        links.update(f"/{url}#{anchor}" for anchor in page_anchors(site_dir, url))
    return links


def read_registry(path: Path = REGISTRY) -> list[str]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def write_registry(links: Iterable[str], path: Path = REGISTRY) -> None:
    path.write_text(HEADER + "".join(f"{link}\n" for link in sorted(links)), encoding="utf-8")


def broken_links(
    registry: Iterable[str],
    site_dir: Path,
    redirects: Mapping[str, str],
    moved: Mapping[str, Mapping[str, str]],
) -> list[str]:
    """Registered links that no longer lead anywhere, each with what to do."""
    problems = []
    cache: dict[str, set[str]] = {}
    for link in registry:
        url, _, anchor = link.removeprefix("/").partition("#")
        url = redirects.get(url, url)
        if not (site_dir / url / "index.html").exists():
            problems.append(
                f"'{link}' was published but its page is gone: add a redirect for it "
                "under redirect_maps in mkdocs.yml."
            )
            continue
        anchor = moved.get(url, {}).get(anchor, anchor)
        if "#" in anchor:  # moved to another page
            url, _, anchor = anchor.partition("#")
        if anchor and anchor not in cache.setdefault(url, _anchors_or_empty(site_dir, url)):
            problems.append(
                f"'{link}' was published but '#{anchor}' is no longer on /{url}: put the "
                "id back on its heading, or map it under moved_anchors in the page's "
                "front matter."
            )
    return problems


def _anchors_or_empty(site_dir: Path, url: str) -> set[str]:
    return page_anchors(site_dir, url) if (site_dir / url / "index.html").exists() else set()


def main() -> int:
    parser = argparse.ArgumentParser(description="Check or update the published-anchor list.")
    parser.add_argument("site_dir", type=Path, help="a freshly built site")
    parser.add_argument("--update", action="store_true", help="add anchors that are new")
    args = parser.parse_args()
    urls = [p.parent.relative_to(args.site_dir).as_posix() + "/" for p in
            args.site_dir.rglob("index.html")]  # fmt: skip
    urls = [url.removeprefix("./") for url in urls if not _is_redirect(args.site_dir / url)]
    registered = set(read_registry())
    new = site_anchors(args.site_dir, urls) - registered
    if args.update:
        write_registry(registered | new)
        print(f"Added {len(new)} new link(s) to {REGISTRY}.")
        return 0
    for link in sorted(new):
        print(f"not yet registered: {link}")
    if new:
        print("Run ./scripts/anchors --update and commit the list.", file=sys.stderr)
    return 1 if new else 0


def _is_redirect(folder: Path) -> bool:
    return "<title>Redirecting...</title>" in (folder / "index.html").read_text(encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
