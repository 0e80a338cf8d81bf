"""What docs/ may publish: symlinks out of docs/ are refused before anything reads
through them, only known file types are published, and SVG drawings cannot run
code or load files from other hosts. Each problem is one line: file, line, fix.

The checks are called directly; a few whole builds show that the build stops
with those lines before MkDocs collects the files, and writes no site (so no
offline zip and no EPUB either).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_build_errors import assert_previous_site_intact, build_broken, error_lines

from bridges.engine import files
from bridges.engine.files import (
    PUBLISHABLE,
    docs_problems,
    file_type_problems,
    svg_problems,
    symlink_problems,
)
from conftest import as_text, run_build

SHOWN = Path("docs")


def nothing_excluded(uri: str) -> bool:
    return False


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "project" / "docs"
    folder.mkdir(parents=True)
    (folder / "index.md").write_text("# Home\n", encoding="utf-8")
    return folder


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text("not for publishing\n", encoding="utf-8")
    return folder


# Symlinks --------------------------------------------------------------------------


def test_a_symlink_to_a_file_outside_docs_is_refused_with_its_path(docs, outside):
    (docs / "leak.txt").symlink_to(outside / "secret.txt")
    assert as_text(symlink_problems(docs, SHOWN)) == [
        f"docs/leak.txt: a symlink to {outside / 'secret.txt'}, outside docs/. "
        "Copy what it points to into docs/ instead, or delete the link."
    ]


def test_a_symlink_to_a_folder_outside_docs_is_refused_with_its_path(docs, outside):
    (docs / "assets").mkdir()
    (docs / "assets" / "shared").symlink_to(outside, target_is_directory=True)
    assert as_text(symlink_problems(docs, SHOWN)) == [
        f"docs/assets/shared: a symlink to {outside}, outside docs/. "
        "Copy what it points to into docs/ instead, or delete the link."
    ]


def test_a_relative_symlink_that_climbs_out_of_docs_is_refused(docs, outside):
    (docs / "config").symlink_to(Path("..", "..", "outside", "secret.txt"))
    assert [p.file for p in symlink_problems(docs, SHOWN)] == ["docs/config"]


def test_a_symlink_inside_docs_to_a_file_or_folder_inside_docs_is_fine(docs):
    (docs / "images").mkdir()
    (docs / "images" / "logo.png").write_bytes(b"\x89PNG")
    (docs / "logo.png").symlink_to(Path("images", "logo.png"))
    (docs / "pictures").symlink_to(Path("images"), target_is_directory=True)
    assert symlink_problems(docs, SHOWN) == []


def test_a_symlink_to_nothing_is_refused(docs):
    (docs / "gone.png").symlink_to(docs / "missing.png")
    assert as_text(symlink_problems(docs, SHOWN)) == [
        f"docs/gone.png: a symlink to {docs / 'missing.png'}, which does not exist. "
        "Delete the link, or point it at a file that exists."
    ]


def test_a_symlink_to_a_folder_that_holds_it_is_refused(docs):
    # MkDocs follows folder links: this one would be walked without end.
    (docs / "notes").mkdir()
    (docs / "notes" / "again").symlink_to(Path(".."), target_is_directory=True)
    assert [p.file for p in symlink_problems(docs, SHOWN)] == ["docs/notes/again"]


def test_nothing_behind_a_symlink_out_of_docs_is_listed_or_read(docs, outside, monkeypatch):
    # A link to /etc once made the build read all of /etc before it failed.
    (docs / "etc").symlink_to(outside, target_is_directory=True)
    (outside / "inner").mkdir()
    (docs / "drawing.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", "utf-8")
    listed, drawings_read = [], []
    real_scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda p=".": listed.append(str(p)) or real_scandir(p))
    monkeypatch.setattr(files, "svg_problems", lambda path, shown: drawings_read.append(path))
    problems = docs_problems(docs, SHOWN, nothing_excluded)
    assert [p.file for p in problems] == ["docs/etc"]
    assert listed and not [p for p in listed if p.startswith(str(outside))], listed
    assert drawings_read == [], "while a link leads out, no file of docs/ is read either"


# File types ------------------------------------------------------------------------


def test_every_allowed_file_type_is_published_in_its_place():
    uris = [f"{folder or 'assets/files'}/file{extension}"
            for extension, folder in PUBLISHABLE.items()]  # fmt: skip
    assert file_type_problems([*uris, "photo.JPG"], SHOWN) == []


def test_an_html_file_is_refused_and_asked_to_be_a_markdown_page():
    assert as_text(file_type_problems(["extra/page.html"], SHOWN)) == [
        "docs/extra/page.html: an HTML file is published as it is, without the site's checks "
        "and policy. Write it as a Markdown page (.md) instead."
    ]


@pytest.mark.parametrize("name", ["data.xml", "movie.swf", "page.xhtml", "tool.exe", "README"])
def test_a_file_type_docs_does_not_publish_is_refused(name):
    [problem] = as_text(file_type_problems([name], SHOWN))
    assert problem.startswith(f"docs/{name}: ")
    assert "or move the file out of docs/." in problem or "Markdown page" in problem


def test_scripts_and_stylesheets_belong_in_their_assets_folders():
    assert as_text(file_type_problems(["tracker.js", "assets/theme.css"], SHOWN)) == [
        "docs/assets/theme.css: .css files belong under docs/assets/stylesheets/. Move it there.",
        "docs/tracker.js: .js files belong under docs/assets/javascripts/. Move it there.",
    ]


def test_files_mkdocs_does_not_publish_are_not_checked(docs):
    (docs / ".DS_Store").write_bytes(b"\0")
    (docs / "glossary.yml").write_text("terms: []\n", encoding="utf-8")
    (docs / "notes.html").write_text("<p>draft</p>", encoding="utf-8")

    def excluded(uri: str) -> bool:  # as exclude_docs in mkdocs.yml
        return uri in {"glossary.yml", "notes.html"}

    assert docs_problems(docs, SHOWN, excluded) == []
    assert [p.file for p in docs_problems(docs, SHOWN, nothing_excluded)] == [
        "docs/glossary.yml", "docs/notes.html"
    ]  # fmt: skip


# SVG -------------------------------------------------------------------------------

SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
SVG_FINE = f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- exported by hand -->
{SVG_OPEN}
  <defs><circle id="dot" r="2"/><style>.a {{ fill: url(#fade) }}</style></defs>
  <title>A bridge</title>
  <use href="#dot"/><use xlink:href="icons.svg#arch"/>
  <image href="photo.png" width="4" height="4"/>
  <image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>
  <a href="https://example.org/"><text style="fill: red">Read more</text></a>
</svg>
"""

