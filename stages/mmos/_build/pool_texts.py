"""Read the fetched public-domain texts named in ``pool-sources.yaml`` and clean them to plain prose.

The texts never live in this repository: each work is recorded as a repository, a commit and one or
more paths, and read here straight from a fetched git snapshot (a bare git directory under the
mirror folder, e.g. ``/work/.mirror/owner+name/repo``) with ``git show <commit>:<path>``.

Cleaning is deterministic and deliberately simple:

* decode UTF-8 (latin-1 when that fails), drop a byte-order mark, unify line ends;
* keep only what lies between Project Gutenberg's ``*** START OF ...`` / ``*** END OF ...`` markers
  (and drop a trailing "End of the Project Gutenberg ..." licence block);
* drop a Markdown YAML front matter block and speech transcripts' ``<title="...">``/``<date="...">`` lines;
* for markup (TEI XML, XHTML, HTML): drop headers, title pages, headings, notes, epigraphs,
  paragraphs marked as another language, scripts and styles; turn block elements into paragraph
  breaks, remove every other tag and unescape entities;
* then drop angle-bracketed insertions left in the text ("<Applause.>", "<1>") and stray "<", ">";
* drop bracketed stage directions of speech transcripts ("(Applause.)", "[Laughter]") and the
  "THE PRESIDENT:" speaker label;
* normalise whitespace: one paragraph per block, single spaces inside, one blank line between.
"""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import yaml

# Project Gutenberg boilerplate.
_PG_START = re.compile(r"^\s*\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG.*?\*{3}.*$", re.I | re.M)
_PG_END = re.compile(r"^\s*\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG.*$", re.I | re.M)
_PG_END_LINE = re.compile(r"^\s*End of (?:the )?Project Gutenberg'?s?\b.*$", re.I | re.M)

# Markup: elements dropped with their content, block elements that end a paragraph, any tag.
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_PSEUDO_TAGS = re.compile(r'^<(?:title|date)="[^"\n]*">\s*$', re.M)  # Miller Center transcript headers
_DROP_ELEMENTS = re.compile(
    r"<(teiHeader|head|h[1-6]|note|epigraph|script|style|title)\b[^>]*>.*?</\1\s*>"
    r"|<p\b[^>]*xml:lang=\"(?!pt|en)[^\"]*\"[^>]*>.*?</p\s*>"  # a paragraph in another language (epigraphs)
    r"|<div\b[^>]*type=\"titlepage\"[^>]*>.*?</div\s*>"
    r"|<section\b[^>]*epub:type=\"[^\"]*titlepage[^\"]*\"[^>]*>.*?</section\s*>",
    re.S | re.I,
)
_BLOCK_TAGS = re.compile(r"</?(p|div|section|article|blockquote|br|l|lb|lg|li|tr|header|footer|body|text)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[!?/]?[A-Za-z][^>]*>|<!--.*?-->", re.S)
_MARKUP_HINT = re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^>]*)?/?>")

# Speech transcripts: audience reactions in brackets.
_STAGE = re.compile(r"[\(\[]\s*(?:applause|laughter|cheers|cheering|booing|boos|audience)[^\)\]]{0,40}[\)\]]", re.I)
_PLAIN_BRACKETS = re.compile(r"<[^<>\n]{0,300}>|\?>")  # transcripts' <Applause.>, <1>, <photo caption>
_SPEAKER = re.compile(r"\bTHE PRESIDENT:\s*")  # the speaker's own label in a transcript
_MD_MARKS = re.compile(r"^\s{0,3}#{1,6}\s+.*$|^\s*>\s?", re.M)


def load_sources(path: Path) -> list[dict]:
    """The entries of ``pool-sources.yaml`` (a mapping with an ``entries`` list), in file order."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    entries = document["entries"] if isinstance(document, dict) else document
    for entry in entries:
        for work in entry["works"]:
            if not (work.get("path") or work.get("paths")):
                raise ValueError(f"{entry['id']}: a work without path or paths")
    return entries


def git_dir(repository: str, mirror: Path) -> Path:
    """The bare git directory of ``owner/name``'s snapshot under ``mirror`` (``owner+name*``)."""
    base = repository.replace("/", "+")
    exact = Path(mirror) / base
    candidates = [exact] if exact.is_dir() else sorted(p for p in Path(mirror).glob(f"{glob_escape(base)}*") if p.is_dir())
    for folder in candidates:
        for candidate in [folder, *sorted(folder.iterdir())]:
            if candidate.is_dir() and (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
                return candidate
    raise FileNotFoundError(f"no snapshot of {repository} under {mirror}")


def glob_escape(text: str) -> str:
    """``text`` with glob metacharacters escaped."""
    return re.sub(r"([\[\]*?])", r"[\1]", text)


def read_blob(folder: Path, commit: str, path: str) -> str:
    """The file at ``commit:path`` in git directory ``folder``, decoded (UTF-8, else latin-1)."""
    raw = subprocess.run(["git", "--git-dir", str(folder), "show", f"{commit}:{path}"],
                         check=True, capture_output=True).stdout
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def strip_gutenberg(text: str) -> str:
    """The text between Project Gutenberg's START and END markers (all of it when there are none)."""
    start = _PG_START.search(text)
    if start:
        text = text[start.end():]
    end = _PG_END.search(text) or _PG_END_LINE.search(text)
    if end:
        text = text[:end.start()]
    return text


def strip_markup(text: str) -> str:
    """Plain text of XML/HTML: dropped elements gone, blocks as paragraph breaks, entities decoded."""
    text = _DROP_ELEMENTS.sub("\n\n", text)
    text = _BLOCK_TAGS.sub("\n\n", text)
    text = _ANY_TAG.sub("", text)
    return html.unescape(text)


def normalise(text: str) -> str:
    """Paragraphs (blocks split by blank lines) with single spaces, joined by one blank line."""
    paragraphs = (" ".join(block.split()) for block in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


def clean(text: str) -> str:
    """One fetched file as clean plain prose (see the module docstring for the steps)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\u2060", "")
    text = strip_gutenberg(text)
    text = _FRONT_MATTER.sub("", text)
    text = _PSEUDO_TAGS.sub("", text)
    text = strip_markup(text) if _MARKUP_HINT.search(text) else html.unescape(_MD_MARKS.sub("", text))
    text = _PLAIN_BRACKETS.sub(" ", text).replace("<", " ").replace(">", " ")
    text = _SPEAKER.sub("", _STAGE.sub("", text))
    return normalise(text)


def work_text(work: dict, mirror: Path) -> str:
    """One work's clean text: its files (``path`` or ``paths``, in order) joined by blank lines."""
    folder = git_dir(work["repository"], mirror)
    paths = work.get("paths") or [work["path"]]
    return "\n\n".join(t for t in (clean(read_blob(folder, work["commit"], p)) for p in paths) if t)


def author_text(entry: dict, mirror: Path) -> str:
    """One author's clean plain text: all their works, in file order, joined by blank lines."""
    return "\n\n".join(work_text(work, Path(mirror)) for work in entry["works"])
