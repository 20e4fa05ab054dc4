"""The report body in Jira's two formats: Atlassian Document Format (Cloud, REST v3) and wiki
markup (Data Center, REST v2).

The body is Markdown written by `app.domain.report_body`, which only ever writes a small subset:
`### headings`, `- bullets` (nested by two spaces), paragraphs (lines kept as line breaks),
`**bold**`, `*emphasis*`, `[text](http-url)` links, backslash escapes, and the hidden key
marker (an HTML comment, dropped here: Jira carries the key as a label). This module reads
exactly that subset; anything else passes through as text, never as markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^( *)[-*+]\s+(.*)$")
_COMMENT = re.compile(r"^\s*<!--.*-->\s*$")


@dataclass(frozen=True)
class Span:
    """A run of text with its marks."""

    text: str
    strong: bool = False
    em: bool = False
    href: str | None = None


@dataclass(frozen=True)
class Block:
    kind: str  # "heading" | "paragraph" | "bullets"
    lines: tuple[str, ...] = ()  # paragraph lines, or the heading's one line
    level: int = 0  # heading level
    items: tuple[tuple[int, str], ...] = ()  # bullets: (depth, text)


def parse_blocks(markdown: str) -> list[Block]:
    """Headings, paragraphs and bullet lists, in order; blank lines separate blocks."""
    blocks: list[Block] = []
    para: list[str] = []
    items: list[tuple[int, str]] = []

    def flush() -> None:
        if para:
            blocks.append(Block("paragraph", lines=tuple(para)))
            para.clear()
        if items:
            blocks.append(Block("bullets", items=tuple(items)))
            items.clear()

    for line in markdown.replace("\r\n", "\n").split("\n"):
        if not line.strip() or _COMMENT.match(line):
            flush()
            continue
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line)
        if heading:
            flush()
            blocks.append(Block("heading", lines=(heading.group(2),), level=len(heading.group(1))))
        elif bullet:
            if para:
                flush()
            items.append((len(bullet.group(1)) // 2, bullet.group(2)))
        else:
            if items:
                flush()
            para.append(line.strip())
    flush()
    return blocks


def parse_inline(text: str) -> list[Span]:
    """Spans of plain text with bold, emphasis and links; escapes become the plain character."""
    spans: list[Span] = []
    strong = em = False
    buf: list[str] = []

    def emit(href: str | None = None, label: str | None = None) -> None:
        if buf:
            spans.append(Span("".join(buf), strong, em))
            buf.clear()
        if href is not None and label:
            spans.extend(
                Span(s.text, s.strong or strong, s.em or em, href) for s in parse_inline(label)
            )

    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            buf.append(text[i + 1])
            i += 2
        elif text.startswith("**", i):
            emit()
            strong = not strong
            i += 2
        elif ch == "*":
            emit()
            em = not em
            i += 1
        elif ch == "[" and (link := _link_at(text, i)) is not None:
            label, href, end = link
            emit(href, label)
            i = end
        else:
            buf.append(ch)
            i += 1
    emit()
    return _merge(spans)


def _link_at(text: str, start: int) -> tuple[str, str, int] | None:
    """`[label](url)` starting at `start`: (label, url, index after it), or None."""
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "]":
            break
        i += 1
    else:
        return None
    match = re.match(r"\((https?://[^()\s]+)\)", text[i + 1 :])
    if match is None:
        return None
    return text[start + 1 : i], match.group(1), i + 1 + match.end()


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for span in spans:
        if not span.text:
            continue
        prev = out[-1] if out else None
        if prev and (prev.strong, prev.em, prev.href) == (span.strong, span.em, span.href):
            out[-1] = Span(prev.text + span.text, span.strong, span.em, span.href)
        else:
            out.append(span)
    return out


def plain_text(markdown_line: str) -> str:
    """One line of the body with its markup removed."""
    return "".join(span.text for span in parse_inline(markdown_line))


# ----- Atlassian Document Format ------------------------------------------------------------


def to_adf(markdown: str) -> dict[str, Any]:
    """The body as an ADF document (`{"type": "doc", "version": 1, "content": [...]}`)."""
    content: list[dict[str, Any]] = []
    for block in parse_blocks(markdown):
        if block.kind == "heading":
            content.append(
                {
                    "type": "heading",
                    "attrs": {"level": block.level},
                    "content": _adf_inline(block.lines[0]),
                }
            )
        elif block.kind == "paragraph":
            content.append(_adf_paragraph(block.lines))
        else:
            content.append(_adf_list(list(block.items), 0))
    return {"type": "doc", "version": 1, "content": content}


def _adf_inline(line: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for span in parse_inline(line):
        node: dict[str, Any] = {"type": "text", "text": span.text}
        marks: list[dict[str, Any]] = []
        if span.strong:
            marks.append({"type": "strong"})
        if span.em:
            marks.append({"type": "em"})
        if span.href:
            marks.append({"type": "link", "attrs": {"href": span.href}})
        if marks:
            node["marks"] = marks
        nodes.append(node)
    return nodes


def _adf_paragraph(lines: tuple[str, ...]) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    for n, line in enumerate(lines):
        if n:
            content.append({"type": "hardBreak"})
        content += _adf_inline(line)
    return {"type": "paragraph", "content": content}


def _adf_list(items: list[tuple[int, str]], depth: int) -> dict[str, Any]:
    """A bulletList of the items at `depth`; deeper items nest in the item before them."""
    list_items: list[dict[str, Any]] = []
    while items:
        item_depth, text = items[0]
        if item_depth < depth:
            break
        if item_depth > depth and list_items:
            list_items[-1]["content"].append(_adf_list(items, item_depth))
            continue
        items.pop(0)
        list_items.append({"type": "listItem", "content": [_adf_paragraph((text,))]})
    return {"type": "bulletList", "content": list_items}


# ----- Jira wiki markup ---------------------------------------------------------------------

_WIKI_ACTIVE = re.compile(r"([*_\[\]{}|!^~+?])")
_WIKI_LINE_START = re.compile(r"^([#-]|h[1-6]\.|bq\.)")


def to_wiki(markdown: str) -> str:
    """The body as Jira wiki markup (Data Center's plain-text description)."""
    out: list[str] = []
    for block in parse_blocks(markdown):
        if block.kind == "heading":
            out.append(f"h{block.level}. {_wiki_inline(block.lines[0])}")
        elif block.kind == "paragraph":
            out.append("\n".join(_wiki_line_start(_wiki_inline(line)) for line in block.lines))
        else:
            out.append(
                "\n".join(
                    f"{'*' * (depth + 1)} {_wiki_inline(text)}" for depth, text in block.items
                )
            )
    return "\n\n".join(out) + "\n"


def _wiki_inline(line: str) -> str:
    parts: list[str] = []
    for span in parse_inline(line):
        text = _WIKI_ACTIVE.sub(r"\\\1", span.text)
        if span.em:
            text = f"_{text}_"
        if span.strong:
            text = f"*{text}*"
        if span.href:
            href = span.href.replace("|", "%7C").replace("]", "%5D").replace("[", "%5B")
            text = f"[{text}|{href}]"
        parts.append(text)
    return "".join(parts)


def _wiki_line_start(line: str) -> str:
    return _WIKI_LINE_START.sub(r"\\\1", line)


_ADF_BLOCKS = frozenset({"paragraph", "heading", "codeBlock", "blockquote", "rule", "panel"})


def adf_text(doc: Any) -> str:
    """An Atlassian document as plain text: one line per paragraph or heading, list items as
    `- ` lines (how `app.domain.report_readback` reads a report back). Hard breaks end a
    line; anything that is not a text node contributes nothing."""
    lines: list[str] = []
    current: list[str] = []

    def end_line(prefix: str = "") -> None:
        if current:
            lines.append(prefix + "".join(current))
            current.clear()

    def walk(node: Any, in_item: bool, depth: int) -> None:
        if depth > 64 or not isinstance(node, dict):  # a hostile answer cannot recurse forever
            return
        kind = node.get("type")
        if kind == "text" and isinstance(node.get("text"), str):
            current.append(node["text"])
            return
        if kind == "hardBreak":
            end_line("- " if in_item else "")
            return
        children = node.get("content")
        item = in_item or kind == "listItem"
        for child in children if isinstance(children, list) else []:
            walk(child, item, depth + 1)
            if isinstance(child, dict) and child.get("type") in _ADF_BLOCKS:
                end_line("- " if item else "")
        end_line("- " if item else "")

    walk(doc, False, 0)
    return "\n".join(lines)


__all__ = [
    "Block",
    "Span",
    "adf_text",
    "parse_blocks",
    "parse_inline",
    "plain_text",
    "to_adf",
    "to_wiki",
]
