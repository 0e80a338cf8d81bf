"""URLs that run script (`javascript:`, `vbscript:`), and URLs that load from another
host, read as a browser reads them.

A module of its own, without Markdown or YAML: the Markdown extension
(`bridges.extensions.safety`) refuses them in pages, and the page scan after the build
(`bridges.pipeline.pagescan`, run in worker processes that start quickly without them)
finds any that reached the built site.
"""

from __future__ import annotations

import re

CODE_URL = re.compile(r"(?:java|vb)script:", re.IGNORECASE)
# Browsers ignore tabs, newlines and control characters inside a URL scheme.
IGNORED_IN_URLS = re.compile(r"[\x00-\x20]+")
# A scheme ("https:", "data:") or a host ("//host"; browsers read "\\" as "/").
OTHER_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|[/\\]{2})", re.IGNORECASE)
# SVG animation attributes hold lists of values, any of which can be a URL.
VALUE_LISTS = frozenset({"values", "to", "from", "by"})


def script_url(attribute: str, value: str) -> str | None:
    """The scheme ("javascript:") if `value` is a URL that runs script, as a browser reads it."""
    compact = IGNORED_IN_URLS.sub("", value)
    found = CODE_URL.search(compact) if attribute in VALUE_LISTS else CODE_URL.match(compact)
    return found.group(0).lower() if found else None


def loads_from_elsewhere(url: str) -> bool:
    """Whether a browser fetching `url` would not get a file of this site: another
    host ("https://...", "//host") or any other scheme ("data:", "blob:")."""
    return bool(OTHER_HOST.match(IGNORED_IN_URLS.sub("", url)))