# (name, what is on line 3 of the drawing, words the message holds)
REFUSED_SVG = [
    ("script element", "<script>alert(1)</script>", "a <script> element. An image cannot run code"),
    (
        "script in another namespace",
        '<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>',
        "a <script> element",
    ),
    (
        "event attribute",
        '<rect width="4" height="4" onload="alert(1)"/>',
        "the event attribute onload= on <rect>",
    ),
    ("event attribute in upper case", '<rect ONCLICK="alert(1)"/>', "the event attribute ONCLICK="),
    (
        "animated event attribute",
        '<set attributeName="onmouseover" to="alert(1)"/>',
        "an animation of the event attribute onmouseover",
    ),
    (
        "HTML element",
        '<h:iframe xmlns:h="http://www.w3.org/1999/xhtml" srcdoc="&lt;script&gt;"/>',
        "an HTML element <iframe> in the drawing",
    ),
    (
        "foreignObject",
        "<foreignObject><p>HTML</p></foreignObject>",
        "a <foreignObject> element. Remove it: it puts HTML inside the drawing.",
    ),
    (
        "javascript link",
        '<a href=" java&#9;script:alert(1)"><text>x</text></a>',
        "a javascript: URL in href= on <a>",
    ),
    (
        "javascript by animation",
        '<a><animate attributeName="href" values="x;javascript:alert(1)"/></a>',
        "a javascript: URL in values= on <animate>",
    ),
    (
        "image from another host",
        '<image href="https://evil.example/x.png"/>',
        "href= on <image> loads https://evil.example/x.png. Put the file under docs/assets/",
    ),
    (
        "use from another host",
        '<use xlink:href="//evil.example/icons.svg#a"/>',
        "href= on <use> loads //evil.example/icons.svg#a",
    ),
    ("host hidden by a backslash", '<image href="/\\evil.example/x.png"/>', "href= on <image>"),
    (
        "HTML as data",
        '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"><text>x</text></a>',
        "href= on <a> loads data:text/html",
    ),
    (
        "SVG as data",
        '<image href="data:image/svg+xml,&lt;svg onload=alert(1)&gt;"/>',
        "href= on <image> loads data:image/svg+xml",
    ),
    (
        "stylesheet url from another host",
        "<style>rect { fill: url('https://evil.example/p') }</style>",
        "url(https://evil.example/p) in <style>",
    ),
    (
        "style attribute url from another host",
        '<rect style="fill: url(//evil.example/p)"/>',
        "url(//evil.example/p) in style= on <rect>",
    ),
    ("stylesheet import", '<style>@import "theme.css";</style>', "an @import in <style>"),
]


