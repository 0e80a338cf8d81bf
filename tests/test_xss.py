"""Public XSS vectors, in every place an editor types: refused with a message, or inert.

The corpus is the HTML5 Security Cheatsheet (tests/data/xss/h5sc.json, from
cure53/H5SC) and one vector for each class of OWASP's XSS Filter Evasion Cheat
Sheet (tests/data/xss/owasp.yml). Each vector goes into a page body, a page's
title and description, a glossary definition and a nav title. Where the checks
refuse it, they say so; where they let it through, Chromium loads the published
page from a server that sends no headers and nothing runs, leaves the site or
lurks in the DOM it built.

The property test at the end writes documents of nested raw-text elements,
foreign content, tables and comments with closing tags in attribute values, and
asserts that the output check and Chromium's DOM agree: whatever the browser
would run, the check refuses.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridges.pipeline.output_check import hash_source, page_findings, parse
from conftest import ROOT, VIEWPORTS, run_build, serving

XSS = ROOT / "tests" / "data" / "xss"


@dataclass(frozen=True)
class Vector:
    name: str
    text: str


def corpus() -> list[Vector]:
    h5sc = json.loads((XSS / "h5sc.json").read_text(encoding="utf-8"))["vectors"]
    owasp = yaml.safe_load((XSS / "owasp.yml").read_text(encoding="utf-8"))["vectors"]
    return [Vector(f"h5sc-{v['id']}", v["vector"]) for v in h5sc] + [
        Vector(f"owasp-{n}", v["vector"]) for n, v in enumerate(owasp, 1)
    ]


CORPUS = corpus()


def test_the_corpus_is_the_public_one():
    assert len(CORPUS) == 149 + 63
    assert len({vector.text for vector in CORPUS}) > 200


# The published pages, in Chromium ---------------------------------------------------

DOM_PROBE = """() => {
  const found = [];
  for (const element of document.querySelectorAll("*")) {
    const name = element.localName;
    for (const attribute of element.attributes) {
      const value = attribute.value.replace(/[\\x00-\\x20]/g, "").toLowerCase();
      if (/^on/i.test(attribute.name)) found.push(`${name} ${attribute.name}=`);
      const url = new RegExp("^(href|src|srcset|action|formaction|data|poster|background|" +
                             "cite|ping|lowsrc|dynsrc|xlink:href)$", "i");
      if (url.test(attribute.name) && /^(javascript|vbscript):/.test(value)) {
        found.push(`${name} ${attribute.name}: ${value}`);
      }
    }
    if (["iframe", "frame", "object", "embed", "portal", "base"].includes(name)) found.push(name);
    if (name === "meta" && /refresh/i.test(element.httpEquiv)) found.push("meta refresh");
    if (name === "script" && !/json/.test(element.type)) {
      found.push(element.src ? `script src ${element.src}` : `script ${element.textContent}`);
    }
  }
  return found;
}"""


@dataclass
class CorpusBuild:
    site: Path
    refused: dict[str, list[str]]  # vector name: the build's messages that name it
    in_definitions: set[str]  # vectors the glossary holds in the published site
    in_bodies: set[str]  # vectors a page body holds in the published site


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory) -> CorpusBuild:
    """A copy of the site with a page per vector (in its title, description, nav title
    and body) and a glossary term per vector, built as an editor would: where the
    build refuses a vector with a message naming its page or term, that vector is
    taken out of its body or definition and the site built again, until it builds."""
    folder = tmp_path_factory.mktemp("xss")
    project = folder / "project"
    for name in ("docs", "overrides", "src"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    glossary = (project / "docs" / "glossary.yml").read_text(encoding="utf-8")
    names = {vector.name for vector in CORPUS}
    in_bodies, in_definitions = set(names), set(names)
    refused: dict[str, list[str]] = {}
    for _ in range(6):
        term_lines = write_corpus(project, config, glossary, in_bodies, in_definitions)
        result = run_build(project, folder / "site", "--site-only")
        if result.returncode == 0:
            return CorpusBuild(folder / "site", refused, in_definitions, in_bodies)
        errors = [line for line in result.output.splitlines() if not line.startswith("INFO")]
        named = False
        for vector in CORPUS:
            page = [line for line in errors if f"docs/xss/{vector.name}.md" in line]
            term = [
                line
                for line in errors
                if f"term 'xss-{vector.name}'" in line
                or f"docs/glossary.yml, line {term_lines.get(vector.name)}:" in line
            ]
            if page and vector.name in in_bodies:
                in_bodies.discard(vector.name)
            elif term and vector.name in in_definitions:
                in_definitions.discard(vector.name)
            else:
                continue
            named = True
            refused.setdefault(vector.name, []).extend(page + term)
        assert named, "the build failed without naming a vector:\n" + result.output[-3000:]
    raise AssertionError("the corpus site never built:\n" + result.output[-3000:])


def write_corpus(
    project: Path, config: str, glossary: str, in_bodies: set[str], in_definitions: set[str]
) -> dict[str, int]:
    """Writes the pages, nav and terms; returns the line of each vector's term."""
    nav = []
    for vector in CORPUS:
        body = vector.text if vector.name in in_bodies else ""
        meta = {"title": vector.text, "description": vector.text}
        page = project / "docs" / "xss" / f"{vector.name}.md"
        page.parent.mkdir(exist_ok=True)
        page.write_text(
            f"---\n{yaml.safe_dump(meta, allow_unicode=True)}---\n\n"
            f"# Vector {{#vector}}\n\nBefore.\n\n{body}\n\nAfter.\n",
            encoding="utf-8",
        )
        # JSON strings are YAML; `?` marks a key, which may then be over 1024 characters.
        nav.append(f'  - {{? {json.dumps(vector.text)}: "xss/{vector.name}.md"}}\n')
    (project / "mkdocs.yml").write_text(config + "".join(nav), encoding="utf-8")
    terms = [
        f"  - {json.dumps(term_of(vector))}\n" for vector in CORPUS if vector.name in in_definitions
    ]
    (project / "docs" / "glossary.yml").write_text(glossary + "".join(terms), encoding="utf-8")
    first = glossary.count("\n") + 1
    defined = [vector.name for vector in CORPUS if vector.name in in_definitions]
    return {name: first + n for n, name in enumerate(defined)}


