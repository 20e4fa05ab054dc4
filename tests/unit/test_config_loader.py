"""Loading board files: the example loads, defaults apply, every problem is found with its line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.config.board import (
    CctrayOptions,
    GithubActionsOptions,
    GithubTrackerOptions,
    GitlabOptions,
    JiraTrackerOptions,
    NoTrackerOptions,
    WebhookTrackerOptions,
)
from app.config.loader import BoardFileError, build_board, find_board_path, load_board, parse_board

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "boards" / "example.toml"

MINIMAL = '[board]\nname = "Team"\n'


def errors_of(text: str, name: str = "board.toml") -> list[str]:
    with pytest.raises(BoardFileError) as caught:
        parse_board(text, name)
    return caught.value.errors


def one_error(text: str) -> str:
    errors = errors_of(text)
    assert len(errors) == 1, errors
    return errors[0]


# -- the example -----------------------------------------------------------------------------


def test_example_board_loads_with_the_values_it_states() -> None:
    board = load_board(EXAMPLE)

    assert board.name == "Payments team"
    assert (board.refresh_seconds, board.stale_after_seconds) == (60, 300)
    assert [p.name for p in board.pipelines] == ["api", "web", "mobile"]
    api, web, mobile = board.pipelines
    assert api.options == GithubActionsOptions(
        repo="acme/payments-api",
        workflow="deploy.yml",
        api_url="https://api.github.com",
        branch="main",
        token_env="GITHUB_TOKEN",
    )
    assert isinstance(web.options, CctrayOptions)
    assert web.options.project_prefix == "web :: "
    assert mobile.options == GitlabOptions(
        project="acme/mobile",
        api_url="https://gitlab.example.com/api/v4",
        ref="main",
        token_env="GITLAB_TOKEN",
    )
    assert board.environments[0].url == "https://staging.example.com/actuator/health"
    tracker = board.tracker.options
    assert isinstance(tracker, GithubTrackerOptions)
    assert tracker.labels == ("delivery-blocker",)
    assert dict(tracker.priority_labels) == {"P1": "P1", "P2": "P2", "P3": "P3"}


# -- defaults --------------------------------------------------------------------------------


def test_defaults_apply_when_keys_are_left_out() -> None:
    board = parse_board(
        MINIMAL
        + '[[pipelines]]\nname = "api"\nsource = "github-actions"\nrepo = "a/b"\n'
        + "workflow = 42\n"
        + '[[environments]]\nname = "prod"\nurl = "https://prod.example.com/health"\n',
        "board.toml",
    )

    assert (board.refresh_seconds, board.stale_after_seconds, board.page_seconds) == (60, 180, 15)
    pipeline = board.pipelines[0]
    assert pipeline.delivery_path is True
    assert (pipeline.refresh_seconds, pipeline.stale_after_seconds) == (60, 180)
    assert pipeline.options == GithubActionsOptions(
        repo="a/b", workflow="42", api_url="https://api.github.com", branch="main"
    )
    env = board.environments[0]
    assert (env.delivery_path, env.degraded_ok, env.slow_ms, env.tls_warn_days) == (
        True,
        False,
        2000,
        14,
    )
    assert env.expected_status == ()
    assert env.is_expected_status(204) and not env.is_expected_status(301)
    assert isinstance(board.tracker.options, NoTrackerOptions)


def test_stale_after_defaults_to_three_refreshes_of_the_board() -> None:
    board = parse_board('[board]\nname = "T"\nrefresh_seconds = 20\n', "b.toml")
    assert board.stale_after_seconds == 60


def test_item_timing_falls_back_to_the_board_or_to_its_own_refresh() -> None:
    text = (
        '[board]\nname = "T"\nrefresh_seconds = 30\nstale_after_seconds = 200\n'
        '[[environments]]\nname = "a"\nurl = "https://a.example"\n'
        '[[environments]]\nname = "b"\nurl = "https://b.example"\nrefresh_seconds = 120\n'
        '[[environments]]\nname = "c"\nurl = "https://c.example"\nstale_after_seconds = 45\n'
    )
    a, b, c = parse_board(text, "b.toml").environments

    assert (a.refresh_seconds, a.stale_after_seconds) == (30, 200)
    assert (b.refresh_seconds, b.stale_after_seconds) == (120, 360)
    assert (c.refresh_seconds, c.stale_after_seconds) == (30, 45)


def test_priority_maps_keep_the_defaults_they_do_not_override() -> None:
    board = parse_board(
        MINIMAL + '[tracker]\nkind = "jira"\nurl = "https://acme.atlassian.net"\n'
        'project_key = "PLAT"\nemail = "bot@acme.test"\ntoken_env = "JIRA_TOKEN"\n'
        'priority_names = { P1 = "Blocker" }\n',
        "b.toml",
    )
    jira = board.tracker.options
    assert isinstance(jira, JiraTrackerOptions)
    assert dict(jira.priority_names) == {"P1": "Blocker", "P2": "High", "P3": "Medium"}
    assert (jira.flavor, jira.issue_type) == ("cloud", "Bug")


def test_expected_status_takes_one_code_or_a_list() -> None:
    text = MINIMAL + '[[environments]]\nname = "a"\nurl = "https://a.example"\nexpected_status = '
    assert parse_board(text + "204\n", "b").environments[0].expected_status == (204,)
    assert parse_board(text + "[200, 401]\n", "b").environments[0].expected_status == (200, 401)


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "board.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert load_board(path).name == "Team"


# -- errors, each with its line --------------------------------------------------------------


def test_unknown_source_names_file_line_key_and_choices() -> None:
    text = MINIMAL + '[[pipelines]]\nname = "a"\nsource = "cctray"\nurl = "https://x/cc.xml"\n'
    text += '[[pipelines]]\nname = "b"\nsource = "jenkinz"\nurl = "https://ci/job/b"\n'
    assert one_error(text) == (
        "board.toml:9: pipelines[2].source: unknown source 'jenkinz' "
        "(expected one of cctray, github-actions, gitlab, jenkins)"
    )


def test_unknown_key_suggests_the_closest_declared_key() -> None:
    text = '[board]\nname = "T"\nrefresh_secs = 5\n'
    assert one_error(text) == (
        "board.toml:3: board.refresh_secs: unknown key 'refresh_secs' "
        "(did you mean 'refresh_seconds'?)"
    )


def test_a_key_of_another_source_says_which_source_it_belongs_to() -> None:
    text = MINIMAL + '[[pipelines]]\nname = "a"\nsource = "cctray"\nurl = "https://x/cc"\n'
    text += 'workflow = "deploy.yml"\n'
    assert one_error(text) == (
        "board.toml:7: pipelines[1].workflow: unknown key 'workflow' "
        "(it belongs to source 'github-actions')"
    )


def test_unknown_table_is_reported() -> None:
    assert one_error(MINIMAL + "[boards]\nx = 1\n") == (
        "board.toml:3: boards: unknown table 'boards' (did you mean 'board'?)"
    )


def test_wrong_type_says_what_was_expected() -> None:
    assert one_error('[board]\nname = "T"\nrefresh_seconds = "60"\n') == (
        "board.toml:3: board.refresh_seconds: expected seconds, not text"
    )
    assert one_error(
        MINIMAL + '[[environments]]\nname = "e"\nurl = "https://e"\ndelivery_path = "yes"\n'
    ) == ("board.toml:6: environments[1].delivery_path: expected true or false, not text")


def test_numbers_must_be_positive() -> None:
    assert one_error('[board]\nname = "T"\nrefresh_seconds = 0\n') == (
        "board.toml:3: board.refresh_seconds: must be a number of seconds above 0"
    )


def test_missing_required_key_points_at_its_table() -> None:
    text = MINIMAL + '\n[[pipelines]]\nname = "api"\nsource = "github-actions"\nrepo = "a/b"\n'
    assert one_error(text) == "board.toml:4: pipelines[1].workflow: is required but missing"


def test_missing_board_table_is_reported_on_line_one() -> None:
    assert one_error('[[environments]]\nname = "e"\nurl = "https://e"\n') == (
        'board.toml:1: board: the [board] table is missing; it needs at least name = "..."'
    )


def test_bad_enum_value_lists_the_choices() -> None:
    text = MINIMAL + '[tracker]\nkind = "gitlab"\nproject = 7\ntoken_env = "T"\n'
    text += 'issue_type = "bug"\n'
    assert one_error(text) == (
        "board.toml:7: tracker.issue_type: unknown issue type 'bug' "
        "(expected one of issue, incident)"
    )


def test_duplicate_names_point_at_the_second_one() -> None:
    env = '[[environments]]\nname = "staging"\nurl = "https://s"\n'
    assert one_error(MINIMAL + env + env) == (
        "board.toml:7: environments[2].name: duplicate environment name 'staging' "
        "(see environments[1])"
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "ftp://ci.example.com/cc.xml",
            "only http:// and https:// addresses work here, not ftp://",
        ),
        ("ci.example.com/cc.xml", "is not a web address: it must start with http:// or https://"),
        ("https:///cc.xml", "is not a valid web address (no host name, or spaces in it)"),
    ],
)
def test_urls_must_be_http_or_https(url: str, message: str) -> None:
    text = MINIMAL + f'[[pipelines]]\nname = "w"\nsource = "cctray"\nurl = "{url}"\n'
    assert one_error(text) == f"board.toml:6: pipelines[1].url: {message}"


SECRET = "ghp_" + "a1B2c3D4" * 5


@pytest.mark.parametrize(
    ("line", "expected_key"),
    [
        ('token = "hunter2"', "pipelines[1].token"),
        ('password = "hunter2"', "pipelines[1].password"),
        ('client_secret = "s3cr3t"', "pipelines[1].client_secret"),
        (f'token_env = "{SECRET}"', "pipelines[1].token_env"),
        (f'branch = "{SECRET}"', "pipelines[1].branch"),
        ('api_url = "https://bot:hunter2@github.example.com/api/v3"', "pipelines[1].api_url"),
    ],
)
def test_secret_values_are_refused_without_repeating_them(line: str, expected_key: str) -> None:
    text = MINIMAL + '[[pipelines]]\nname = "a"\nsource = "github-actions"\nrepo = "a/b"\n'
    text += f'workflow = "d.yml"\n{line}\n'
    error = one_error(text)
    assert error.startswith(f"board.toml:8: {expected_key}: ")
    assert error.endswith(
        "put the token in an environment variable or the OS keyring; name it with token_env"
    )
    assert "hunter2" not in error and SECRET not in error and "s3cr3t" not in error


def test_secret_headers_are_refused() -> None:
    text = MINIMAL + '[[environments]]\nname = "e"\nurl = "https://e"\n'
    text += 'headers = { Authorization = "Bearer abcdefghijkl", X-Team = "pay" }\n'
    error = one_error(text)
    assert error.startswith("board.toml:6: environments[1].headers.Authorization: ")
    assert "abcdefghijkl" not in error


def test_cctray_secret_advice_names_password_env() -> None:
    text = MINIMAL + '[[pipelines]]\nname = "w"\nsource = "cctray"\nurl = "https://ci/cc.xml"\n'
    text += 'password = "hunter2"\n'
    assert one_error(text).endswith("name it with password_env")


def test_token_env_must_be_a_variable_name() -> None:
    text = MINIMAL + '[[pipelines]]\nname = "a"\nsource = "gitlab"\nproject = "g/p"\n'
    assert one_error(text + 'token_env = "$GITLAB_TOKEN"\n') == (
        "board.toml:7: pipelines[1].token_env: write the variable's name without '$': GITLAB_TOKEN"
    )
    assert one_error(text + 'token_env = "GITLAB TOKEN"\n').endswith(
        "expected the NAME of an environment variable, like GITHUB_TOKEN"
    )


def test_list_items_are_checked_one_by_one() -> None:
    text = MINIMAL + '[[pipelines]]\nname = "w"\nsource = "cctray"\nurl = "https://ci/cc"\n'
    text += 'projects = ["build",\n  3]\n'
    assert (
        one_error(text)
        == "board.toml:7: pipelines[1].projects[2]: expected text, not a whole number"
    )


def test_sub_tables_and_dotted_keys_are_located() -> None:
    text = MINIMAL + '[tracker]\nkind = "github"\nrepo = "a/b"\ntoken_env = "T"\n\n'
    text += '[tracker.priority_labels]\nP1 = "urgent"\nP7 = "x"\n'
    assert one_error(text) == (
        "board.toml:10: tracker.priority_labels.P7: unknown priority 'P7' (expected P1, P2, P3)"
    )
    dotted = MINIMAL + '[tracker]\nkind = "github"\nrepo = "a/b"\ntoken_env = "T"\n'
    assert one_error(dotted + 'priority_labels.P0 = "x"\n').startswith("board.toml:7: ")


def test_sub_tables_of_array_tables_belong_to_the_last_entry() -> None:
    env = '[[environments]]\nname = "{}"\nurl = "https://e"\n'
    text = MINIMAL + env.format("a") + env.format("b") + "[environments.headers]\nX-Ok = 1\n"
    assert one_error(text) == (
        "board.toml:10: environments[2].headers.X-Ok: expected text, not a whole number"
    )


def test_multiline_arrays_do_not_confuse_line_numbers() -> None:
    text = MINIMAL + '[tracker]\nkind = "github"\nrepo = "a/b"\ntoken_env = "T"\nlabels = [\n'
    text += '  "x = [",\n  "[board]",\n]\nassignee = ["me"]\n'
    assert one_error(text).startswith("board.toml:11: tracker.assignee: unknown key 'assignee' ")


def test_multiline_strings_do_not_confuse_line_numbers() -> None:
    text = '[board]\nname = """\nrefresh_seconds = "not a key"\n"""\nrefresh_secs = 1\n'
    assert one_error(text).startswith("board.toml:5: board.refresh_secs: ")


def test_stale_shorter_than_refresh_is_refused() -> None:
    text = '[board]\nname = "T"\nrefresh_seconds = 60\nstale_after_seconds = 30\n'
    assert one_error(text) == (
        "board.toml:4: board.stale_after_seconds: is shorter than refresh_seconds (60): "
        "every item would turn unknown between two reads"
    )


def test_cross_key_rules() -> None:
    cctray = MINIMAL + '[[pipelines]]\nname = "w"\nsource = "cctray"\nurl = "https://ci/cc"\n'
    assert one_error(cctray + 'project_prefix = "w"\nprojects = ["a"]\n') == (
        "board.toml:8: pipelines[1].projects: use project_prefix or projects, not both"
    )
    assert one_error(cctray + 'username = "bot"\n') == (
        "board.toml:7: pipelines[1].username: "
        "needs password_env (or token_keyring) for the password"
    )
    jira = MINIMAL + '[tracker]\nkind = "jira"\nurl = "https://j.example"\nproject_key = "P"\n'
    assert errors_of(jira) == [
        "board.toml:3: tracker.token_env: is required: name the environment variable holding "
        "the token (or set token_keyring)",
        'board.toml:3: tracker.email: is required for Jira Cloud (flavor = "cloud")',
    ]


def test_toml_syntax_errors_carry_their_line() -> None:
    assert one_error('[board]\nname = "T"\nrefresh_seconds = \n') == (
        "board.toml:3: not valid TOML: invalid value (at line 3, column 19)"
    )


def test_every_error_is_collected_in_line_order() -> None:
    text = (
        "[board]\n"  # 1
        "refresh_seconds = -5\n"  # 2
        "colour = 'red'\n"  # 3
        "[[pipelines]]\n"  # 4
        'name = "api"\n'  # 5
        'source = "github-actions"\n'  # 6
        'repo = "no-slash"\n'  # 7
        'token = "abc"\n'  # 8
        "[[environments]]\n"  # 9
        'name = "staging"\n'  # 10
        'url = "staging.example.com"\n'  # 11
        "[tracker]\n"  # 12
        'kind = "trello"\n'  # 13
    )
    errors = errors_of(text)
    lines = [int(re.match(r"board\.toml:(\d+):", e).group(1)) for e in errors]  # type: ignore[union-attr]

    assert lines == [1, 2, 3, 4, 7, 8, 11, 13]
    assert "board.name: is required but missing" in errors[0]
    assert "pipelines[1].workflow: is required but missing" in errors[3]


def test_load_board_names_the_file_it_could_not_read(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(BoardFileError) as caught:
        load_board(missing)
    assert caught.value.errors == [f"{missing}: no such file"]
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(BoardFileError, match="is not UTF-8 text"):
        load_board(binary)


def test_build_board_checks_plain_data_without_lines() -> None:
    data = {"board": {"name": "T"}, "tracker": {"kind": "webhook", "url": "mailto:x@y"}}
    with pytest.raises(BoardFileError) as caught:
        build_board(data, "editor")
    assert caught.value.errors == [
        "editor: tracker.url: is not a web address: it must start with http:// or https://"
    ]
    assert caught.value.issues[0].line is None
    data["tracker"]["url"] = "https://hooks.example.com/blockers"
    assert isinstance(build_board(data).tracker.options, WebhookTrackerOptions)


# -- where the board file is -----------------------------------------------------------------


def test_find_board_path_prefers_explicit_then_env_then_config_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import platformdirs

    default = Path(platformdirs.user_config_dir("releasable")) / "board.toml"
    assert find_board_path(None) is None  # nothing configured: offer the demo

    default.parent.mkdir(parents=True)
    default.write_text(MINIMAL)
    assert find_board_path(None) == default

    monkeypatch.setenv("RELEASABLE_BOARD", str(tmp_path / "team.toml"))
    assert find_board_path(None) == tmp_path / "team.toml"

    explicit = tmp_path / "mine.toml"
    assert find_board_path(explicit) == explicit


# -- planned time: [[freeze]] and [[maintenance]] ----------------------------------------------

PLANNED_BOARD = """\
[board]
name = "Payments"

