"""Which page a Markdown extension is converting, whichever engine hosts it.

MkDocs gives the page's file to its `relpath` treeprocessor; Zensical gives the
page to its `rendering_context` preprocessor. Outside both (a test, another
tool) there is no page, and the extensions raise instead of naming a file.
"""

from __future__ import annotations

from dataclasses import dataclass

from markdown import Markdown


@dataclass(frozen=True)
class HostedPage:
    src_uri: str  # the page's path inside docs/, with forward slashes
    collects_errors: bool  # MkDocs: logged errors fail the strict build, after every page


def hosted_page(md: Markdown) -> HostedPage | None:
    # Registries have no .get().
    if "relpath" in md.treeprocessors:
        file = getattr(md.treeprocessors["relpath"], "file", None)
        if file is not None:
            return HostedPage(file.src_uri, collects_errors=True)
    if "rendering_context" in md.preprocessors:
        page = getattr(md.preprocessors["rendering_context"], "page", None)
        if page is not None:
            return HostedPage(str(page.path).replace("\\", "/"), collects_errors=False)
    return None
