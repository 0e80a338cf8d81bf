"""Bad input fails the build with one message per mistake (file, line, fix), never a
Python traceback, and keeps the old site; stopped and concurrent builds clean up.

A test that needs a build only to read its message breaks a copy of the fixture site
(tests/data/fixture-site/, `fixture_site`), a few tiny pages with the project's
configuration, hooks and theme; the project's own pages are built where the whole
build is the behaviour (two builds byte-identical, stopped builds).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURE_SITE, ROOT, run_build


def build_broken(project: Path, tmp_path: Path) -> tuple[str, Path]:
    """Builds `project` over an existing site; returns the output and that site."""
    site = previous_site(tmp_path)
    result = run_build(project, site)
    assert result.returncode != 0, result.output
    return result.output, site


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer holds {old!r}: update the test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


TRACEBACK_FRAME = re.compile(r'^\s*File ".*", line \d+', re.MULTILINE)


def error_lines(output: str) -> list[str]:
    """The problems the build reported, one per line, and no Python traceback."""
    assert "Traceback" not in output, output
    # MkDocs prints the frames without that heading when an extension fails to load.
    assert not TRACEBACK_FRAME.search(output), output
    return [line.removeprefix("ERROR   -  ") for line in output.splitlines()
            if line.startswith("ERROR")]  # fmt: skip


def assert_reported(output: str, *messages: str) -> None:
    problems = error_lines(output)
    for message in messages:
        assert any(message in problem for problem in problems), (message, output)


def previous_site(tmp_path: Path) -> Path:
    """A site folder holding an earlier build, for a build to replace or keep."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("previous site", encoding="utf-8")
    return site


def assert_previous_site_intact(site: Path) -> None:
    assert (site / "index.html").read_text(encoding="utf-8") == "previous site"
    assert [p.name for p in site.iterdir()] == ["index.html"]
    assert not list(site.parent.glob(".site-*")), "a temporary build folder was left behind"


def site_settings(config: Path) -> dict:
    """A mkdocs.yml as data, without what names the site and its pages."""
    settings = yaml.safe_load(config.read_text(encoding="utf-8").replace("!ENV", ""))
    for key in ("site_name", "site_description", "copyright", "nav"):
        settings.pop(key)
    return settings


def test_the_fixture_site_is_configured_as_the_site_but_for_its_name_and_pages():
    assert site_settings(FIXTURE_SITE / "mkdocs.yml") == site_settings(ROOT / "mkdocs.yml")


def test_broken_link_names_the_file(fixture_site, tmp_path):
    append(fixture_site / "docs" / "coalitions.md", "\nSee [the missing page](missing.md).\n")
    output, site = build_broken(fixture_site, tmp_path)
    assert "coalitions.md" in output and "missing.md" in output
    assert_previous_site_intact(site)


def test_broken_anchor_names_the_file(fixture_site, tmp_path):
    append(fixture_site / "docs" / "coalitions.md", "\nSee [this](allyship.md#no-such-part).\n")
    output, site = build_broken(fixture_site, tmp_path)
    assert "coalitions.md" in output and "no-such-part" in output
    assert_previous_site_intact(site)


def test_unknown_glossary_term_names_the_file(fixture_site, tmp_path):
    append(fixture_site / "docs" / "coalitions.md", "\nA [[comradery]] of equals.\n")
    output, site = build_broken(fixture_site, tmp_path)
    assert "coalitions.md" in output and "[[comradery]]" in output
    assert_previous_site_intact(site)


def test_bad_yaml_front_matter_names_the_file(fixture_site, tmp_path):
    page = fixture_site / "docs" / "allyship.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace("title: Allyship", "title: [Allyship"),
        encoding="utf-8",
    )
    output, site = build_broken(fixture_site, tmp_path)
    assert "docs/allyship.md" in output and "not valid YAML" in output
    assert_previous_site_intact(site)


