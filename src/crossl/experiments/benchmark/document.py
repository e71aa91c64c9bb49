"""A report as a list of blocks, rendered to Markdown or to one self-contained HTML page."""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Heading:
    """A section title; ``level`` 1 is the page title."""

    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    """Plain text."""

    text: str


@dataclass(frozen=True)
class Code:
    """A verbatim block, such as a command line."""

    text: str


@dataclass(frozen=True)
class Bullets:
    """A bulleted list of plain-text items."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table of plain-text cells."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Figure:
    """A PNG file beside the Markdown report, embedded in the HTML one."""

    path: Path
    caption: str


Block = Heading | Paragraph | Code | Bullets | Table | Figure


def to_markdown(blocks: list[Block]) -> str:
    """Markdown text of ``blocks``; figures link to their file name (the PNG sits beside it).

    >>> print(to_markdown([Heading("Results"), Table(("a", "b"), (("1", "x|y"),))]), end="")
    ## Results
    <BLANKLINE>
    | a | b |
    |---|---|
    | 1 | x\\|y |
    """
    return "\n\n".join(_markdown_block(b) for b in blocks) + "\n"


def _markdown_block(block: Block) -> str:
    match block:
        case Heading(text, level):
            return "#" * level + " " + text
        case Paragraph(text):
            return text
        case Code(text):
            return f"```\n{text}\n```"
        case Bullets(items):
            return "\n".join(f"- {item}" for item in items)
        case Table(header, rows):
            lines = [_markdown_row(header), "|" + "---|" * len(header)]
            return "\n".join(lines + [_markdown_row(row) for row in rows])
        case Figure(path, caption):
            return f"![{caption}]({path.name})"
    raise TypeError(f"not a report block: {block!r}")


def _markdown_row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; }
th { background: #f2f2f2; }
pre { background: #f6f6f6; padding: 0.6rem; overflow-x: auto; }
img { max-width: 100%; }
figcaption { font-size: 0.85rem; color: #555; }
"""


def to_html(blocks: list[Block], title: str) -> str:
    """One HTML page with no external resources: figures become ``data:`` URIs, text is escaped.

    >>> page = to_html([Paragraph("a < b")], "t")
    >>> "<p>a &lt; b</p>" in page and "<title>t</title>" in page
    True
    """
    body = "\n".join(_html_block(b) for b in blocks)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _html_block(block: Block) -> str:
    esc = html.escape
    match block:
        case Heading(text, level):
            return f"<h{level}>{esc(text)}</h{level}>"
        case Paragraph(text):
            return f"<p>{esc(text)}</p>"
        case Code(text):
            return f"<pre><code>{esc(text)}</code></pre>"
        case Bullets(items):
            return "<ul>\n" + "\n".join(f"<li>{esc(i)}</li>" for i in items) + "\n</ul>"
        case Table(header, rows):
            head = "".join(f"<th>{esc(c)}</th>" for c in header)
            body = "\n".join(
                "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows
            )
            return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"
        case Figure(path, caption):
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            return (
                f'<figure><img src="data:image/png;base64,{data}" alt="{esc(caption)}">'
                f"<figcaption>{esc(caption)}</figcaption></figure>"
            )
    raise TypeError(f"not a report block: {block!r}")
