"""URLs that run script (`javascript:`, `vbscript:`), read as a browser reads them.

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
# SVG animation attributes hold lists of values, any of which can be a URL.
VALUE_LISTS = frozenset({"values", "to", "from", "by"})


def script_url(attribute: str, value: str) -> str | None:
    """The scheme ("javascript:") if `value` is a URL that runs script, as a browser reads it."""
    compact = IGNORED_IN_URLS.sub("", value)
    found = CODE_URL.search(compact) if attribute in VALUE_LISTS else CODE_URL.match(compact)
    return found.group(0).lower() if found else None
