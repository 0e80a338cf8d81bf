"""Published links: every page URL and section anchor the site has ever offered.

`docs/published-anchors.txt` lists them, one `/page/#anchor` a line. Each must
keep working: as an id on its page, as a `moved_anchors` entry in that page's
front matter, or through a page redirect in `mkdocs.yml`. `./scripts/anchors
--update` adds anchors that are new.

The list only grows. A line deleted from it still counts: the build also reads
every line the file has ever held in git history (`git log -p`), so deleting a
heading together with its line fails unless a moved anchor or a redirect covers it.
Outside a git checkout only the file itself is read.

Moved pages get server-side redirects (`_redirects` for Netlify and Cloudflare
Pages, an nginx snippet); a 301 keeps the link's #fragment.
"""

from __future__ import annotations

import argparse
import logging
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from bridges.pipeline.output_check import parse
from bridges.pipeline.pagescan import public_ids
from bridges.problems import Problem, ProblemError, report

REGISTRY = Path("docs/published-anchors.txt")
REDIRECTS_FILE = "_redirects"
NGINX_REDIRECTS_FILE = "nginx-redirects.conf"
HEADER = (
    "# Every page and section link the site has published. Do not delete lines:\n"
    "# map a removed anchor under `moved_anchors:` in its page's front matter, or\n"
    "# a moved page under `redirect_maps:` in mkdocs.yml. Add new ones with\n"
    "# ./scripts/anchors --update\n"
)
# A page name or address that makes one clean line in `_redirects` and nginx: no
# spaces or control characters, nothing nginx reads as syntax or a variable.
REDIRECT_PART = re.compile(r"[\w\-.~!&()*+,=:@/%?#]+")
OTHER_SITE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|[/\\]{2})", re.IGNORECASE)
# The public anchors of the page at a URL (`allyship/`), or None: no page there.
AnchorsOf = Callable[[str], "set[str] | frozenset[str] | None"]


def page_anchors(site_dir: Path, url: str) -> set[str]:
    return public_ids(parse((site_dir / url / "index.html").read_text(encoding="utf-8")))


def site_anchors(site_dir: Path, urls: Iterable[str]) -> set[str]:
    """`/page/` and `/page/#anchor` for every page and public anchor in the site."""
    links = set()
    for url in urls:
        links.add(f"/{url}")
        links.update(f"/{url}#{anchor}" for anchor in page_anchors(site_dir, url))
    return links


class RegistryError(ProblemError, ValueError):
    """A line of the registry that is not a link: the list cannot be read."""


def read_registry(path: Path = REGISTRY, shown_as: Path = REGISTRY) -> list[str]:
    if not path.exists():
        return []
    # utf-8-sig: some editors save a byte-order mark, which is not part of the first line.
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    links = []
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not line.startswith("/") or " " in line:
            raise RegistryError(
                Problem(
                    str(shown_as),
                    f"'{line}' is not a link like /page/#anchor;",
                    "fix the line, or start it with # to make it a comment.",
                    number,
                )
            )
        links.append(line)
    return links