def test_missing_description_names_the_file(fixture_site, tmp_path):
    page = fixture_site / "docs" / "coalitions.md"
    lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
    page.write_text(
        "".join(line for line in lines if not line.startswith("description:")), encoding="utf-8"
    )
    output, site = build_broken(fixture_site, tmp_path)
    assert "docs/coalitions.md" in output and "description" in output
    assert_previous_site_intact(site)


def test_related_page_that_does_not_exist_names_the_file(fixture_site, tmp_path):
    page = fixture_site / "docs" / "allyship.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace("  - coalitions.md", "  - coalition.md", 1),
        encoding="utf-8",
    )
    output, site = build_broken(fixture_site, tmp_path)
    assert "docs/allyship.md" in output and "coalition.md" in output
    assert_previous_site_intact(site)


def test_page_missing_from_nav_names_the_file(fixture_site, tmp_path):
    (fixture_site / "docs" / "orphan.md").write_text(
        "---\ntitle: Orphan\ndescription: A page nobody put in the navigation menu.\n---\n\n"
        "# Orphan\n",
        encoding="utf-8",
    )
    output, site = build_broken(fixture_site, tmp_path)
    assert "orphan.md" in output
    assert_previous_site_intact(site)


def test_duplicate_heading_id_names_the_file(fixture_site, tmp_path):
    append(fixture_site / "docs" / "about.md", "\n## Again {#how-to-cite}\n")
    output, site = build_broken(fixture_site, tmp_path)
    assert "about.md" in output and "how-to-cite" in output
    assert_previous_site_intact(site)


def test_non_utf8_file_names_the_file(fixture_site, tmp_path):
    page = fixture_site / "docs" / "about.md"
    page.write_bytes(page.read_bytes() + "\nCafé\n".encode("latin-1"))
    output, site = build_broken(fixture_site, tmp_path)
    assert "about.md" in output
    assert_previous_site_intact(site)


@pytest.mark.parametrize("broken", ["terms: []\n", "terms:\n  - id: Bad Id\n    term: X\n"])
def test_bad_glossary_file_names_the_file(fixture_site, tmp_path, broken):
    (fixture_site / "docs" / "glossary.yml").write_text(broken, encoding="utf-8")
    output, site = build_broken(fixture_site, tmp_path)
    assert "glossary.yml" in output
    assert_previous_site_intact(site)


def test_two_builds_are_byte_identical(project_copy, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    for site in (first, second):
        assert run_build(project_copy, site).returncode == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


# One clear message per mistake ---------------------------------------------------

GLOSSARY = "docs/glossary.yml"
ABLEISM_DEFINITION = """    definition: >-
      Discrimination and prejudice against people with disabilities, including
      the assumption that non-disabled bodies and minds are the norm.
"""


def glossary_line(project: Path, text: str) -> int:
    lines = (project / GLOSSARY).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if text in line)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            ABLEISM_DEFINITION,
            "",
            "docs/glossary.yml, line {ableism}: term 'ableism' needs 'definition:' with some text.",
            id="missing-definition",
        ),
        pytest.param(
            "- id: accountability",
            "- id: ableism",
            "docs/glossary.yml, line {accountability}: the id 'ableism' is already used on "
            "line {ableism}; give each term its own id.",
            id="duplicate-id",
        ),
        pytest.param(
            "- id: accountability",
            "- id: Account Ability",
            "docs/glossary.yml, line {accountability}: the id 'Account Ability' must be "
            "lowercase words joined by '-', like 'account-ability'.",
            id="bad-id",
        ),
        pytest.param(
            "    term: Ableism",
            "      term: Ableism",
            "docs/glossary.yml, line {ableism_term}: not valid YAML (mapping values are not "
            "allowed here). Check the indentation: each term starts '- id: mutual-aid', then "
            "'term:' and 'definition:' lined up under 'id:'.",
            id="bad-indentation",
        ),
        pytest.param(
            "- id: accountability",
            "- id: letter-a",
            "docs/glossary.yml, line {accountability}: the id 'letter-a' starts with "
            "'letter-', which the glossary page uses for its own headings; choose another id "
            "for the term.",
            id="id-of-a-glossary-letter",
        ),
        pytest.param(
            "    see_also: [ally, accountability]\n",
            "    see_also: [ally, accountability]\n    term: Again\n",
            "docs/glossary.yml, line {ableism}: not valid YAML ('term' is given twice in one "
            "entry); keep one of them.",
            id="field-given-twice",
        ),
    ],
)
def test_glossary_mistake_gets_one_message_with_its_line(fixture_site, tmp_path, old, new, message):
    message = message.format(
        ableism=glossary_line(fixture_site, "- id: ableism"),
        ableism_term=glossary_line(fixture_site, "term: Ableism"),
        accountability=glossary_line(fixture_site, "- id: accountability"),
    )
    replace(fixture_site / GLOSSARY, old, new)
    output, site = build_broken(fixture_site, tmp_path)
    assert_reported(output, message)
    assert_previous_site_intact(site)


