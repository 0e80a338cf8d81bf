"""Building Bridges: the site's Markdown extensions, its MkDocs integration and
the pipeline that publishes the built site.

Layers, from the text outwards:

- `bridges.extensions`: Python-Markdown extensions (glossary, safety), which run
  wherever the pages are converted, MkDocs or Zensical;
- `bridges.engine`: the MkDocs integration (hooks and the page checks that need
  MkDocs' pages);
- `bridges.pipeline`: the steps over the built site (policy, cards, stylesheets,
  published links, host files, PDF, EPUB, offline bundle);
- `bridges.processes`: running heavy steps apart and stopping cleanly;
- `bridges.build`: the command that runs a whole build.
"""

from pathlib import Path

# Templates of the files the pipeline writes (PDF, EPUB, host files): package
# data, never part of the theme, so no engine copies them into the site.
TEMPLATES = Path(__file__).resolve().parent / "templates"
