"""The glossary as data: load, validate and match the terms of `docs/glossary.yml`."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

try:  # Under MkDocs, a BuildError is printed as a clean message, without a traceback.
    from mkdocs.exceptions import BuildError as _BaseError
except ImportError:  # pragma: no cover - other Markdown hosts
    _BaseError = ValueError

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REQUIRED_FIELDS = ("id", "term", "definition")
OPTIONAL_FIELDS = ("matches", "see_also", "source", "topic")
T = TypeVar("T")


class GlossaryError(_BaseError):
    """A problem an editor can fix; the message names the file and what to change."""


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    definition: str
    matches: tuple[str, ...]
    see_also: tuple[str, ...] = ()
    source: str = ""
    topic: str = ""


@dataclass
class Glossary:
    """All terms, and one pattern that finds any of their words in running text."""

    path: Path
    terms: dict[str, Term]
    pattern: re.Pattern[str] = field(init=False)
    _by_phrase: dict[str, Term] = field(init=False)

    def __post_init__(self) -> None:
        self._by_phrase = {}
        for term in self.terms.values():
            for phrase in term.matches:
                key = _normalise(phrase)
                other = self._by_phrase.get(key)
                if other is not None and other is not term:
                    raise GlossaryError(
                        f"{self.path}: the words '{phrase}' are listed under both "
                        f"'{other.id}' and '{term.id}'; keep them under one term only."
                    )
                self._by_phrase[key] = term
        # Longest first, so "coalition-building" wins over "coalition".
        phrases = sorted(self._by_phrase, key=len, reverse=True)
        alternatives = "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases)
        self.pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)

    def term_for(self, words: str) -> Term | None:
        """The term whose id, or one of whose words, is `words` (case-insensitive)."""
        key = _normalise(words)
        return self.terms.get(key) or self._by_phrase.get(key)

    def sorted_terms(self) -> list[Term]:
        return sorted(self.terms.values(), key=lambda t: t.term.casefold())


def _normalise(words: str) -> str:
    return " ".join(words.split()).casefold()


def load_glossary(path: Path, docs_dir: Path) -> Glossary:
    """Read and check the glossary file; every problem names the file and the term."""
    if not path.is_file():
        raise GlossaryError(f"Glossary file not found: {path}. Create it or fix the path.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise GlossaryError(f"{path}: not valid YAML ({error}).") from error
    entries = data.get("terms") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise GlossaryError(f"{path}: expected a list of entries under 'terms:'.")

    terms: dict[str, Term] = {}
    for number, entry in enumerate(entries, start=1):
        term = _read_entry(path, number, entry, docs_dir)
        if term.id in terms:
            raise GlossaryError(f"{path}: the id '{term.id}' is used twice; ids must be unique.")
        terms[term.id] = term

    for term in terms.values():
        for other in term.see_also:
            if other not in terms:
                raise GlossaryError(
                    f"{path}: term '{term.id}' has see_also '{other}', which is not a "
                    "glossary id. Use the id of an existing term."
                )
    return Glossary(path, terms)


def _read_entry(path: Path, number: int, entry: object, docs_dir: Path) -> Term:
    where = f"{path}: entry {number}"
    if not isinstance(entry, dict):
        raise GlossaryError(f"{where} is not a mapping of 'id', 'term', 'definition', ...")
    where = f"{path}: term '{entry.get('id', number)}'"
    for name in REQUIRED_FIELDS:
        if not isinstance(entry.get(name), str) or not entry[name].strip():
            raise GlossaryError(f"{where} needs a '{name}' with some text.")
    unknown = sorted(set(entry) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        raise GlossaryError(
            f"{where} has unknown field(s) {', '.join(unknown)}; "
            f"allowed: {', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)}."
        )
    if not ID_PATTERN.match(entry["id"]):
        raise GlossaryError(f"{where}: the id must be lowercase words joined by '-'.")
    matches = entry.get("matches", [entry["term"]])
    see_also = entry.get("see_also", [])
    for name, value in (("matches", matches), ("see_also", see_also)):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise GlossaryError(f"{where}: '{name}' must be a list of words, like [a, b].")
    topic = entry.get("topic", "")
    if topic and not (docs_dir / topic).is_file():
        raise GlossaryError(f"{where}: topic page '{topic}' does not exist in {docs_dir}.")
    return Term(
        id=entry["id"],
        term=entry["term"].strip(),
        definition=" ".join(entry["definition"].split()),
        matches=tuple(matches),
        see_also=tuple(see_also),
        source=" ".join(str(entry.get("source", "")).split()),
        topic=topic,
    )


def cached_by_file_version(read: Callable[..., T]) -> Callable[..., T]:
    """`read(path, *args)`, done again only when the file at `path` changed.

    Python-Markdown makes the glossary extension anew for every page, so without
    this each page would parse `glossary.yml` again (and the glossary page every
    page's front matter once per term). Keying on the file's modification time
    and size lets `mkdocs serve` pick up an edit on the next rebuild.
    """
    latest: dict[tuple[Any, ...], tuple[tuple[int, int], T]] = {}

    @functools.wraps(read)
    def wrapper(path: Path, *args: Any) -> T:
        try:
            stat = path.stat()
        except OSError:
            return read(path, *args)  # Its own message names the missing file.
        key, version = (path.resolve(), *args), (stat.st_mtime_ns, stat.st_size)
        if key not in latest or latest[key][0] != version:
            latest[key] = (version, read(path, *args))
        return latest[key][1]

    return wrapper


load_glossary_once = cached_by_file_version(load_glossary)