def write_svg(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "drawing.svg"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_plain_drawing_with_local_references_and_links_is_fine(tmp_path):
    assert svg_problems(write_svg(tmp_path, SVG_FINE), SHOWN / "drawing.svg") == []


@pytest.mark.parametrize(("name", "element", "says"), REFUSED_SVG, ids=[c[0] for c in REFUSED_SVG])
def test_svg_that_could_run_code_or_load_from_elsewhere_is_refused_at_its_line(
    tmp_path, name, element, says
):
    text = f'<?xml version="1.0"?>\n{SVG_OPEN}\n  {element}\n</svg>\n'
    problems = as_text(svg_problems(write_svg(tmp_path, text), SHOWN / "drawing.svg"))
    assert [p.split(": ")[0] for p in problems] == ["docs/drawing.svg, line 3"], problems
    assert says in problems[0], problems


def test_svg_with_a_doctype_of_its_own_is_refused_and_its_entities_are_not_read(tmp_path):
    # A browser expands entities declared in the file: markup no check would see.
    text = ('<?xml version="1.0"?>\n<!DOCTYPE svg [\n  <!ENTITY hidden "<script>alert(1)</script>">'
            f'\n  <!ENTITY file SYSTEM "file:///etc/hostname">\n]>\n{SVG_OPEN}<text>&hidden;&file;'
            "</text></svg>\n")  # fmt: skip
    problems = as_text(svg_problems(write_svg(tmp_path, text), SHOWN / "drawing.svg"))
    assert "docs/drawing.svg, line 6: a DOCTYPE with declarations of its own." in problems[0]
    assert all("line 6" in problem for problem in problems), problems


def test_a_stylesheet_instruction_in_svg_is_refused(tmp_path):
    text = f'<?xml version="1.0"?>\n<?xml-stylesheet href="https://evil.example/x.xsl"?>\n{SVG_OPEN}</svg>'
    assert as_text(svg_problems(write_svg(tmp_path, text), SHOWN / "drawing.svg")) == [
        "docs/drawing.svg, line 2: a <?xml-stylesheet?> instruction. "
        "Export the drawing again from your drawing program as plain SVG."
    ]


def test_an_svg_that_does_not_parse_is_refused_with_its_line(tmp_path):
    text = f'<?xml version="1.0"?>\n{SVG_OPEN}\n  <g>\n</svg>\n'
    [problem] = as_text(svg_problems(write_svg(tmp_path, text), SHOWN / "drawing.svg"))
    assert problem.startswith("docs/drawing.svg, line 4: not a well-formed SVG file (")
    assert problem.endswith("Export the drawing again from your drawing program as plain SVG.")


def test_a_file_named_svg_that_is_not_a_drawing_is_refused(tmp_path):
    text = '<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>'
    [problem] = as_text(svg_problems(write_svg(tmp_path, text), SHOWN / "drawing.svg"))
    assert problem.startswith("docs/drawing.svg, line 1: the file holds <html>, not an SVG")


def test_every_svg_in_docs_is_checked(docs):
    (docs / "assets" / "images").mkdir(parents=True)
    (docs / "assets" / "images" / "map.svg").write_text(
        f"{SVG_OPEN}\n<script>alert(1)</script></svg>", encoding="utf-8"
    )
    [problem] = as_text(docs_problems(docs, SHOWN, nothing_excluded))
    assert problem.startswith("docs/assets/images/map.svg, line 2: a <script> element.")


# Whole builds ----------------------------------------------------------------------


def test_the_build_stops_on_symlinks_out_of_docs_before_reading_through_them(
    project_copy, tmp_path
):
    # The full build: nothing is published, so no page, offline zip or EPUB has them.
    outside = tmp_path / "outside.txt"
    outside.write_text("secret\n", encoding="utf-8")
    (project_copy / "docs" / "leak.txt").symlink_to(outside)
    (project_copy / "docs" / "assets" / "system").symlink_to("/etc", target_is_directory=True)
    output, site = build_broken(project_copy, tmp_path)
    assert error_lines(output) == [
        f"docs/leak.txt: a symlink to {outside}, outside docs/. Copy what it points to into "
        "docs/ instead, or delete the link.",
        "docs/assets/system: a symlink to /etc, outside docs/. Copy what it points to into "
        "docs/ instead, or delete the link.",
    ]
    closing = (
        f"Build failed: fix the files in docs/ first, nothing is published until then; {site}/"
    )
    assert output.rstrip().endswith(closing + " was left as it was.")
    assert_previous_site_intact(site)


def test_the_build_stops_on_an_html_file_and_an_svg_script_in_docs(project_copy, tmp_path):
    (project_copy / "docs" / "extra.html").write_text("<script src=//x></script>", "utf-8")
    images = project_copy / "docs" / "assets" / "images"
    images.mkdir()
    (images / "map.svg").write_text(f"{SVG_OPEN}<script>alert(1)</script></svg>", "utf-8")
    output, site = build_broken(project_copy, tmp_path)
    assert error_lines(output) == [
        "docs/extra.html: an HTML file is published as it is, without the site's checks and "
        "policy. Write it as a Markdown page (.md) instead.",
        "docs/assets/images/map.svg, line 1: a <script> element. An image cannot run code: "
        "remove it, or export the drawing again as plain SVG (behaviour belongs in "
        "docs/assets/javascripts/).",
    ]
    assert_previous_site_intact(site)


def test_a_symlink_inside_docs_is_published_as_a_copy(project_copy, tmp_path):
    stylesheets = project_copy / "docs" / "assets" / "stylesheets"
    (stylesheets / "print.css").symlink_to("bridges.css")
    result = run_build(project_copy, tmp_path / "site", "--site-only")
    assert result.returncode == 0, result.output
    published = tmp_path / "site" / "assets" / "stylesheets" / "print.css"
    assert not published.is_symlink()
    assert published.read_bytes() == (stylesheets / "bridges.css").read_bytes()