def test_term_id_taken_by_the_glossary_page_is_blamed_on_the_glossary_file(fixture_site, tmp_path):
    replace(fixture_site / GLOSSARY, "- id: ableism", "- id: glossary")
    output, _ = build_broken(fixture_site, tmp_path)
    assert_reported(
        output,
        "docs/glossary.yml: the term id 'glossary' is also an id on docs/glossary.md; "
        "choose another id for the term.",
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            "description: What the fixture site is",
            "description: 5 #",
            "docs/about.md, line 3: 'description': YAML reads this as a number, not text; put "
            'the words in quotes, like "5", or write a sentence.',
            id="numeric-description",
        ),
        pytest.param(
            "description: What the fixture site is",
            "description: #",
            "docs/about.md, line 3: 'description': this needs some text; write a few words "
            "after the colon.",
            id="empty-description",
        ),
        pytest.param(
            "title: About this site",
            "title: yes",
            "docs/about.md, line 2: 'title': YAML reads this as yes/no, not text; put the "
            'words in quotes, like "yes", or write a sentence.',
            id="title-yes",
        ),
        pytest.param(
            "downloads: true",
            "downloads: sure",
            "docs/about.md, line 4: 'downloads': write true or false.",
            id="downloads-not-a-flag",
        ),
        pytest.param(
            "downloads: true",
            "download: true",
            "docs/about.md, line 4: unknown front matter key 'download'; allowed: "
            "description, downloads, hide, moved_anchors, related, search, title.",
            id="unknown-key",
        ),
        pytest.param(
            "downloads: true\n---\n",
            "downloads: true\n",
            "docs/about.md, line 1: the front matter has no closing '---' line; add one after "
            "its last 'key: value' line.",
            id="front-matter-not-closed",
        ),
        pytest.param(
            "downloads: true",
            "downloads: true\nrelated: allyship.md",
            "docs/about.md, line 5: 'related': write a list of pages, like [allyship.md].",
            id="related-not-a-list",
        ),
    ],
)
def test_front_matter_is_type_checked(fixture_site, tmp_path, old, new, message):
    replace(fixture_site / "docs" / "about.md", old, new)
    output, site = build_broken(fixture_site, tmp_path)
    assert_reported(output, message)
    assert_previous_site_intact(site)


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        pytest.param(
            "See [[allyship|]].",
            "'[[allyship|]]' is not a term link: write [[id]] or [[shown words|id]].",
            id="term-link-without-id",
        ),
        pytest.param(
            "See [[|allyship]].",
            "'[[|allyship]]' is not a term link: write [[id]] or [[shown words|id]].",
            id="term-link-without-words",
        ),
        pytest.param(
            "See [the essay][essay].",
            "the reference link '[the essay][essay]' has no definition: add a line like "
            "'[ref]: page.md' below the paragraph, or write [text](page.md).",
            id="undefined-reference-link",
        ),
        pytest.param(
            '<a href="missing.html">the missing page</a>',
            "the raw HTML link 'missing.html' leads nowhere (nothing at /about/missing.html). "
            "Write it as a Markdown link, [text](page.md#id), which the build checks and "
            "turns into the right address.",
            id="raw-html-link-to-nowhere",
        ),
        pytest.param(
            '<a href="../allyship/#no-such-part">allies</a>',
            "the raw HTML link '../allyship/#no-such-part' points to '#no-such-part', which "
            "is not on /allyship/.",
            id="raw-html-link-to-a-missing-anchor",
        ),
        pytest.param(
            "## Further reading",
            "the heading '## Further reading' needs a fixed id, so links to it keep working: "
            "'## Further reading {#further-reading}'.",
            id="heading-without-id",
        ),
        pytest.param(
            "## Search {#__search}",
            "the id '__search' starts with '__', like the theme's own ids; choose another, "
            "like 'search'.",
            id="theme-id",
        ),
        pytest.param(
            "## Definitions {#bb-definitions}",
            "the id 'bb-definitions' starts with 'bb-', like the theme's own ids; choose "
            "another, like 'definitions'.",
            id="bridges-id",
        ),
        pytest.param(
            "{ #stray-id }",
            "'{ #stray-id }' was published as text: an attribute list goes at the end of a "
            "heading line, or on its own line right below a paragraph",
            id="stray-attribute-list",
        ),
        pytest.param(
            "![](assets/images/favicon.svg)",
            "the image 'favicon.svg' has no alt text: write ![what the image shows](favicon.svg).",
            id="image-without-alt-text",
        ),
    ],
)
def test_markup_mistake_names_page_line_and_fix(fixture_site, tmp_path, markdown, message):
    page = fixture_site / "docs" / "about.md"
    line = len(page.read_text(encoding="utf-8").splitlines()) + 2
    append(page, f"\n{markdown}\n")
    output, site = build_broken(fixture_site, tmp_path)
    assert_reported(output, f"docs/about.md, line {line}: {message}")
    assert_previous_site_intact(site)


