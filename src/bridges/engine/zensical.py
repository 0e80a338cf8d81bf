"""Zensical as the engine: the same docs/ and mkdocs.yml rendered by Material's
successor, then published by the same pipeline (`bridges.pipeline.publishing`).

Zensical runs our Markdown extensions (the glossary, the safety check) but none
of MkDocs' hooks or plugins. So what the hooks check before any page is read
(the files of docs/, the glossary, redirects, nav titles) is checked here
first, and what the pipeline cannot read from the built folder is found here:
what Zensical's templates emit inline (from stand-in pages it renders), and
each page's file, title and description (from mkdocs.yml and front matter).
What the hooks give templates (related pages, "Used in" lists, card paths) is
missing on Zensical; the README lists what differs and why.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import yaml
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.yaml import yaml_load

from bridges.engine.checks import nav_script_problems
from bridges.engine.sources import check_sources, docs_as_shown
from bridges.pipeline.pagescan import InlineCode, inline_code
from bridges.pipeline.publishing import BuiltSite, Card
from bridges.problems import Problem

ENGINE = [sys.executable, "-m", "zensical"]
# Zensical's messages: a warning with its place on the next lines, or a Python error.
WARNING = re.compile(r"^Warning: (?P<message>.+?)\s*\n.*?\[ (?P<file>[^\]:]+):(?P<line>\d+):\d+ \]",
                     re.MULTILINE | re.DOTALL)  # fmt: skip
PYTHON_ERROR = re.compile(r"Python error: \w+: (?P<message>.+)")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class EngineProblems(Exception):
    """The sources or the engine refused the site; nothing was published."""

    def __init__(self, problems: list[Problem | str]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def build_pages(config_file: Path, site_dir: Path) -> BuiltSite:
    """Checks the sources, renders them with Zensical into `site_dir`, and says
    what the pipeline needs to publish them."""
    config = load_config(str(config_file), site_dir=str(site_dir), strict=True)
    if problems := source_problems(config):
        raise EngineProblems(problems)
    project = Path(config.config_file_path).parent
    settings = _settings(config_file)
    # As the MkDocs hooks do (on_config): the footer names the version.
    settings["extra"] = {**(settings.get("extra") or {}), "version": version("building-bridges")}
    pages = _nav(config).pages
    templates_code = _template_inline_code(config, settings, project, pages)
    _render(settings, project, site_dir, strict=True)
    shown = docs_as_shown(config)
    return BuiltSite(
        config=config,
        site_dir=site_dir,
        theme_dirs=[*_override_dirs(config), str(_zensical_theme())],
        inline_code=templates_code,
        cards=[
            Card(str(page.title), str(page.meta.get("description", "")), page.url) for page in pages
        ],
        sources={page.file.dest_uri: f"{shown}/{page.file.src_uri}" for page in pages},
        moved_anchors={page.url: page.meta.get("moved_anchors", {}) for page in pages},
    )


def source_problems(config: MkDocsConfig) -> list[Problem | str]:
    """What the MkDocs hooks check before the pages are read, for an engine without hooks."""
    if problems := check_sources(config).problems:
        return list(problems)
    config_file = Path(config.config_file_path)
    from bridges.pipeline.pdf import built_site_nav

    nav = built_site_nav(config)  # titles as written in mkdocs.yml, before any page is read
    return list(nav_script_problems(nav.items, config_file.read_text(encoding="utf-8"),
                                    config_file.name))  # fmt: skip


def _settings(config_file: Path) -> dict[str, Any]:
    """mkdocs.yml as data (`!ENV` resolved), for the configurations written for Zensical."""
    with open(config_file, encoding="utf-8") as file:
        return yaml_load(file)


def _render(settings: dict[str, Any], project: Path, site_dir: Path, *, strict: bool) -> None:
    """Zensical's build of `settings` into `site_dir`. Zensical writes only inside
    the project's folder, so it builds into a temporary folder there first."""
    with tempfile.TemporaryDirectory(prefix=".zensical-", dir=project) as work:
        built = Path(work) / "site"
        # Beside mkdocs.yml: Zensical reads relative paths from the configuration's folder.
        config_file = project / f"{Path(work).name}.yml"
        written = {**settings, "site_dir": str(built.relative_to(project))}
        config_file.write_text(yaml.safe_dump(written, allow_unicode=True), encoding="utf-8")
        command = [*ENGINE, "build", "--clean", "--config-file", str(config_file)]
        if strict:
            command.append("--strict")
        try:
            result = subprocess.run(command, cwd=project, capture_output=True, text=True)
        finally:
            config_file.unlink()
        if result.returncode != 0:
            raise EngineProblems(_problems_in(result.stdout + result.stderr))
        if site_dir.exists():
            shutil.rmtree(site_dir)
        shutil.move(built, site_dir)


def _problems_in(output: str) -> list[Problem | str]:
    """Zensical's messages as one line each (its Python errors come with a traceback)."""
    text = ANSI.sub("", output)
    problems: list[Problem | str] = [
        Problem(f"docs/{found['file']}", found["message"] + ".", line=int(found["line"]))
        for found in WARNING.finditer(text)
    ]
    problems += list(dict.fromkeys(found["message"] for found in PYTHON_ERROR.finditer(text)))
    if not problems:
        last = [line for line in text.splitlines() if line.strip()][-1:]
        problems.append(f"Zensical stopped: {last[0] if last else 'no message'}")
    return problems


def _template_inline_code(
    config: MkDocsConfig, settings: dict[str, Any], project: Path, pages: list[Page]
) -> InlineCode:
    """What Zensical's templates emit inline, for every depth of address: found on
    stand-in pages it renders, so that content can never widen the policy."""
    depths = sorted({page.url.count("/") for page in pages})
    found = InlineCode()
    with tempfile.TemporaryDirectory(prefix=".zensical-stand-in-", dir=project) as work:
        docs = Path(work) / "docs"
        shutil.copytree(config.docs_dir, docs, ignore=shutil.ignore_patterns("*.md"))
        nav = []
        for depth in depths:
            name = "index.md" if depth == 0 else "/".join(["stand-in"] * depth) + ".md"
            (docs / name).parent.mkdir(parents=True, exist_ok=True)
            (docs / name).write_text("---\ntitle: Stand-in\ndescription: Stand-in\n---\n\n"
                                     "Stand-in\n", encoding="utf-8")  # fmt: skip
            nav.append({"Stand-in": name})
        stand_in = {**settings, "docs_dir": str(docs.relative_to(project)), "nav": nav}
        site = Path(work) / "site"
        _render(stand_in, project, site, strict=False)
        for page in site.rglob("*.html"):
            found.add(inline_code(page.read_text(encoding="utf-8")))
    return found


def _nav(config: MkDocsConfig) -> Navigation:
    """The pages in mkdocs.yml's order, with their front matter read."""
    from bridges.pipeline.pdf import built_site_nav

    nav = built_site_nav(config)
    for page in nav.pages:
        page.read_source(config)
    return nav


def _override_dirs(config: MkDocsConfig) -> list[str]:
    custom = config.theme.custom_dir
    return [custom] if custom else []


def _zensical_theme() -> Path:
    import zensical

    return Path(zensical.__file__).parent / "templates"
