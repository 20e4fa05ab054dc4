"""Turn a URL a user copied from the browser into a source's settings.

People find their pipeline in the browser, not in API docs. This module accepts the pages
they are likely to copy and says in words what it needs when a URL is not one of them:

- GitHub Actions: the workflow page `https://github.com/OWNER/REPO/actions/workflows/FILE`
  (optionally `?query=branch%3Amain`, or its `badge.svg?branch=main`), on github.com or on a
  GitHub Enterprise Server host (API at `https://HOST/api/v3`); API URLs are accepted too.
- GitLab: the project page `https://gitlab.com/GROUP/…/PROJECT`, or any page under it
  (`/-/pipelines?ref=main`, `/-/pipelines/123`, `.git` clone URLs); API at `/api/v4`.
- Jenkins: a job page `https://HOST/[PREFIX/]job/FOLDER/job/APP/`, trimmed of build numbers,
  views and page names; Blue Ocean pipeline pages are translated.
- cctray feeds and health endpoints are used as given (they only need to be http(s)).
- Trackers: a GitHub repository page, a GitLab project page, a Jira issue, board or project
  page, a webhook's address.

`source_values()` and `tracker_values()` say which board-file keys a URL fills; `releasable
probe` and the board editor's fields both use them.

Only the standard library is imported: the `probe` command must start fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, quote, unquote, urlsplit, urlunsplit


class SourceUrlError(ValueError):
    """A URL that is not one of the pages a source understands; the message says which."""


@dataclass(frozen=True)
class GitHubTarget:
    api_url: str
    repo: str  # OWNER/REPO
    workflow: str  # file name (deploy.yml) or numeric id
    branch: str | None = None  # None: the URL did not say


@dataclass(frozen=True)
class GitLabTarget:
    api_url: str
    project: str  # path (group/sub/project) or numeric id
    ref: str | None = None  # None: the URL did not say


GITHUB_HOSTS = frozenset({"github.com", "www.github.com", "api.github.com"})
GITHUB_API = "https://api.github.com"
GITLAB_API_PATH = "/api/v4"

# First path segments on a GitLab host that are not groups or users.
_GITLAB_RESERVED = frozenset(
    {"-", "api", "dashboard", "explore", "groups", "help", "projects", "search", "users"}
)


def _split_web(url: str, what: str) -> tuple[str, str, str, str]:
    """(scheme, host, path, query) of an http(s) URL, or a SourceUrlError."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SourceUrlError(f"{what} must be an http:// or https:// address, not {text!r}")
    return parts.scheme, parts.netloc, parts.path, parts.query


def _segments(path: str) -> list[str]:
    return [seg for seg in path.split("/") if seg]


def parse_github_url(url: str) -> GitHubTarget:
    """A GitHub Actions workflow page (or its API URL) → API URL, repo, workflow, branch."""
    scheme, host, path, query = _split_web(url, "a GitHub Actions URL")
    segs = [unquote(seg) for seg in _segments(path)]
    bare_host = host.lower().split("@")[-1]
    # GitHub Enterprise Server: the REST API lives under /api/v3 on the same host.
    api_url = GITHUB_API if bare_host in GITHUB_HOSTS else f"{scheme}://{host}/api/v3"
    if segs[:2] == ["api", "v3"]:
        segs = segs[2:]
    if segs[:1] == ["repos"]:  # an API URL: /repos/OWNER/REPO/actions/workflows/ID[/runs]
        segs = segs[1:]
    hint = (
        "copy the workflow's page, like https://github.com/OWNER/REPO/actions/workflows/"
        "deploy.yml (open Actions, then click the workflow's name on the left)"
    )
    if len(segs) < 2:
        raise SourceUrlError(f"not a GitHub repository address: {url.strip()} — {hint}")
    owner, repo, rest = segs[0], segs[1], segs[2:]
    if rest[:2] == ["actions", "runs"]:
        raise SourceUrlError(f"that is the page of one run, not of a workflow — {hint}")
    if rest[:2] != ["actions", "workflows"] or len(rest) < 3:
        raise SourceUrlError(f"not a workflow's page: {url.strip()} — {hint}")
    workflow = rest[2]
    params = parse_qs(query)
    branch = _first(params.get("branch"))
    for search in params.get("query", []):  # the Actions page filter: "branch:main event:push"
        for term in search.split():
            key, _, value = term.partition(":")
            if key == "branch" and value:
                branch = value
    return GitHubTarget(api_url=api_url, repo=f"{owner}/{repo}", workflow=workflow, branch=branch)