@pytest.mark.parametrize(
    ("heading", "message"),
    [
        pytest.param(
            "## How to cite {#how-to-cite}",
            "moved_anchors lists 'how-to-cite', but the page still has that id; remove "
            "'how-to-cite' from moved_anchors, or change the heading's id.",
            id="old-id-still-there",
        ),
        pytest.param(
            "## How to cite {#citing-this-site}",
            "moved_anchors sends 'how-to-cite' to 'citing', which is not an id on this page; "
            "write the heading's new id.",
            id="new-id-missing",
        ),
    ],
)
def test_moved_anchor_mistake_is_named(fixture_site, tmp_path, heading, message):
    page = fixture_site / "docs" / "about.md"
    replace(page, "## How to cite {#how-to-cite}", heading)
    replace(page, "downloads: true", "downloads: true\nmoved_anchors:\n  how-to-cite: citing")
    output, _ = build_broken(fixture_site, tmp_path)
    assert_reported(output, f"docs/about.md, line 6: {message}")


def test_renamed_page_reports_every_stale_reference_in_one_run(fixture_site, tmp_path):
    docs = fixture_site / "docs"
    (docs / "allyship.md").rename(docs / "allies.md")
    replace(fixture_site / "mkdocs.yml", "Allyship: allyship.md", "Allyship: allies.md")
    topic_line = glossary_line(fixture_site, "topic: allyship.md")
    registry = (docs / "published-anchors.txt").read_text(encoding="utf-8")
    sections = registry.count("/allyship/#")
    output, _ = build_broken(fixture_site, tmp_path)
    assert_reported(
        output,
        f"docs/glossary.yml, line {topic_line}: term 'allyship' has topic 'allyship.md', "
        "which is not a page",
        "docs/coalitions.md, line 4: 'related': related page(s) allyship.md do not exist in "
        "docs/: write each page's current file name.",
        f"docs/published-anchors.txt: '/allyship/' (and {sections} section link(s) on it) was "
        "published but its page is gone: add 'allyship.md: new-name.md' under redirect_maps in "
        "mkdocs.yml.",
    )
    assert "Doc file 'index.md' contains a link 'allyship.md'" in output


