"""The direction extension, in-process: a block whose text starts in a right-to-left
script gets dir="rtl", as HTML's dir=auto would find it; everything else is
published exactly as before, and a direction the editor wrote is kept."""

from __future__ import annotations

import pytest

PAGE = "about.md"


@pytest.mark.parametrize(
    ("source", "html"),
    [
        pytest.param("مرحبا بالعالم", '<p dir="rtl">مرحبا بالعالم</p>', id="Arabic paragraph"),
        pytest.param("שלום עולם", '<p dir="rtl">שלום עולם</p>', id="Hebrew paragraph"),
        pytest.param("## שלום {#shalom}", '<h2 dir="rtl" id="shalom">שלום</h2>', id="heading"),
        pytest.param("- مرحبا", '<ul>\n<li dir="rtl">مرحبا</li>\n</ul>', id="list item"),
        pytest.param("2024 مرحبا", '<p dir="rtl">2024 مرحبا</p>',
                     id="digits are not strong"),
        pytest.param("`code` مرحبا", '<p dir="rtl"><code>code</code> مرحبا</p>',
                     id="code is skipped"),
        pytest.param("*مرحبا* hello", '<p dir="rtl"><em>مرحبا</em> hello</p>',
                     id="inside an inline element"),
    ],
)  # fmt: skip
def test_a_block_that_starts_right_to_left_is_marked_rtl(project, source, html):
    assert project.convert(source, page=PAGE) == html


@pytest.mark.parametrize(
    ("source", "html"),
    [
        pytest.param("Hello مرحبا", "<p>Hello مرحبا</p>", id="left-to-right first"),
        pytest.param("`مرحبا` hello", "<p><code>مرحبا</code> hello</p>",
                     id="right-to-left only in code"),
        pytest.param("2024", "<p>2024</p>", id="no strong character"),
    ],
)  # fmt: skip
def test_a_block_that_starts_left_to_right_or_has_no_direction_is_unchanged(project, source, html):
    assert project.convert(source, page=PAGE) == html


def test_a_direction_the_editor_wrote_is_kept(project):
    assert project.convert('مرحبا\n{: dir="ltr" }', page=PAGE) == '<p dir="ltr">مرحبا</p>'


def test_an_inline_element_with_its_own_direction_is_skipped(project):
    source = '<span dir="ltr">مرحبا</span> hello'
    assert project.convert(source, page=PAGE) == f"<p>{source}</p>"
