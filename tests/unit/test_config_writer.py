"""Writing board files: readable, default-free, atomic, and read back to the same config."""

from __future__ import annotations

import os
import re
import stat
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.config.board import BoardConfig
from app.config.checks import looks_like_secret_key, looks_like_secret_value
from app.config.loader import BoardFileError, build_board, load_board, parse_board
from app.config.writer import dump_board, save_board

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "boards" / "example.toml"


def test_example_round_trips() -> None:
    board = load_board(EXAMPLE)
    assert parse_board(dump_board(board), "again.toml") == board


def test_dump_is_in_declaration_order_and_leaves_defaults_out() -> None:
    board = load_board(EXAMPLE)
    assert dump_board(board) == (
        "[board]\n"
        'name = "Payments team"\n'
        "stale_after_seconds = 300\n"
        "\n"
        "[[pipelines]]\n"
        'name = "api"\n'
        'source = "github-actions"\n'
        'repo = "acme/payments-api"\n'
        'workflow = "deploy.yml"\n'
        'token_env = "GITHUB_TOKEN"\n'
        "\n"
        "[[pipelines]]\n"
        'name = "web"\n'
        'source = "cctray"\n'
        'url = "https://ci.example.com/cc.xml"\n'
        'project_prefix = "web :: "\n'
        "\n"
        "[[pipelines]]\n"
        'name = "mobile"\n'
        'source = "gitlab"\n'
        'api_url = "https://gitlab.example.com/api/v4"\n'
        'project = "acme/mobile"\n'
        'token_env = "GITLAB_TOKEN"\n'
        "\n"
        "[[environments]]\n"
        'name = "staging"\n'
        'url = "https://staging.example.com/actuator/health"\n'
        "\n"
        "[tracker]\n"
        'kind = "github"\n'
        'repo = "acme/platform"\n'
        'token_env = "GITHUB_TOKEN"\n'
        'labels = ["delivery-blocker"]\n'
    )


def test_non_default_maps_lists_and_item_timing_are_written() -> None:
    text = (
        '[board]\nname = "T"\nrefresh_seconds = 30\npage_seconds = 8\n'
        '[[environments]]\nname = "e"\nurl = "https://e.example"\nrefresh_seconds = 10\n'
        'expected_status = [200, 401]\nheaders = { X-Team = "pay" }\ndelivery_path = false\n'
        '[tracker]\nkind = "jira"\nurl = "https://j.example"\nflavor = "datacenter"\n'
        'project_key = "P"\ntoken_env = "JIRA_PAT"\npriority_names = { P1 = "Blocker" }\n'
    )
    board = parse_board(text, "b.toml")
    dumped = dump_board(board)

    assert "refresh_seconds = 30\npage_seconds = 8\n" in dumped
    assert (
        '[[environments]]\nname = "e"\nurl = "https://e.example"\ndelivery_path = false\n'
        "expected_status = [200, 401]\nrefresh_seconds = 10\n"
        'headers = { X-Team = "pay" }\n'
    ) in dumped
    assert 'priority_names = { P1 = "Blocker", P2 = "High", P3 = "Medium" }\n' in dumped
    assert parse_board(dumped, "again") == board


def test_strings_with_quotes_and_control_characters_survive() -> None:
    board = parse_board('[board]\nname = "T"\n', "b")
    tricky = replace(board, name='Team "A" \\ path\n\ttab \x7f\x01\x85\u2028 é ☃ \U0001f680')
    text = dump_board(tricky)
    assert len(text.splitlines()) == 2  # the name stays on one line, whatever it holds
    assert parse_board(text, "again") == tricky


def test_an_empty_tracker_of_kind_none_is_not_written() -> None:
    board = parse_board('[board]\nname = "T"\n[tracker]\nkind = "none"\n', "b")
    assert "[tracker]" not in dump_board(board)


def test_save_board_writes_atomically_and_keeps_the_file_mode(tmp_path: Path) -> None:
    board = load_board(EXAMPLE)
    path = tmp_path / "nested" / "board.toml"
    save_board(board, path)
    assert load_board(path) == board

    if sys.platform != "win32":
        path.chmod(0o600)
    save_board(replace(board, name="Renamed"), path)

    assert load_board(path).name == "Renamed"
    assert sorted(p.name for p in path.parent.iterdir()) == ["board.toml"]  # no temp file left
    if sys.platform != "win32":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_save_board_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "repo" / "board.toml"
    real.parent.mkdir()
    link = tmp_path / "board.toml"
    link.symlink_to(real)
    save_board(load_board(EXAMPLE), link)
    assert link.is_symlink()
    assert load_board(real).name == "Payments team"


def test_save_board_refuses_a_config_it_could_not_load_back(tmp_path: Path) -> None:
    path = tmp_path / "board.toml"
    path.write_text("# the team's file\n", encoding="utf-8")
    bad = replace(load_board(EXAMPLE), name="   ")

    with pytest.raises(BoardFileError, match="board.name: is empty"):
        save_board(bad, path)
    assert path.read_text(encoding="utf-8") == "# the team's file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["board.toml"]


def test_save_board_removes_the_temp_file_when_replacing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(src: str, dst: str) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError):
        save_board(load_board(EXAMPLE), tmp_path / "board.toml")
    assert list(tmp_path.iterdir()) == []


# -- property: any valid board survives dump and parse ---------------------------------------