def test_byte_order_mark_in_the_published_links_is_harmless(fixture_site, tmp_path):
    registry = fixture_site / "docs" / "published-anchors.txt"
    registry.write_bytes(b"\xef\xbb\xbf" + registry.read_bytes())
    result = run_build(fixture_site, tmp_path / "site", "--site-only")
    assert result.returncode == 0, result.output


def test_line_that_is_not_a_link_in_the_published_links_is_named(fixture_site, tmp_path):
    registry = fixture_site / "docs" / "published-anchors.txt"
    line = len(registry.read_text(encoding="utf-8").splitlines()) + 1
    append(registry, "about/#how-to-cite\n")
    output, _ = build_broken(fixture_site, tmp_path)
    assert_reported(
        output,
        f"docs/published-anchors.txt, line {line}: 'about/#how-to-cite' is not a link like "
        "/page/#anchor; fix the line, or start it with # to make it a comment.",
    )


def git(project: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.org", *args],
        cwd=project, check=True, capture_output=True,
    )  # fmt: skip


def test_deleting_a_published_heading_with_its_line_fails_against_git_history(
    fixture_site, tmp_path
):
    git(fixture_site, "init", "-q")
    git(fixture_site, "add", "-A")
    git(fixture_site, "commit", "-qm", "published")
    replace(fixture_site / "docs" / "about.md", "## How to cite {#how-to-cite}\n", "")
    replace(fixture_site / "docs" / "published-anchors.txt", "/about/#how-to-cite\n", "")
    git(fixture_site, "commit", "-qam", "remove a section and its line")
    output, _ = build_broken(fixture_site, tmp_path)
    assert_reported(
        output,
        "docs/published-anchors.txt: '/about/#how-to-cite' was deleted from the list, but git "
        "history shows it was published, and '#how-to-cite' is no longer on /about/: put the "
        "id back on its heading, or map it under moved_anchors in the page's front matter. "
        "Then put the line back.",
    )


def test_deleted_line_is_accepted_when_a_moved_anchor_covers_it(fixture_site, tmp_path):
    git(fixture_site, "init", "-q")
    git(fixture_site, "add", "-A")
    git(fixture_site, "commit", "-qm", "published")
    page = fixture_site / "docs" / "about.md"
    replace(page, "## How to cite {#how-to-cite}", "## Citing this site {#citing}")
    replace(page, "downloads: true", "downloads: true\nmoved_anchors:\n  how-to-cite: citing")
    replace(fixture_site / "docs" / "published-anchors.txt", "/about/#how-to-cite\n", "")
    append(fixture_site / "docs" / "published-anchors.txt", "/about/#citing\n")
    result = run_build(fixture_site, tmp_path / "site", "--site-only")
    assert result.returncode == 0, result.output


# Stopped and concurrent builds -----------------------------------------------------


# The PDF needs a fixed date outside a git checkout, as a project copy is.
BUILD_ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1764000000"}


def start_build(project: Path, site: Path, *, own_group: bool = False) -> subprocess.Popen[str]:
    """`own_group`: the build and its processes form a group, as in a terminal."""
    return subprocess.Popen(
        [sys.executable, "-m", "bridges.build", str(site)], cwd=project, env=BUILD_ENV,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        process_group=0 if own_group else None,
    )  # fmt: skip


