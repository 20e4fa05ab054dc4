"""A failing pipeline's claim as a tracker issue, so every teammate's board can see it.

"I'm on it" on a failing pipeline files a small issue, assigned to the token's user, labelled
`releasable-claim` (never the board's blocker labels: a claim is not a blocker) and carrying a
hidden marker naming the board and the pipeline. Every board reads the open claim issues with
the team's blockers and shows who is on each of its failing pipelines; the first board that
sees the pipeline pass again closes the issue, which ends the claim for everyone.

GitHub and GitLab issues hold the marker in their body; Jira issues hold it in labels (a
label has no spaces, so the board is a hash and the pipeline's name is hex): this module makes
and reads both.
"""

from __future__ import annotations

import hashlib
import json
import re

CLAIM_LABEL = "releasable-claim"
_MARKER = re.compile(r"<!--\s*releasable-claim:\s*(\{.*?\})\s*-->", re.S)


def claim_title(board: str, item_key: str) -> str:
    name = item_key.split(":", 1)[-1]
    return f"On it: pipeline '{name}' of {board or 'the board'} is failing"


def claim_body(board: str, item_key: str) -> str:
    marker = json.dumps({"board": board, "item": item_key}, ensure_ascii=True)
    return (
        f"Someone is on the failing pipeline `{item_key.split(':', 1)[-1]}` "
        f"(board *{board}*). Releasable closes this issue when the pipeline passes again.\n\n"
        f"<!-- releasable-claim: {marker} -->\n"
    )


def claim_of(body: str, board: str) -> str | None:
    """The item key a claim issue's body names for `board`, or None (another board's, or no
    marker at all)."""
    found = _MARKER.search(body or "")
    if found is None:
        return None
    try:
        data = json.loads(found.group(1))
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("board") != board:
        return None
    item = data.get("item")
    return item if isinstance(item, str) and item.startswith("pipeline:") else None


def board_label(board: str) -> str:
    """The Jira label naming a board: `releasable-board-<hash of its name>`."""
    return "releasable-board-" + hashlib.sha256(board.encode("utf-8")).hexdigest()[:16]


def item_label(item_key: str) -> str:
    """The Jira label naming a pipeline: `releasable-item-<its name in hex>`."""
    return "releasable-item-" + item_key.split(":", 1)[-1].encode("utf-8").hex()


def item_of_labels(labels: list[str], board: str) -> str | None:
    """The pipeline a Jira claim issue's labels name for `board`, or None."""
    if board_label(board) not in labels:
        return None
    for label in labels:
        if label.startswith("releasable-item-"):
            try:
                name = bytes.fromhex(label.removeprefix("releasable-item-")).decode("utf-8")
            except ValueError:
                return None
            return f"pipeline:{name}"
    return None


__all__ = [
    "CLAIM_LABEL",
    "board_label",
    "claim_body",
    "claim_of",
    "claim_title",
    "item_label",
    "item_of_labels",
]