def term_of(vector: Vector) -> dict[str, str]:
    return {"id": f"xss-{vector.name}", "term": f"Corpus term {vector.name}",
            "definition": vector.text}  # fmt: skip


def test_every_vector_is_refused_with_a_message_or_published(corpus_build, capsys):
    # The source checks name the line; the output check, the page it was built into.
    unplaced = [
        message
        for messages in corpus_build.refused.values()
        for message in messages
        if ", line " not in message and "(published as " not in message
    ]
    assert unplaced == []
    published = corpus_build.in_bodies
    with capsys.disabled():
        print(
            f"\nXSS corpus: {len(CORPUS)} vectors. In a page body: "
            f"{len(CORPUS) - len(published)} refused, {len(published)} published; in a "
            f"definition: {len(CORPUS) - len(corpus_build.in_definitions)} refused, "
            f"{len(corpus_build.in_definitions)} published; as title, description and nav "
            f"title: {len(CORPUS)} published."
        )
    assert len(published) + len(corpus_build.refused) >= len(CORPUS)
    for name in published:
        assert (corpus_build.site / "xss" / name / "index.html").is_file(), name


@pytest.mark.browser
def test_every_published_vector_is_inert_in_chromium(corpus_build, chromium_tab):
    site = corpus_build.site
    navigated = chromium_tab.record_navigations()
    with serving(site) as base:
        chromium_tab.goto(base + "about/")
        theme = set(chromium_tab.evaluate(DOM_PROBE))  # the theme's own scripts, by address
        allowed = set(re.findall(r"'sha256-[^']+'", (site / "_headers").read_text("utf-8")))
        lurking = {}
        paths = [f"xss/{vector.name}/" for vector in CORPUS] + ["glossary/", "404.html"]
        for path in paths:
            chromium_tab.goto(base + path)
            # Nothing to wait on: a vector that acts late (a timer, a failed load)
            # gets a moment to act before the DOM is read.
            time.sleep(0.05)
            found = [
                thing
                for thing in chromium_tab.evaluate(DOM_PROBE)
                if thing not in theme
                and not (thing.startswith("script ") and script_hash(thing) in allowed)
            ]
            if found:
                lurking[path] = found
        leaving = [
            *(
                url
                for url in chromium_tab.requests()
                if not url.startswith((base, "data:", "about:"))
            ),
            *(f"navigated to {url}" for url in navigated if not url.startswith((base, "about:"))),
        ]
    assert chromium_tab.dialogs() == []
    assert leaving == []
    assert lurking == {}