def wait_for_staging(site: Path, build: subprocess.Popen[str]) -> None:
    """Waits until the build has made its temporary folder (it is then mid-build)."""
    while not list(site.parent.glob(f".{site.name}-new-*")):
        assert build.poll() is None, build.communicate()
        time.sleep(0.05)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
                         ids=lambda s: s.name)  # fmt: skip
def test_stopped_build_removes_its_folder_and_says_so_in_one_line(project_copy, tmp_path, stop):
    site = previous_site(tmp_path)
    build = start_build(project_copy, site)
    wait_for_staging(site, build)
    build.send_signal(stop)
    _, errors = build.communicate(timeout=60)
    assert build.returncode == 128 + stop
    assert (
        errors.strip().splitlines()[-1]
        == f"Build stopped ({stop.name}); {site}/ was left as it was."
    )
    assert "Traceback" not in errors
    assert_previous_site_intact(site)


def test_ctrl_c_in_a_terminal_stops_the_build_and_all_its_processes(project_copy, tmp_path):
    site = previous_site(tmp_path)
    build = start_build(project_copy, site, own_group=True)
    wait_for_staging(site, build)
    # Into the pages, which a process of its own builds with workers of its own: once
    # they run, Python's resource tracker runs too, and outlives that process.
    deadline = time.monotonic() + 60
    while not workers_in_group(build.pid):
        assert build.poll() is None and time.monotonic() < deadline, "no workers started"
        time.sleep(0.02)
    os.killpg(build.pid, signal.SIGINT)  # what Ctrl+C does: the whole group gets it
    _, errors = build.communicate(timeout=60)
    assert build.returncode == 128 + signal.SIGINT, errors
    assert errors.strip().splitlines()[-1] == f"Build stopped (SIGINT); {site}/ was left as it was."
    assert "Traceback" not in errors
    assert_previous_site_intact(site)
    deadline = time.monotonic() + 10  # workers notice within a second that the build is gone
    while group_alive(build.pid):
        assert time.monotonic() < deadline, "a process of the stopped build is still running"
        time.sleep(0.2)


def workers_in_group(group: int) -> list[int]:
    """The worker processes (spawned by multiprocessing) in the process group `group`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[2]) == group and b"spawn_main" in command:
            found.append(int(stat.parent.name))
    return found


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


# Starts the build's workers, then sends each stop signal to its whole process
# group, as Ctrl+C and a closed terminal do; prints the worker and other child
# processes (Python's resource tracker) before and after, and one more result.
STOP_SIGNALS_TO_THE_GROUP = """
import json, os, signal, time
from pathlib import Path
from bridges.processes import workers

def children():
    tasks = Path("/proc/self/task").iterdir()
    return sorted(int(pid) for task in tasks for pid in (task / "children").read_text().split())

if __name__ == "__main__":  # spawned workers import this file too
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, lambda *_: None)  # this process plays the build
    worker = workers.submit(os.getpid).result()
    before = children()
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        os.killpg(0, number)
        time.sleep(0.3)
    print(json.dumps([worker, before, workers.submit(os.getpid).result(), children()]))
    workers.shutdown()
"""


def test_workers_outlive_stop_signals_sent_to_the_whole_build(tmp_path):
    script = tmp_path / "group_stopped.py"
    script.write_text(STOP_SIGNALS_TO_THE_GROUP, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120,
        process_group=0,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    worker, before, worker_after, after = json.loads(run.stdout)
    assert worker_after == worker, "the worker died of a stop signal and was replaced"
    assert after == before, "a process the workers need died of a stop signal"


# A build, stopped with SIGHUP as one of its steps begins: `finalizer` sends the
# signal from a `__del__`, where Python drops the exception its handler raises.
STOPPED_BUILD = """
import os, signal, sys
from bridges import build

def stop_here():
    os.kill(os.getpid(), signal.SIGHUP)
    sum(range(10_000))  # the handler runs here

class Finalizer:
    def __del__(self):
        stop_here()

