"""The output check: what is published is what is checked, read as a browser reads it.

In-process tests of `bridges.pipeline.output_check` on small documents and
folders, then the built site, which must pass its own check, from the command
line too. The browser's side (the XSS corpus, and the property that the check
and Chromium agree) is in tests/test_output_check_browser.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bridges.pipeline.output_check import (
    KnownCode,
    css_problems,
    epub_problems,
    page_findings,
    page_problems,
    parse,
    site_problems,
    svg_problems,
)
from conftest import ROOT

THEME_SCRIPT = "console.log('theme');\n"


def findings(body: str, head: str = ""):
    return page_findings(
        parse(f"<!doctype html><html><head>{head}</head><body>{body}</body></html>")
    )


def problems_in(body: str, head: str = "") -> list[str]:
    return list(findings(body, head).problems)


def test_plain_content_passes():
    body = (
        '<article><h2 id="x">Title</h2><p class="essay">Text with <a href="https://example.org/">'
        'a link</a>, <em>emphasis</em> and <img src="../assets/images/a.png" alt="A"></p></article>'
    )
    assert problems_in(body) == []


def test_a_closing_noscript_inside_an_attribute_is_read_as_a_browser_reads_it():
    # With scripting on, <noscript> holds raw text: the </noscript> in the title
    # ends it, and the <meta> after it is a real element.
    vector = (
        '<noscript><p title="</noscript><meta http-equiv=refresh '
        "content='1;url=https://evil.example/'>\"></p></noscript>"
    )
    found = findings(vector)
    assert "a <noscript> element" in found.problems
    assert found.refresh_targets == ("https://evil.example/",)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<script>alert(1)</script>", None),  # judged by hash, below
        ('<img src="x" onerror="alert(1)" alt="">', "an onerror= event attribute on <img>"),
        ('<a href="javascript:alert(1)">x</a>', "a javascript: address in href= on <a>"),
        ('<a href="java&#x09;script:alert(1)">x</a>', "a javascript: address in href= on <a>"),
        ('<a href="data:text/html,<script>alert(1)</script>">x</a>',
         "a data: address in href= on <a>"),
        ('<iframe src="https://evil.example/"></iframe>', "an <iframe> element"),
        ('<object data="x.swf"></object>', "an <object> element"),
        ('<embed src="x.swf">', "an <embed> element"),
        ('<base href="https://evil.example/">', "a <base> element"),
        ('<form action="https://evil.example/"><button>x</button></form>',
         "an action= attribute on <form>"),
        ('<button formaction="javascript:alert(1)">x</button>',
         "a formaction= attribute on <button>"),
        ('<input type="image" src="x">', 'an <input type="image">'),
        ('<p style="color:red">x</p>',
         "a style= attribute on <p>: the policy allows no inline style"),
        ("<svg><style>p{}</style></svg>",
         "a <style> element inside <svg>: the site's policy allows no inline style"),
        ('<svg><script>alert(1)</script></svg>', "a <script> element inside <svg>"),
        ('<svg><foreignObject><p>x</p></foreignObject></svg>',
         "a <foreignobject> element inside <svg>"),
        ('<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
         "an <a> element inside <svg>"),
        ('<svg><use href="https://evil.example/s.svg#x"></use></svg>',
         "a href= on <use> inside <svg> that is not a #fragment"),
        ("<math><mi>x</mi></math>", "a <math> element"),
        ('<meta http-equiv="set-cookie" content="a=b">', 'a <meta http-equiv="set-cookie">'),
        ('<link rel="stylesheet" href="https://evil.example/a.css">',
         "a <link> that loads 'https://evil.example/a.css' from another host"),
        ('<link rel="import" href="x.html">', 'a <link rel="import">'),
        ('<script type="importmap">{}</script>', 'a <script type="importmap">'),
        ("<template><p>x</p></template>", "a <template> element"),
    ],
)  # fmt: skip
def test_what_a_page_may_not_hold_is_refused(body, expected):
    if expected is None:
        assert findings(body).inline_scripts
    else:
        assert expected in problems_in(body)


@pytest.mark.parametrize(
    "tag",
    [
        '<img src="https://tracker.example/p.gif" alt="">',
        '<img src="//tracker.example/p.gif" alt="">',
        '<img src="/\\tracker.example/p.gif" alt="">',
        '<img srcset="a.png 1x, https://tracker.example/p.gif 2x" alt="">',
        '<video src="https://media.example/v.mp4"></video>',
        '<video poster="https://media.example/p.png"></video>',
        '<audio src="https://media.example/a.mp3"></audio>',
        '<video><source src="https://media.example/v.webm"></video>',
        '<video><track src="https://media.example/t.vtt"></video>',
    ],
)
def test_media_from_another_host_is_refused(tag):
    assert any("from another host" in problem for problem in problems_in(tag))


def test_links_to_other_sites_stay_allowed():
    assert problems_in('<a href="https://example.org/">x</a> <a href="mailto:a@b.c">m</a>') == []


def known(tmp_path: Path, **kinds) -> KnownCode:
    theme = tmp_path / "theme"
    theme.mkdir(exist_ok=True)
    (theme / "theme.js").write_text(THEME_SCRIPT, encoding="utf-8")
    return KnownCode.from_folders([theme]) if not kinds else KnownCode(**kinds)


@pytest.mark.parametrize(
    ("code", "kind", "problem"),
    [
        ("<script>alert(1)</script>", "inline_scripts", "an inline script that no template emits"),
        ("<style>p { color: red }</style>", "inline_styles",
         "an inline <style> that no template emits"),
    ],
)  # fmt: skip
def test_inline_code_is_allowed_only_when_a_template_emits_it(tmp_path, code, kind, problem):
    found = findings(code)
    assert page_problems("index.html", found, KnownCode(), tmp_path) == [problem]
    allowed = KnownCode(**{kind: set(getattr(found, kind))})
    assert page_problems("index.html", found, allowed, tmp_path) == []


def test_scripts_are_known_by_file(tmp_path):
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "assets" / "theme.js").write_text(THEME_SCRIPT, encoding="utf-8")
    (site / "assets" / "added.js").write_text("alert(1)\n", encoding="utf-8")
    theme = known(tmp_path)
    page = "about/index.html"
    assert page_problems(page, findings('<script src="../assets/theme.js"></script>'), theme,
                         site) == []  # fmt: skip
    added = findings('<script src="../assets/added.js"></script>')
    assert page_problems(page, added, theme, site) == [
        "a script the theme does not ship, '../assets/added.js'"
    ]
    assert page_problems(page, findings('<script src="https://cdn.example/x.js"></script>'),
                         theme, site) == [
        "a script from another host, 'https://cdn.example/x.js'"
    ]  # fmt: skip


def test_a_refresh_is_allowed_only_on_a_redirect_page_and_within_the_site(tmp_path):
    refresh = findings('<meta http-equiv="refresh" content="0; url=../new/">')
    pages = KnownCode(redirect_pages={"old/index.html"})
    assert page_problems("old/index.html", refresh, pages, tmp_path) == []
    assert page_problems("about/index.html", refresh, pages, tmp_path) != []
    away = findings('<meta http-equiv="refresh" content="0; url=https://evil.example/">')
    assert page_problems("old/index.html", away, pages, tmp_path) != []


@pytest.mark.parametrize(
    ("svg", "expected"),
    [
        ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
         "a <script> element inside <svg> (line 1)"),
        ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
         "an onload= event attribute on <svg> (line 1)"),
        ('<svg xmlns="http://www.w3.org/2000/svg">\n<foreignObject/></svg>',
         "a <foreignobject> element inside <svg> (line 2)"),
        ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
         '<image xlink:href="https://evil.example/x.png"/></svg>',
         "an <image> element inside <svg> (line 1)"),
        ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
         '<use xlink:href="https://evil.example/s.svg#a"/></svg>',
         "a xlink:href= on <use> inside <svg> that is not a #fragment (line 1)"),
        ("<svg", None),
    ],
)  # fmt: skip
def test_an_svg_file_may_hold_drawing_only(svg, expected):
    problems = svg_problems(svg.encode())
    if expected is None:
        assert problems and problems[0].startswith("an SVG file that is not well-formed XML")
    else:
        assert expected in problems


def test_an_svg_file_reads_no_entities_and_no_network():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>'
    )
    assert "root:" not in " ".join(svg_problems(bomb.encode()))


def test_the_site_logo_passes_as_an_svg_file():
    assert svg_problems((ROOT / "overrides" / ".icons" / "bridges" / "logo.svg").read_bytes()) == []


@pytest.mark.parametrize(
    "css",
    [
        "@import 'https://evil.example/a.css';",
        "@import url(//evil.example/a.css);",
        "body { background: url(https://tracker.example/p.gif) }",
        "body { background: url('javascript:alert(1)') }",
        'body { background: image-set("https://tracker.example/p.png" 1x) }',
        'body { background: -webkit-image-set("//tracker.example/p.png" 1x) }',
        '@font-face { font-family: x; src: src("https://fonts.example/f.woff2") }',
        "body { background: u\\72l(https://tracker.example/p.gif) }",
    ],
)
def test_a_stylesheet_loads_nothing_from_another_host(css):
    assert css_problems(css)


def test_a_stylesheet_may_use_its_own_files_and_data():
    assert (
        css_problems(
            "a { background: url(../images/x.png), url('data:image/png;base64,AA'), "
            'image-set("../images/x.png" 1x) }'
        )
        == []
    )


def test_files_of_a_type_the_site_does_not_publish_are_refused(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "tool.exe").write_bytes(b"MZ")
    (site / "notes.md").write_text("x", encoding="utf-8")
    problems = [str(problem) for problem in site_problems(site, known(tmp_path))]
    fix = "Content cannot run code; behaviour belongs in docs/assets/javascripts/bridges.js."
    assert problems == [
        f"notes.md: the site does not publish a .md file. {fix}",
        f"tool.exe: the site does not publish a .exe file. {fix}",
    ]


def test_a_symbolic_link_in_the_site_is_refused(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    os.symlink("/etc/passwd", site / "leak.txt")
    assert [p.message for p in site_problems(site, known(tmp_path))] == [
        "the site does not publish a symbolic link."
    ]


def test_a_page_problem_names_the_markdown_file(tmp_path):
    site = tmp_path / "site"
    (site / "about").mkdir(parents=True)
    (site / "about" / "index.html").write_text("<p><iframe></iframe></p>", encoding="utf-8")
    problems = site_problems(site, known(tmp_path), sources={"about/index.html": "docs/about.md"})
    assert [problem.file for problem in problems] == [
        "docs/about.md (published as about/index.html)"
    ]


def test_an_epub_runs_no_script(tmp_path):
    epub = tmp_path / "book.epub"
    with zipfile.ZipFile(epub, "w") as archive:
        archive.writestr(
            "EPUB/c.xhtml",
            '<html xmlns="http://www.w3.org/1999/xhtml"><body><script>alert(1)</script>'
            '<p onclick="x()">x</p></body></html>',
        )
    messages = [problem.message for problem in epub_problems(epub)]
    assert "the site does not publish a <script> element." in messages
    assert "the site does not publish an onclick= event attribute on <p>." in messages


# The built site -------------------------------------------------------------------


def test_the_built_site_passes_its_own_check_from_the_command_line(site):
    result = subprocess.run(
        [sys.executable, "-m", "bridges.pipeline.output_check", str(site)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"0 problem(s) in {site}/"


def test_the_command_line_check_refuses_a_script_added_to_a_built_site(site, tmp_path):
    import shutil

    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    (copy / "assets" / "javascripts" / "added.js").write_text("alert(1)\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bridges.pipeline.output_check", str(copy)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert "added.js: the site does not publish a script the theme does not ship" in result.stderr


def test_the_epub_passes_the_check(site):
    assert epub_problems(site / "building-bridges.epub") == []


def test_the_offline_bundle_passes_the_check(site, tmp_path):
    with zipfile.ZipFile(site / "building-bridges-offline.zip") as archive:
        archive.extractall(tmp_path)
    bundle = tmp_path / "building-bridges"
    theme = KnownCode.from_folders(
        [ROOT / "overrides", *_material_dirs()], [ROOT / "docs/assets/javascripts/bridges.js"]
    )
    problems = [
        str(problem)
        for problem in site_problems(bundle, theme)
        if "inline script" not in problem.message  # hashes are the build's; checked there
    ]
    assert problems == []


def _material_dirs() -> list[Path]:
    import material

    return [Path(material.__file__).parent / "templates"]


def test_a_stylesheet_the_theme_ships_as_it_is_is_known_and_any_other_is_read(tmp_path):
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "main.css").write_text("a { color: teal }", encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    (site / "main.css").write_text("a { color: teal }", encoding="utf-8")
    (site / "added.css").write_text("a { background: url(//tracker.example/p.gif) }", "utf-8")
    problems = site_problems(site, KnownCode.from_folders([theme]))
    assert [problem.file for problem in problems] == ["added.css"]
