"""The glossary as data: load, validate and match the terms of `docs/glossary.yml`.

Every problem in the file is collected and reported at once, each with its line,
so an editor fixes them in one pass.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from bridges.problems import Problem, ProblemError

try:  # Under MkDocs, a BuildError is printed as a clean message, without a traceback.
    from mkdocs.exceptions import BuildError as _BaseError
except ImportError:  # pragma: no cover - other Markdown hosts
    _BaseError = ValueError

# An id an editor gives a term or a heading: lowercase words joined by '-'.
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Ids the glossary page or the theme already use: a term with one would collide.
RESERVED_ID_PREFIXES = ("letter-", "bb-")
REQUIRED_FIELDS = ("id", "term", "definition")
OPTIONAL_FIELDS = ("endings", "matches", "see_also", "source", "topic")
APOSTROPHES = "'’"
EXAMPLE_ENTRY = "'- id: mutual-aid', then 'term:' and 'definition:' lined up under 'id:'"
T = TypeVar("T")


class GlossaryError(ProblemError, _BaseError):
    """Problems an editor can fix in the glossary file, or in a page's term links."""


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    definition: str
    matches: tuple[str, ...]
    see_also: tuple[str, ...] = ()
    source: str = ""
    topic: str = ""
    endings: tuple[str, ...] = ()

    def phrases(self) -> list[str]:
        """Every form that links here: each match, and each with an ending added."""
        forms = list(self.matches)
        forms += [phrase + ending for phrase in self.matches for ending in self.endings]
        return forms


@dataclass
class Glossary:
    """All terms, and one pattern that finds any of their words in running text."""

    path: Path
    terms: dict[str, Term]
    # Problems that need not stop the build (a `topic:` page that was renamed): the
    # build reports them together with the other stale references to that page.
    warnings: list[Problem] = field(default_factory=list)
    pattern: re.Pattern[str] = field(init=False)
    _by_phrase: dict[str, Term] = field(init=False)

    def __post_init__(self) -> None:
        self._by_phrase = {}
        for term in self.terms.values():
            for phrase in term.phrases():
                self._by_phrase.setdefault(normalise(phrase), term)
        # Longest first, so "coalition-building" wins over "coalition". Grouped by
        # first letter behind a look-ahead: at each word the engine tries only the
        # phrases that can start there, not all of them (5x faster with 180 phrases).
        by_first: dict[str, list[str]] = {}
        for phrase in sorted(self._by_phrase, key=len, reverse=True):
            by_first.setdefault(phrase[0], []).append(phrase)
        alternatives = "|".join(
            f"(?={_phrase_pattern(first)})(?:{'|'.join(map(_phrase_pattern, phrases))})"
            for first, phrases in by_first.items()
        )
        self.pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)

    def term_for(self, words: str) -> Term | None:
        """The term whose id, or one of whose words, is `words` (case-insensitive)."""
        key = normalise(words)
        return self.terms.get(key) or self._by_phrase.get(key)

    def is_phrase(self, words: str) -> bool:
        """Whether `words` are words from the text (a match), not only an id."""
        return normalise(words) in self._by_phrase

    def sorted_terms(self) -> list[Term]:
        return sorted(self.terms.values(), key=lambda t: sort_key(t.term))


def normalise(words: str) -> str:
    """Case, spacing and the apostrophe's shape do not matter when matching."""
    return " ".join(words.replace("’", "'").split()).casefold()


def sort_key(text: str) -> str:
    """Alphabetical position, with accents folded: "Élitism" sorts with E."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def letter_of(term: Term) -> str:
    """The letter group of a term: its first letter without accents."""
    return sort_key(term.term)[:1].upper()


def _phrase_pattern(phrase: str) -> str:
    words = (re.escape(word).replace("'", f"[{APOSTROPHES}]") for word in phrase.split())
    return r"\s+".join(words)


# libyaml's parser, about five times faster than the pure-Python one at 480 terms.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineConstructor:
    """Safe YAML that remembers each mapping's line and rejects repeated keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [key.value for key, _ in node.value]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            raise yaml.constructor.ConstructorError(
                None, None, f"'{repeated[0]}' is given twice in one entry", node.start_mark
            )
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        mapping["__lines__"] = {key.value: key.start_mark.line + 1 for key, _ in node.value}
        return mapping