def parse_gitlab_url(url: str, *, api_url: str | None = None) -> GitLabTarget:
    """A GitLab project page (or a page under it) → API URL, project path, ref.

    GitLab may live under a path (`https://example.com/gitlab/`); pass the API URL
    (`https://example.com/gitlab/api/v4`) so that prefix is not taken for a group.
    """
    scheme, host, path, query = _split_web(url, "a GitLab URL")
    prefix = ""
    if api_url:
        api_path = urlsplit(api_url.strip()).path.rstrip("/")
        if api_path.endswith(GITLAB_API_PATH):
            prefix = api_path[: -len(GITLAB_API_PATH)]
    if prefix and (path == prefix or path.startswith(prefix + "/")):
        path = path[len(prefix) :]
    hint = "copy the project's page, like https://gitlab.com/GROUP/PROJECT"
    segs = _segments(path)
    if segs[:2] == ["api", "v4"] and len(segs) >= 4 and segs[2] == "projects":
        project = unquote(segs[3])  # an API URL: /api/v4/projects/acme%2Fmobile/…
    else:
        if "-" in segs:
            segs = segs[: segs.index("-")]
        if segs and segs[-1].endswith(".git"):
            segs[-1] = segs[-1][: -len(".git")]
        if not segs or segs[0] in _GITLAB_RESERVED:
            raise SourceUrlError(f"not a GitLab project address: {url.strip()} — {hint}")
        if len(segs) < 2:
            raise SourceUrlError(f"{url.strip()} is a group or a user, not a project — {hint}")
        project = "/".join(unquote(seg) for seg in segs)
    ref = _first(parse_qs(query).get("ref"))
    api = api_url.rstrip("/") if api_url else f"{scheme}://{host}{prefix}{GITLAB_API_PATH}"
    return GitLabTarget(api_url=api, project=project, ref=ref)


def parse_jenkins_url(url: str) -> str:
    """A Jenkins job page → the job's address, `https://HOST/[PREFIX/]job/A/job/B/`."""
    scheme, host, path, _ = _split_web(url, "a Jenkins URL")
    raw = _segments(path)
    hint = "copy the job's page, like https://jenkins.example.com/job/FOLDER/job/APP/"
    if "blue" in raw and "organizations" in raw:
        return _from_blue_ocean(scheme, host, raw, hint)
    if "job" not in raw:
        raise SourceUrlError(f"not a Jenkins job address: {url.strip()} — {hint}")
    start = min(raw.index(seg) for seg in ("job", "view") if seg in raw)
    prefix, rest = raw[:start], raw[start:]
    jobs: list[str] = []
    i = 0
    while i < len(rest):
        if rest[i] == "job" and i + 1 < len(rest):
            jobs.append(rest[i + 1])
            i += 2
        elif rest[i] == "view" and i + 1 < len(rest):
            i += 2  # views are only a way of browsing; the job's address does not need them
        else:
            break  # a build number, lastBuild, console, api/json, …: the job ends here
    if not jobs:
        raise SourceUrlError(f"not a Jenkins job address: {url.strip()} — {hint}")
    return _jenkins_job(scheme, host, prefix, jobs)


def _from_blue_ocean(scheme: str, host: str, raw: list[str], hint: str) -> str:
    """/blue/organizations/jenkins/FOLDER%2FAPP/detail/BRANCH/12/pipeline → job URL."""
    i = raw.index("blue")
    prefix, rest = raw[:i], raw[i:]
    if len(rest) < 4 or rest[1] != "organizations":
        raise SourceUrlError(f"not a Blue Ocean pipeline page — {hint}")
    jobs = [quote(part, safe="") for part in unquote(rest[3]).split("/") if part]
    if not jobs:
        raise SourceUrlError(f"not a Blue Ocean pipeline page — {hint}")
    if len(rest) >= 6 and rest[4] == "detail" and unquote(rest[5]) != unquote(jobs[-1]):
        jobs.append(rest[5])  # a multibranch pipeline's branch (already encoded)
    return _jenkins_job(scheme, host, prefix, jobs)


def _jenkins_job(scheme: str, host: str, prefix: list[str], jobs: list[str]) -> str:
    path = "/".join([*prefix, *(f"job/{name}" for name in jobs)])
    return urlunsplit((scheme, host, f"/{path}/", "", ""))


