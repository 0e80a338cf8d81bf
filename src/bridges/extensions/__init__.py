"""Python-Markdown extensions: what happens in the text, under any engine."""
