"""`./scripts/serve` shows build mistakes in the browser, as modern dev servers do.

MkDocs 1.6's live reload server, when a rebuild fails, keeps the site's version
number where it was and holds every page request until a rebuild succeeds: the
tab hangs with the mistake only in the terminal. Here, a failed rebuild counts
as a new version whose every page is one page listing the mistakes (the
lines logged during the rebuild: file, line, fix), rendered from
`templates/serve/errors.html` with MkDocs' reload script in it. The next save
rebuilds; when it succeeds, the browser reloads onto the real page.

This leans on two attributes of MkDocs' `LiveReloadServer` (`builder`, and
`_serve_request` with `_inject_js_into_html`), pinned with MkDocs 1.6.1;
`tests/test_serve.py` fails if they change.

It also looks for saved files more often than MkDocs does (`watch_closely`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from watchdog.observers.polling import PollingObserver

from bridges import TEMPLATES

# MkDocs looks for changed files every 0.5 s, so a save waits 0.25 s on average
# before its rebuild starts; every 0.2 s, 0.1 s. Each look lists the watched
# folders: an idle serve took 1.8% of a core here, against 0.9% at 0.5 s (and
# 2.7% at 0.1 s, for 0.05 s less).
POLLING_SECONDS = 0.2


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class ShownErrors:
    """The mistakes of the last rebuild, or none; serves them in place of the pages."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        templates = Environment(loader=FileSystemLoader(TEMPLATES / "serve"),
                                autoescape=select_autoescape())  # fmt: skip
        self.template = templates.get_template("errors.html")

    def page(self, epoch: int, inject: Callable[[bytes, int], bytes]) -> bytes:
        return inject(self.template.render(problems=self.problems).encode(), epoch)

    def builder(self, build: Callable[..., None]) -> Callable[..., None]:
        def build_showing_errors(*args: Any, **kwargs: Any) -> None:
            collected = _Collect()
            logger = logging.getLogger("mkdocs")
            logger.addHandler(collected)
            try:
                build(*args, **kwargs)
            # MkDocs' loop would print these and stall; MkDocs' Abort is a SystemExit.
            except (Exception, SystemExit) as error:
                # "Aborted with 2 errors in strict mode!": the errors are the lines logged.
                self.problems = collected.messages or [str(error)]
            else:
                self.problems = []
            finally:
                logger.removeHandler(collected)
            if self.problems:
                logger.error("The browser shows these mistakes; save a fix and it reloads.")

        return build_showing_errors


def show_errors_in_browser(server: Any) -> Any:
    """Makes MkDocs' live reload `server` show a failed rebuild's mistakes on every page."""
    shown = ShownErrors()
    server.builder = shown.builder(server.builder)
    serve_file = server._serve_request

    def serve_request(environ: dict[str, Any], start_response: Any) -> Iterable[bytes] | None:
        path = environ.get("PATH_INFO", "")
        is_page = path.endswith(("/", ".html"))
        if shown.problems and is_page and not path.startswith("/livereload/"):
            content = shown.page(server._visible_epoch, server._inject_js_into_html)
            # 200: MkDocs' server logs any other status as a warning of its own.
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                               ("Content-Length", str(len(content)))])  # fmt: skip
            return [content]
        return serve_file(environ, start_response)

    server._serve_request = serve_request
    return server


def watch_closely(server: Any, watched: Iterable[str]) -> None:
    """Makes MkDocs' live reload `server` look for saved files every POLLING_SECONDS.
    `watched`: what MkDocs has told it to watch before `on_serve` (docs/ and
    mkdocs.yml), moved to the new observer; `watch:` entries are added after. Still
    by polling, as MkDocs does: the system's change notices miss saves in some
    shared and network folders."""
    watched = [path for path in watched if path]
    for path in watched:
        server.unwatch(path)
    server.observer = PollingObserver(timeout=POLLING_SECONDS)
    for path in watched:
        server.watch(path)