def parse_plain_url(url: str, what: str = "the URL") -> str:
    """A cctray feed or health endpoint: used as given, once it is an http(s) address."""
    _split_web(url, what)
    return url.strip()


def source_values(kind: str, url: str, *, api_url: str | None = None) -> dict[str, str]:
    """The board-file keys a browser URL fills for a source of `kind` (`github-actions`,
    `gitlab`, `jenkins`, `cctray`, or `health` for an environment).

    `releasable probe` and the board editor's source fields both read URLs through this.
    Raises `SourceUrlError` saying what to copy instead.
    """
    if kind == "github-actions":
        github = parse_github_url(url)
        values = {
            "api_url": (api_url or github.api_url).rstrip("/"),
            "repo": github.repo,
            "workflow": github.workflow,
        }
        if github.branch:
            values["branch"] = github.branch
        return values
    if kind == "gitlab":
        gitlab = parse_gitlab_url(url, api_url=api_url)
        values = {"api_url": gitlab.api_url, "project": gitlab.project}
        if gitlab.ref:
            values["ref"] = gitlab.ref
        return values
    if kind == "jenkins":
        return {"url": parse_jenkins_url(url)}
    if kind == "cctray":
        return {"url": parse_plain_url(url, "a cctray feed URL")}
    if kind == "health":
        return {"url": parse_plain_url(url, "a health check URL")}
    raise SourceUrlError(f"no browser URL is read for {kind!r}")


def tracker_values(kind: str, url: str) -> dict[str, str]:
    """The `[tracker]` keys a browser URL fills: a GitHub repository page (its issues page
    too), a GitLab project page, a Jira issue, board or project page, a webhook's address."""
    if kind == "github":
        scheme, host, path, _ = _split_web(url, "a GitHub repository URL")
        segs = [unquote(seg) for seg in _segments(path)]
        bare = host.lower().split("@")[-1]
        api = GITHUB_API if bare in GITHUB_HOSTS else f"{scheme}://{host}/api/v3"
        if segs[:2] == ["api", "v3"]:
            segs = segs[2:]
        if segs[:1] == ["repos"]:
            segs = segs[1:]
        if len(segs) < 2:
            raise SourceUrlError(
                f"not a GitHub repository address: {url.strip()} — copy the repository's "
                "page, like https://github.com/OWNER/REPO"
            )
        repo = segs[1].removesuffix(".git")
        return {"api_url": api, "repo": f"{segs[0]}/{repo}"}
    if kind == "gitlab":
        gitlab = parse_gitlab_url(url)
        return {"api_url": gitlab.api_url, "project": gitlab.project}
    if kind == "jira":
        return _jira_values(url)
    if kind == "webhook":
        return {"url": parse_plain_url(url, "the webhook's URL")}
    raise SourceUrlError(f"no browser URL is read for tracker kind {kind!r}")


def _jira_values(url: str) -> dict[str, str]:
    """https://acme.atlassian.net/browse/PLAT-12, …/jira/software/projects/PLAT/boards/1,
    …/projects/PLAT → the site's address and the project key."""
    scheme, host, path, query = _split_web(url, "a Jira URL")
    segs = _segments(path)
    key = None
    base = segs
    for marker in ("browse", "projects"):
        if marker in segs:
            at = segs.index(marker)
            if at + 1 < len(segs):
                key = segs[at + 1].split("-")[0] if marker == "browse" else segs[at + 1]
                base = segs[:at]
                break
    if key is None:
        key = _first(parse_qs(query).get("projectKey"))
    if not key:
        raise SourceUrlError(
            f"not a Jira project or issue address: {url.strip()} — copy an issue's page, "
            "like https://acme.atlassian.net/browse/PLAT-12"
        )
    if base[-2:] == ["jira", "software"]:  # Jira Cloud's software project pages
        base = base[:-2]
    prefix = "/".join(base)
    return {
        "url": urlunsplit((scheme, host, f"/{prefix}" if prefix else "", "", "")),
        "project_key": key.upper(),
    }


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None


__all__ = [
    "GitHubTarget",
    "GitLabTarget",
    "SourceUrlError",
    "parse_github_url",
    "parse_gitlab_url",
    "parse_jenkins_url",
    "parse_plain_url",
    "source_values",
    "tracker_values",
]
