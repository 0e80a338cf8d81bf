"""One layout of a part of a large PDF, in a process of its own: the book and the
task come as JSON on standard input, the answer goes out as JSON (`PartLayouts`
in `bridges.pipeline.pdf`). The process ends when the layout is done, and gives
its memory back; stop signals end it as the operating system ends any process.

Usage: python -m bridges.pipeline.pdf_parts < request.json
"""

from __future__ import annotations

import json
import signal
import sys
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

from mkdocs.exceptions import PluginError

from bridges.limits import IMAGE_PIXEL_LIMIT
from bridges.pipeline.pdf import (
    Book,
    Chapter,
    WeasyPrintProblems,
    count_part,
    images_refused_over,
    save_front_matter,
    save_part,
)
from bridges.processes.stopping import STOP_SIGNALS


def lay_out(request: dict) -> dict:
    chapters = [Chapter(*fields) for fields in request["contents"]]
    book = Book(SimpleNamespace(**request["site"]), Path(request["site_dir"]), chapters,
                datetime.fromisoformat(request["created"]), Path(request["templates"]))  # fmt: skip
    by_slug = {chapter.slug: chapter for chapter in chapters}
    task, arguments = request["task"], request["arguments"]
    part = [by_slug[slug] for slug in arguments.pop("part", [])]
    with WeasyPrintProblems() as problems, images_refused_over(IMAGE_PIXEL_LIMIT):
        try:
            if task == "count":
                value = count_part(book, part)
            elif task == "front":
                starts, total = arguments["starts"], arguments["total"]
                value = save_front_matter(book, starts, total, arguments["expected_pages"],
                                          Path(arguments["target"]))  # fmt: skip
            else:
                value = save_part(book, part, arguments["first_page"], arguments["total"],
                                  arguments["pages"], Path(arguments["target"]))  # fmt: skip
        except PluginError as error:
            return {"error": str(error)}
    return {"value": value, "messages": problems.messages}


def main() -> int:
    for number in STOP_SIGNALS:
        signal.signal(number, signal.SIG_DFL)
    answer = lay_out(json.load(sys.stdin))
    json.dump(answer, sys.stdout)
    return 1 if "error" in answer else 0


if __name__ == "__main__":
    sys.exit(main())