def script_hash(found: str) -> str:
    """The policy's hash of an inline script the probe found ("script <its text>")."""
    return hash_source(found.removeprefix("script "))


# The output check and the browser agree -----------------------------------------

RAW_TEXT = ["noscript", "textarea", "title", "style", "xmp", "iframe", "noembed", "noframes",
            "script", "template", "plaintext"]  # fmt: skip
CONTAINERS = ["div", "p", "table", "select", "option", "svg", "math", "mtext", "mglyph", "desc",
              "foreignObject", "annotation-xml", "a", "form", "object", "tr", "td"]  # fmt: skip
PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "<meta http-equiv=refresh content='0;url=https://evil.example/'>",
    "<a href=javascript:alert(1)>x</a>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<svg onload=alert(1)>",
    "<style>*{}</style>",
]
CLOSERS = [f"</{name}>" for name in RAW_TEXT + CONTAINERS] + ["-->", "--!>", "]]>", "<!--"]


def attribute_value() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(CLOSERS + PAYLOADS + ["x", '"', "'"]), max_size=4).map("".join)


def fragment() -> st.SearchStrategy[str]:
    leaf = st.one_of(st.sampled_from(PAYLOADS), st.sampled_from(CLOSERS), st.just("text"))

    def wrap(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        element = st.tuples(
            st.sampled_from(RAW_TEXT + CONTAINERS),
            st.sampled_from(["title", "id", "alt", "class"]),
            attribute_value(),
            st.lists(children, max_size=3).map("".join),
            st.booleans(),
        ).map(
            lambda t: (
                f'<{t[0]} {t[1]}="{t[2].replace(chr(34), "&quot;")}">{t[3]}'
                + (f"</{t[0]}>" if t[4] else "")
            )
        )
        comment = st.lists(children, max_size=2).map(lambda c: f"<!--{''.join(c)}-->")
        return st.one_of(element, comment)

    return st.recursive(leaf, wrap, max_leaves=8)


@pytest.mark.browser
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=fragment())
def test_whatever_chromium_would_run_the_output_check_refuses(chromium, body):
    document = f"<!doctype html><html><head></head><body>{body}</body></html>"
    findings = page_findings(parse(document))
    refused = bool(
        findings.problems
        or findings.inline_scripts
        or findings.script_sources
        or findings.refresh_targets
    )
    # A tab of its own for each document: one that navigated away or crashed
    # must not stand in for the next.
    tab = chromium.new_page(*VIEWPORTS["desktop"])
    try:
        tab.load_html(document)
        found = tab.evaluate(DOM_PROBE)
    except Exception as error:  # a navigation away destroyed the page: it did something
        found = [f"the page went away: {error}"]
    finally:
        tab.close()
    if found:
        assert refused, f"Chromium built {found} from {body!r}, which the check passed"


@pytest.mark.browser
def test_the_probe_sees_what_chromium_would_run_and_so_does_the_check(chromium_tab):
    # The property above is only as good as the probe: here it must see the
    # <meta refresh> that the noscript trick puts into the DOM, as the check does.
    vectors = yaml.safe_load((XSS / "owasp.yml").read_text(encoding="utf-8"))["vectors"]
    vector = next(v for v in vectors if v["name"] == "noscript meta refresh")
    document = f"<!doctype html><html><body>{vector['vector']}</body></html>"
    chromium_tab.load_html(document)
    assert chromium_tab.evaluate(DOM_PROBE) == ["meta refresh"]
    assert page_findings(parse(document)).refresh_targets == ("https://evil.example/",)