_text = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20).filter(
    lambda s: s.strip() and not looks_like_secret_value(s)
)
_header_value = _text.filter(lambda s: not any(c < " " and c != "\t" or c == "\x7f" for c in s))
_seconds = st.one_of(
    st.integers(min_value=1, max_value=100_000),
    st.floats(min_value=1, max_value=100_000, allow_nan=False, allow_infinity=False),
)
_url = st.sampled_from(["https://ci.example.com/cc.xml", "http://127.0.0.1:8080/x", "https://h"])
_env_name = st.from_regex(r"[A-Z_][A-Z0-9_]{0,12}", fullmatch=True).filter(
    lambda s: not looks_like_secret_value(s)
)
_repo = st.from_regex(r"[a-z0-9]{1,8}/[a-z0-9._-]{1,8}", fullmatch=True)
_header = st.from_regex(r"X-[A-Za-z0-9]{1,8}", fullmatch=True).filter(
    lambda s: not looks_like_secret_key(s) and "auth" not in s.lower()
)


@st.composite
def _timing(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {}
    refresh = draw(st.none() | _seconds)
    if refresh is not None:
        out["refresh_seconds"] = refresh
        if draw(st.booleans()):
            out["stale_after_seconds"] = refresh * draw(st.integers(1, 10))
    return out


def _optional(**strategies: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A dict holding some of these keys."""
    return st.fixed_dictionaries({}, optional=strategies)


_sources = st.one_of(
    st.tuples(
        st.just("cctray"),
        st.fixed_dictionaries({"url": _url}),
        _optional(
            project_prefix=_text,
        ),
    ),
    st.tuples(
        st.just("github-actions"),
        st.fixed_dictionaries({"repo": _repo, "workflow": _text | st.integers(0, 10**6)}),
        _optional(api_url=_url, branch=_text, token_env=_env_name),
    ),
    st.tuples(
        st.just("gitlab"),
        st.fixed_dictionaries({"project": _text | st.integers(0, 10**6)}),
        _optional(api_url=_url, ref=_text, token_env=_env_name),
    ),
    st.tuples(
        st.just("jenkins"),
        st.fixed_dictionaries({"url": _url}),
        st.just({}) | st.fixed_dictionaries({"username": _text, "token_env": _env_name}),
    ),
)


@st.composite
def _pipeline(draw: st.DrawFn) -> dict[str, Any]:
    source, required, optional = draw(_sources)
    common = draw(
        _optional(delivery_path=st.booleans(), ca_bundle=st.just(__file__), token_keyring=_text)
    )
    if source in ("cctray", "jenkins"):
        common.pop("token_keyring", None)  # would need a username
    return {
        "name": draw(_text),
        "source": source,
        **required,
        **optional,
        **common,
        **draw(_timing()),
    }


@st.composite
def _environment(draw: st.DrawFn) -> dict[str, Any]:
    optional = draw(
        _optional(
            delivery_path=st.booleans(),
            degraded_ok=st.booleans(),
            json_field=st.from_regex(r"[a-z]{1,5}(\.[a-z]{1,5}){0,2}", fullmatch=True),
            expected_status=st.lists(st.integers(100, 599), max_size=3),
            slow_ms=_seconds,
            tls_warn_days=st.integers(0, 90),
            headers=st.dictionaries(_header, _header_value, max_size=2),
            token_env=_env_name,
        )
    )
    return {"name": draw(_text), "url": draw(_url), **optional, **draw(_timing())}


_priority_map = st.dictionaries(st.sampled_from(["P1", "P2", "P3"]), _text, max_size=3)
_trackers = st.one_of(
    st.none(),
    st.just({"kind": "none"}),
    st.fixed_dictionaries(
        {"kind": st.just("github"), "repo": _repo, "token_env": _env_name},
        optional={"labels": st.lists(_text, max_size=3), "priority_labels": _priority_map},
    ),
    st.fixed_dictionaries(
        {"kind": st.just("gitlab"), "project": _text, "token_keyring": _text},
        optional={"issue_type": st.sampled_from(["issue", "incident"])},
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("jira"),
            "url": _url,
            "project_key": _text,
            "email": _text,
            "token_env": _env_name,
        },
        optional={
            "priority_names": _priority_map,
            "flavor": st.sampled_from(["cloud", "datacenter"]),
        },
    ),
    st.fixed_dictionaries(
        {"kind": st.just("webhook"), "url": _url}, optional={"token_env": _env_name}
    ),
)


@st.composite
def boards(draw: st.DrawFn) -> BoardConfig:
    board: dict[str, Any] = {"name": draw(_text)}
    refresh = draw(st.none() | _seconds)
    if refresh is not None:
        board["refresh_seconds"] = refresh
    if draw(st.booleans()):
        board["stale_after_seconds"] = (refresh or 60) * draw(st.integers(1, 5))
    data: dict[str, Any] = {
        "board": board,
        "pipelines": draw(st.lists(_pipeline(), max_size=4, unique_by=lambda p: p["name"])),
        "environments": draw(st.lists(_environment(), max_size=3, unique_by=lambda e: e["name"])),
    }
    tracker = draw(_trackers)
    if tracker is not None:
        data["tracker"] = tracker
    return build_board(data, "generated")


@settings(max_examples=50, deadline=None)
@given(boards())
def test_any_valid_board_round_trips(board: BoardConfig) -> None:
    text = dump_board(board)
    assert parse_board(text, "dumped.toml") == board
    for line in text.split("\n"):  # one table header or one key per line, nothing else
        assert line == "" or line.startswith("[") or re.match(r"[a-z_]+ = \S", line), line