[[environments]]
name = "staging"
url = "https://staging.example.com/health"

[[freeze]]
start = 2026-12-19T18:00:00+01:00
end = 2027-01-04T08:00:00+01:00
reason = "year-end"

[[maintenance]]
environment = "staging"
weekdays = ["sat", "sun"]
start_time = 22:00:00
end_time = "04:00"
timezone = "Europe/Berlin"
reason = "backups"

[[maintenance]]
start = 2026-12-05T06:00:00Z
end = 2026-12-05T07:00:00Z
"""


def test_freeze_and_maintenance_load_and_write_back_unchanged() -> None:
    from app.config.writer import dump_board

    config = parse_board(PLANNED_BOARD, "board.toml")
    freeze = config.planned.freezes[0]
    assert (freeze.reason, freeze.end.isoformat()) == ("year-end", "2027-01-04T08:00:00+01:00")
    nightly, once = config.planned.maintenance
    assert nightly.environment == "staging" and nightly.weekdays == (5, 6)
    assert nightly.zone_name == "Europe/Berlin" and str(nightly.end_time) == "04:00:00"
    assert once.environment is None and once.start is not None
    assert parse_board(dump_board(config), "again.toml") == config


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            "[[freeze]]\nstart = 2026-12-19T18:00:00\nend = 2026-12-20T18:00:00Z",
            "board.toml:9: freeze[1].start: needs its offset",
        ),
        (
            "[[freeze]]\nstart = 2026-12-20T18:00:00Z\nend = 2026-12-19T18:00:00Z",
            "board.toml:10: freeze[1].end: must be after start",
        ),
        ("[[freeze]]\nstart = 2026-12-20T18:00:00Z", "freeze[1].end: is required but missing"),
        (
            '[[maintenance]]\nenvironment = "prod"\nstart_time = "01:00"\nend_time = "02:00"',
            "board.toml:9: maintenance[1].environment: no environment named 'prod'",
        ),
        (
            '[[maintenance]]\nstart_time = "01:00"\nend_time = "02:00"\ntimezone = "Mars/Olympus"',
            "maintenance[1].timezone: unknown time zone 'Mars/Olympus'",
        ),
        (
            '[[maintenance]]\nweekdays = ["someday"]\nstart_time = "01:00"\nend_time = "02:00"',
            "maintenance[1].weekdays[1]: expected one of mon, tue",
        ),
        ('[[maintenance]]\nreason = "x"', "maintenance[1]: needs start and end (one-off)"),
        (
            '[[maintenance]]\nstart_time = "25:00"\nend_time = "02:00"',
            "maintenance[1].start_time: expected a time of day like 02:00",
        ),
    ],
    ids=[
        "no-offset",
        "end-before-start",
        "no-end",
        "no-such-env",
        "bad-zone",
        "bad-day",
        "neither-kind",
        "bad-time",
    ],
)
def test_planned_time_mistakes_are_named_with_file_line_and_key(table: str, message: str) -> None:
    text = PLANNED_BOARD.split("[[freeze]]")[0] + table + "\n"
    with pytest.raises(BoardFileError) as err:
        parse_board(text, "board.toml")
    assert message in str(err.value)


# -- one mistake, one error ------------------------------------------------------------------


def test_a_mistyped_source_is_the_only_error_even_with_that_sources_keys() -> None:
    text = MINIMAL + '[[pipelines]]\nname = "api"\nsource = "jenkinz"\n'
    text += (
        'url = "https://ci.example.com/job/api"\nusername = "bob"\ntoken_env = "JENKINS_TOKEN"\n'
    )
    assert one_error(text) == (
        "board.toml:5: pipelines[1].source: unknown source 'jenkinz' "
        "(expected one of cctray, github-actions, gitlab, jenkins)"
    )


def test_a_mistyped_tracker_kind_is_the_only_error() -> None:
    text = MINIMAL + '[tracker]\nkind = "githb"\nrepo = "a/b"\ntoken_env = "GITHUB_TOKEN"\n'
    assert one_error(text).startswith("board.toml:4: tracker.kind: unknown kind 'githb'")


def test_a_secret_is_still_refused_next_to_a_mistyped_source() -> None:
    text = MINIMAL + '[[pipelines]]\nname = "api"\nsource = "jenkinz"\ntoken = "hunter2"\n'
    errors = errors_of(text)
    assert len(errors) == 2
    assert errors[1].startswith("board.toml:6: pipelines[1].token: secrets do not belong")


# -- every value checked when the board is read (file:line:key, one line each) ---------------

ENV = MINIMAL + '[[environments]]\nname = "e"\n'


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('url = "http://[::1/up"', "url: is not a valid web address (invalid ipv6 url)"),
        (
            'url = "http://e.example:99999/up"',
            "url: is not a valid web address (port out of range 1-65535)",
        ),
        (
            'url = "http://e.example:0/up"',
            "url: is not a valid web address (port out of range 1-65535)",
        ),
        (
            'url = "http://e.example:http/"',
            "url: is not a valid web address (port out of range 1-65535)",
        ),
    ],
)
def test_a_broken_address_is_one_line_not_a_traceback(line: str, message: str) -> None:
    assert one_error(ENV + line + "\n") == f"board.toml:5: environments[1].{message}"


SECONDS_RANGE = "must be from 1 to 2592000 seconds (30 days)"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("refresh_seconds = 400000000000", f"board.refresh_seconds: {SECONDS_RANGE}"),
        ("refresh_seconds = 0.5", f"board.refresh_seconds: {SECONDS_RANGE}"),
        ("stale_after_seconds = 1e300", f"board.stale_after_seconds: {SECONDS_RANGE}"),
        ("page_seconds = 2592001", f"board.page_seconds: {SECONDS_RANGE}"),
    ],
)
def test_intervals_must_be_between_a_second_and_thirty_days(line: str, message: str) -> None:
    assert one_error(MINIMAL + line + "\n") == f"board.toml:3: {message}"


def test_item_values_have_sane_ranges_too() -> None:
    text = (
        ENV + 'url = "https://e"\nrefresh_seconds = 1e12\nslow_ms = 1e12\ntls_warn_days = 99999\n'
    )
    assert errors_of(text) == [
        f"board.toml:6: environments[1].refresh_seconds: {SECONDS_RANGE}",
        "board.toml:7: environments[1].slow_ms: must be from 1 to 86400000 milliseconds (1 day)",
        "board.toml:8: environments[1].tls_warn_days: must be 3650 days or less",
    ]


def test_the_longest_sane_interval_is_accepted() -> None:
    board = parse_board(MINIMAL + "refresh_seconds = 2592000\n", "board.toml")
    assert board.refresh_seconds == 2592000


def test_a_ca_bundle_must_exist_when_the_board_is_read(tmp_path: Path) -> None:
    missing = tmp_path / "company-ca.pem"
    text = ENV + f'url = "https://e"\nca_bundle = "{missing}"\n'
    assert one_error(text) == f"board.toml:6: environments[1].ca_bundle: no such file: {missing}"
    missing.write_text("-----BEGIN CERTIFICATE-----\n")
    assert parse_board(text, "board.toml").environments[0].ca_bundle == str(missing)


@pytest.mark.parametrize("value", ["a\\r\\nX-Injected: 1", "a\\nb", "nul\\u0000"])
def test_a_header_value_may_not_hold_a_line_break(value: str) -> None:
    text = ENV + f'url = "https://e"\nheaders = {{ X-Team = "{value}" }}\n'
    assert one_error(text) == (
        "board.toml:6: environments[1].headers.X-Team: "
        "holds a line break or control character (not allowed in a header)"
    )


def test_an_array_nested_5000_deep_is_one_line(tmp_path: Path) -> None:
    deep = "[" * 5000 + "]" * 5000
    path = tmp_path / "board.toml"
    path.write_text(ENV + f'url = "https://e"\nexpected_status = {deep}\n')
    with pytest.raises(BoardFileError) as caught:
        load_board(path)
    assert caught.value.errors == [
        f"{path}:6: environments[1].expected_status: "
        "is nested too deeply (more than 32 levels of [ ] or { })"
    ]


def test_nesting_that_toml_survives_is_refused_too() -> None:
    deep = "[" * 60 + "]" * 60
    assert one_error(ENV + f'url = "https://e"\nexpected_status = {deep}\n') == (
        "board.toml:6: environments[1].expected_status: "
        "is nested too deeply (more than 32 levels of [ ] or { })"
    )


# -- timeout_seconds (issue 12, point 9) -----------------------------------------------------


def test_timeout_seconds_defaults_to_ten_and_is_per_item() -> None:
    board = parse_board(
        MINIMAL + '[[environments]]\nname = "staging"\nurl = "https://s.example.com/h"\n'
        'timeout_seconds = 2.5\n\n[[environments]]\nname = "prod"\nurl = "https://p.example.com/h"\n'
        '\n[[pipelines]]\nname = "web"\nsource = "cctray"\nurl = "https://ci.example.com/cc.xml"\n'
        "timeout_seconds = 30\n",
        "board.toml",
    )
    assert [e.timeout_seconds for e in board.environments] == [2.5, 10]
    assert board.pipelines[0].timeout_seconds == 30


@pytest.mark.parametrize("value", ["0.5", "301", "1e300"])
def test_timeout_seconds_out_of_range_is_refused_where_it_is_written(value: str) -> None:
    text = MINIMAL + '[[environments]]\nname = "s"\nurl = "https://s.example.com/h"\n'
    text += f"timeout_seconds = {value}\n"
    assert one_error(text) == (
        "board.toml:6: environments[1].timeout_seconds: must be from 1 to 300 seconds"
    )