class _FastLineLoader(_LineConstructor, SAFE_LOADER):
    pass


class _LineLoader(_LineConstructor, yaml.SafeLoader):
    pass


def load_glossary(path: Path, docs_dir: Path) -> Glossary:
    """Read and check the glossary file; raises one error listing every problem."""
    if not path.is_file():
        raise GlossaryError(
            Problem(str(path), "glossary file not found.", "Create it or fix the path.")
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise GlossaryError(not_utf8(path, error)) from None
    try:
        data = yaml.load(text, Loader=_FastLineLoader)  # a SafeLoader subclass
    except yaml.YAMLError:
        # libyaml puts some mistakes on another line than an editor would look:
        # the pure-Python parser's account of them is the one shown.
        try:
            data = yaml.load(text, Loader=_LineLoader)
        except yaml.YAMLError as error:
            raise GlossaryError(_yaml_problem(path, error)) from None
    entries = data.get("terms") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise GlossaryError(
            Problem(
                str(path),
                f"expected a list of entries under 'terms:', each starting {EXAMPLE_ENTRY}.",
            )
        )

    problems: list[Problem] = []
    terms: dict[str, Term] = {}
    first_line: dict[str, int] = {}
    topic_lines: dict[str, int] = {}
    empty_matches: dict[str, int] = {}
    # Ids of entries with problems still count, so see_also to them is not reported too.
    all_ids = {e.get("id") for e in entries if isinstance(e, dict)}
    for entry in entries:
        term = _read_entry(path, entry, problems)
        if term is None:
            continue
        line = entry["__line__"]
        if term.id in terms:
            problems.append(
                Problem(
                    str(path),
                    f"the id '{term.id}' is already used on line {first_line[term.id]};",
                    "give each term its own id.",
                    line,
                )
            )
            continue
        terms[term.id] = term
        first_line[term.id] = line
        topic_lines[term.id] = entry["__lines__"].get("topic", line)
        if term.matches == ():
            empty_matches[term.id] = entry["__lines__"].get("matches", line)

    problems += _phrase_clashes(path, terms, first_line)
    for term in terms.values():
        for other in term.see_also:
            if other not in all_ids:
                problems.append(
                    Problem(
                        str(path),
                        f"term '{term.id}' has see_also '{other}', which is not a glossary id.",
                        "Use the id of an existing term.",
                        first_line[term.id],
                    )
                )
    if problems:
        raise GlossaryError(*problems)

    warnings = []
    for term_id, term in list(terms.items()):
        if term.topic and not (docs_dir / term.topic).is_file():
            warnings.append(
                Problem(
                    str(path),
                    f"term '{term_id}' has topic '{term.topic}', which is not a page in "
                    f"{docs_dir}/.",
                    "Write the page's new name, or remove the topic.",
                    topic_lines[term_id],
                )
            )
            terms[term_id] = Term(**{**term.__dict__, "topic": ""})
    for term_id, line in empty_matches.items():
        # Silently odd: the term's own name would have linked; now nothing does.
        warnings.append(
            Problem(
                str(path),
                f"term '{term_id}' has 'matches: []', so no word in the text links to it "
                f"(only [[{term_id}]] does).",
                "List the words that should link, or remove the line to link the term's own name.",
                line,
            )
        )
    return Glossary(path, terms, warnings)


def not_utf8(path: Path, error: UnicodeDecodeError) -> Problem:
    """The problem of a file saved in another encoding (Latin-1, Windows-1252)."""
    line = error.object[: error.start].count(b"\n") + 1
    return Problem(
        str(path),
        f"not UTF-8 text (byte {error.start}).",
        "Save the file as UTF-8 in your editor.",
        line,
    )


def _yaml_problem(path: Path, error: yaml.YAMLError) -> Problem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line + 1 if mark else None
    problem = getattr(error, "problem", None) or str(error)
    if isinstance(error, yaml.constructor.ConstructorError):
        return Problem(str(path), f"not valid YAML ({problem});", "keep one of them.", line)
    return Problem(
        str(path),
        f"not valid YAML ({problem}).",
        f"Check the indentation: each term starts {EXAMPLE_ENTRY}.",
        line,
    )


def _read_entry(path: Path, entry: object, problems: list[Problem]) -> Term | None:
    if not isinstance(entry, dict):
        problems.append(
            Problem(str(path), f"every item under 'terms:' must be a term: {EXAMPLE_ENTRY}.")
        )
        return None
    entry = dict(entry)
    line = entry.pop("__line__")
    lines = entry.pop("__lines__")
    name = entry.get("id", "?")
    before = len(problems)

    def problem(message: str, fix: str = "", at: int = line) -> None:
        problems.append(Problem(str(path), message, fix, at))

    for key in REQUIRED_FIELDS:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            problem(
                f"term '{name}' needs '{key}:' with some text"
                + (f" (line {lines[key]} has none)." if key in lines else ".")
            )
    unknown = sorted(set(entry) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        problem(
            f"term '{name}' has unknown field(s) {', '.join(map(str, unknown))};",
            f"allowed: {', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)}.",
            lines[unknown[0]],
        )
    term_id = entry.get("id")
    if isinstance(term_id, str) and term_id.strip():
        if not ID_PATTERN.match(term_id):
            problem(
                f"the id '{term_id}' must be lowercase words joined by '-',",
                f"like '{suggest_id(term_id, 'mutual-aid')}'.",
                lines["id"],
            )
        elif term_id.startswith(RESERVED_ID_PREFIXES):
            problem(
                f"the id '{term_id}' starts with '{term_id.split('-')[0]}-', which the "
                "glossary page uses for its own headings;",
                "choose another id for the term.",
                lines["id"],
            )
    for key in ("matches", "see_also", "endings"):
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            problem(
                f"term '{name}': '{key}' must be a list of words,",
                "like [a, b].",
                lines.get(key, line),
            )
    for key in ("source", "topic"):
        if key in entry and not isinstance(entry[key], str):
            problem(f"term '{name}': '{key}' must be text.", at=lines[key])
    if len(problems) > before:
        return None
    return Term(
        id=term_id,
        term=entry["term"].strip(),
        definition=" ".join(entry["definition"].split()),
        matches=tuple(entry.get("matches", [entry["term"].strip()])),
        see_also=tuple(entry.get("see_also", [])),
        source=" ".join(entry.get("source", "").split()),
        topic=entry.get("topic", ""),
        endings=tuple(entry.get("endings", [])),
    )


def suggest_id(text: str, fallback: str, most_words: int | None = None) -> str:
    """An id made of the words of `text` (accents folded), for a message's fix:
    "Mutual Aid!" becomes "mutual-aid"; `fallback` when `text` has no such word."""
    words = re.findall(r"[a-z0-9]+", sort_key(text))[:most_words]
    return "-".join(words) or fallback


def _phrase_clashes(path: Path, terms: dict[str, Term], lines: dict[str, int]) -> list[Problem]:
    owner: dict[str, Term] = {}
    problems = []
    for term in terms.values():
        for phrase in term.phrases():
            other = owner.setdefault(normalise(phrase), term)
            if other is not term:
                problems.append(
                    Problem(
                        str(path),
                        f"the words '{phrase}' link to both '{other.id}' and '{term.id}';",
                        "keep them under one term only.",
                        lines[term.id],
                    )
                )
    return problems


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