def published_in_history(path: Path = REGISTRY) -> set[str]:
    """Every link the registry has held in any commit (empty outside a git checkout)."""
    try:
        log = subprocess.run(
            ["git", "log", "--format=", "--no-ext-diff", "--unified=0", "-p", "--", path.name],
            cwd=path.parent, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return set()
    return {line[1:].strip() for line in log.splitlines() if line.startswith("+/")}


def write_registry(links: Iterable[str], path: Path = REGISTRY) -> None:
    path.write_text(HEADER + "".join(f"{link}\n" for link in sorted(links)), encoding="utf-8")


def broken_links(
    registry: Iterable[str],
    anchors_of: AnchorsOf,
    redirects: Mapping[str, str],
    moved: Mapping[str, Mapping[str, str]],
    deleted: Iterable[str] = (),
    shown_as: Path = REGISTRY,
) -> list[Problem]:
    """Registered links (and `deleted` ones) that no longer lead anywhere, with what to
    do, as problems of the registry (`shown_as`).

    `anchors_of(url)` is the set of public anchors of the page at `url`, or None when
    the site has no page there."""
    problems = []

    def problem(message: str, fix: str) -> None:
        problems.append(Problem(str(shown_as), message, fix))

    gone: dict[str, list[str]] = {}  # one message per page that is gone, not per anchor
    for link in registry:
        if fix := _what_broke(link, anchors_of, redirects, moved):
            if fix == PAGE_GONE:
                gone.setdefault(link.partition("#")[0], []).append(link)
            else:
                problem(f"'{link}' was published but", fix)
    for page, links in gone.items():
        sections = f" (and {len(links) - 1} section link(s) on it)" if len(links) > 1 else ""
        old = page.strip("/") or "index"
        problem(
            f"'{page}'{sections} was published but its page is gone:",
            f"add '{old}.md: new-name.md' under redirect_maps in mkdocs.yml.",
        )
    for link in sorted(deleted):
        if fix := _what_broke(link, anchors_of, redirects, moved):
            problem(
                f"'{link}' was deleted from the list, but git history shows it was published,",
                f"and {fix} Then put the line back.",
            )
    return problems


PAGE_GONE = "its page is gone: add a redirect for it under redirect_maps in mkdocs.yml."


def _what_broke(
    link: str,
    anchors_of: AnchorsOf,
    redirects: Mapping[str, str],
    moved: Mapping[str, Mapping[str, str]],
) -> str | None:
    url, _, anchor = link.removeprefix("/").partition("#")
    if is_other_site(redirects.get(url, "")):
        return None  # listed on purpose under external_redirects; not ours to check
    url = redirects.get(url, url)
    if anchors_of(url) is None:
        return PAGE_GONE
    anchor = moved.get(url, {}).get(anchor, anchor)
    if "#" in anchor:  # moved to another page
        url, _, anchor = anchor.partition("#")
    if anchor and anchor not in (anchors_of(url) or set()):
        return (
            f"'#{anchor}' is no longer on /{url}: put the id back on its heading, or map it "
            "under moved_anchors in the page's front matter."
        )
    return None


def is_other_site(target: str) -> bool:
    """A redirect target with a scheme or a host ("https://...", "//host"), not a page."""
    return bool(OTHER_SITE.match(target.strip()))


def redirect_map_problems(
    maps: Mapping[str, str], listed: Iterable[str], config_lines: list[str], shown_as: str
) -> list[Problem]:
    """`redirect_maps` entries the build refuses: a target on another site that is
    not listed under `extra: external_redirects:`, and any old or new name that
    would not make one clean line in `_redirects` and the nginx snippet."""
    start = next((n for n, line in enumerate(config_lines) if "redirect_maps" in line), 0)
    problems = []
    for old, new in maps.items():
        old, new = str(old), str(new)
        number = next((n for n, line in enumerate(config_lines[start:], start + 1)
                       if old in line), start + 1)  # fmt: skip
        entry = f"redirect_maps entry '{old}: {new}'"
        if is_other_site(old) or not REDIRECT_PART.fullmatch(old):
            message = f"{entry}: the old name must be a page file of this site,"
            fix = "like 'old-name.md', without spaces or any of $ ; { } \\ ' \"."
        elif is_other_site(new) and new not in listed:
            message = f"{entry} sends readers to another site."
            fix = (
                "If that is meant, list the address under 'external_redirects:' in 'extra:' "
                f"in {shown_as}; else redirect to a page of this site, like 'new-name.md'."
            )
        elif not REDIRECT_PART.fullmatch(new) or (
            is_other_site(new) and not new.lower().startswith("https://")
        ):
            message = f"{entry}: the new name must be a page file of this site,"
            fix = (
                "like 'new-name.md#section', or a listed https:// address, without spaces "
                "or any of $ ; { } \\ ' \"."
            )
        else:
            continue
        problems.append(Problem(shown_as, message, fix, number))
    return problems


def write_redirects(
    site_dir: Path, redirects: Mapping[str, str], base: str, templates: Path
) -> None:
    """`_redirects` (Netlify, Cloudflare Pages) and an nginx snippet for moved pages."""
    rules = [
        (f"{base}{old}", new if is_other_site(new) else f"{base}{new}")
        for old, new in sorted(redirects.items())
    ]
    # Checked in mkdocs.yml with a message first (redirect_problems); a rule that
    # still would not make one clean line is never written.
    for rule in rules:
        if not all(REDIRECT_PART.fullmatch(part) for part in rule):
            raise ValueError(f"not a redirect that can be written as one line: {rule}")
    env = Environment(loader=FileSystemLoader(templates), keep_trailing_newline=True)
    for template, target in (
        ("_redirects", REDIRECTS_FILE),
        ("nginx-redirects.conf", NGINX_REDIRECTS_FILE),
    ):
        text = env.get_template(template).render(rules=rules)
        (site_dir / target).write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description="Check or update the published-anchor list.")
    parser.add_argument("site_dir", type=Path, help="a freshly built site")
    parser.add_argument("--update", action="store_true", help="add anchors that are new")
    args = parser.parse_args()
    logging.basicConfig(format="%(message)s", stream=sys.stderr)
    try:
        registered = set(read_registry())
    except RegistryError as error:
        report(error.problems)
        return 1
    urls = [p.parent.relative_to(args.site_dir).as_posix() + "/" for p in
            args.site_dir.rglob("index.html")]  # fmt: skip
    urls = [url.removeprefix("./") for url in urls if not _is_redirect(args.site_dir / url)]
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