def stopped(step, where):
    def stopped_step(*args):
        Finalizer() if where == "finalizer" else stop_here()
        return step(*args)
    return stopped_step

if __name__ == "__main__":  # spawned workers import this file too
    step, where = sys.argv.pop(), sys.argv.pop()
    setattr(build, step, stopped(getattr(build, step), where))
    sys.exit(build.main())
"""


def build_stopped_at(project: Path, site: Path, options: list[str], where: str, step: str):
    script = site.parent / "stopped_build.py"
    script.write_text(STOPPED_BUILD, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(script), str(site), *options, where, step], cwd=project,
        env=BUILD_ENV, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


@pytest.mark.parametrize(
    "options, step",
    [([], "build_publications"), (["--site-only"], "build_pages")],
    ids=["full build", "site-only"],
)
def test_stop_signal_handled_in_a_finalizer_still_stops_the_build(
    project_copy, tmp_path, options, step
):
    site = previous_site(tmp_path)
    build = build_stopped_at(project_copy, site, options, "finalizer", step)
    assert build.returncode == 128 + signal.SIGHUP, build.stderr
    assert (
        build.stderr.strip().splitlines()[-1]
        == f"Build stopped (SIGHUP); {site}/ was left as it was."
    )
    assert "Traceback" not in build.stderr
    assert_previous_site_intact(site)


def test_stop_signal_while_the_site_is_replaced_lets_the_finished_build_through(
    project_copy, tmp_path
):
    site = previous_site(tmp_path)
    build = build_stopped_at(project_copy, site, ["--site-only"], "directly", "_swap")
    assert build.returncode == 0, build.stderr
    assert build.stdout.strip() == f"Site built in {site}/"
    assert "Traceback" not in build.stderr
    assert "Building Bridges" in (site / "index.html").read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".site-*")), "a temporary build folder was left behind"


def test_next_build_removes_folders_left_by_a_killed_build(fixture_site, tmp_path):
    site = tmp_path / "site"
    build = start_build(fixture_site, site)
    wait_for_staging(site, build)
    build.send_signal(signal.SIGKILL)
    build.communicate(timeout=60)
    assert list(tmp_path.glob(".site-new-*")), "the killed build left nothing to clean up"
    assert run_build(fixture_site, site).returncode == 0
    assert not list(tmp_path.glob(".site-new-*"))
    assert (site / "index.html").is_file()


def test_concurrent_builds_take_turns(fixture_site, tmp_path):
    site = tmp_path / "site"
    builds = [start_build(fixture_site, site) for _ in range(3)]
    outputs = [build.communicate(timeout=600) for build in builds]
    assert [build.returncode for build in builds] == [0, 0, 0], outputs
    assert sum("Waiting for another build" in errors for _, errors in outputs) >= 1
    assert not list(tmp_path.glob(".site-new-*")) and not (tmp_path / ".site-old").exists()
    assert (site / "index.html").is_file()


def a_bug(*args, **kwargs):
    raise ValueError("a bug in the build's own code")


def test_a_bug_in_the_build_ends_in_one_line_that_asks_for_debug(monkeypatch, tmp_path, capsys):
    from bridges import build

    monkeypatch.setattr(build, "build_site", a_bug)
    monkeypatch.setattr(build, "stop_on_signals", lambda: None)
    assert build.main([str(tmp_path / "site")]) == 1
    said = capsys.readouterr().err.strip()
    assert said.startswith("Build failed (a bug in the build's own code);")
    assert "--debug" in said and "Traceback" not in said


def test_debug_shows_the_traceback_of_a_bug(monkeypatch, tmp_path):
    from bridges import build

    monkeypatch.setattr(build, "build_site", a_bug)
    monkeypatch.setattr(build, "stop_on_signals", lambda: None)
    with pytest.raises(ValueError, match="a bug in the build's own code"):
        build.main(["--debug", str(tmp_path / "site")])
