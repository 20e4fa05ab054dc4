"""The report body's Markdown subset, read back as Jira ADF and wiki markup."""

from __future__ import annotations

from app.trackers.jira_format import Span, parse_blocks, parse_inline, to_adf, to_wiki


def test_inline_marks_links_and_escapes() -> None:
    assert parse_inline(r"a **b** *c* \*d\* [x\]y](https://e.example/1) \[z](q)") == [
        Span("a "),
        Span("b", strong=True),
        Span(" "),
        Span("c", em=True),
        Span(" *d* "),
        Span("x]y", href="https://e.example/1"),
        Span(" [z](q)"),
    ]


def test_only_http_links_become_links() -> None:
    assert parse_inline("[a](javascript:alert(1))") == [Span("[a](javascript:alert(1))")]


def test_blocks_and_nesting() -> None:
    blocks = parse_blocks("p1 line1\np1 line2\n\n### H\n\n- a\n  - a1\n- b\n\n<!-- hidden -->\n")
    assert [b.kind for b in blocks] == ["paragraph", "heading", "bullets"]
    assert blocks[0].lines == ("p1 line1", "p1 line2")
    assert blocks[2].items == ((0, "a"), (1, "a1"), (0, "b"))


def test_adf_document_shape() -> None:
    doc = to_adf("one\ntwo\n\n- a\n  - a1\n- b\n")
    assert doc == {
        "type": "doc",
        "version": 1,
        "content": [
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "one"},
                    {"type": "hardBreak"},
                    {"type": "text", "text": "two"},
                ],
            },
            {
                "type": "bulletList",
                "content": [
                    {
                        "type": "listItem",
                        "content": [
                            {"type": "paragraph", "content": [{"type": "text", "text": "a"}]},
                            {
                                "type": "bulletList",
                                "content": [
                                    {
                                        "type": "listItem",
                                        "content": [
                                            {
                                                "type": "paragraph",
                                                "content": [{"type": "text", "text": "a1"}],
                                            }
                                        ],
                                    }
                                ],
                            },
                        ],
                    },
                    {
                        "type": "listItem",
                        "content": [
                            {"type": "paragraph", "content": [{"type": "text", "text": "b"}]}
                        ],
                    },
                ],
            },
        ],
    }


def test_wiki_markup_escapes_text_and_keeps_structure() -> None:
    wiki = to_wiki("### Evidence\n\n- **P1**: *api* [open](https://ci.example/1)\n  - x\n\n\\- {y}")
    assert wiki == (
        "h3. Evidence\n\n* *P1*: _api_ [open|https://ci.example/1]\n** x\n\n\\- \\{y\\}\n"
    )
