"""In-process tests of the Markdown extensions: Markdown in, HTML out (no MkDocs build)."""
