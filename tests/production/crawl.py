"""Crawl a running production portal as every role and fail on what production must not do.

Run by `.ci/production` against gunicorn with DEBUG=0 (see README.md, "Production"):

    python tests/production/crawl.py --base http://127.0.0.1:8100

It talks to gunicorn directly but behaves as the TLS-terminating proxy in front of it would: every
request carries `X-Forwarded-Proto: https` and the public origin `https://<host>` is what links and
CSRF checks use. For each role (anonymous, applicant, engineer, supervisor, administrator) it logs
in through the login page, then follows every same-origin link found in pages (`<a href>`,
`<iframe src>`), every URL in the API's JSON answers (and the detail URL of each object a list
returns, and every GET path of the OpenAPI schema filled in with the ids the lists returned: an
application's history, transitions, documents, messages…), and every static file the pages and
stylesheets reference. It fails on:

- any 5xx, or a page that cannot be fetched;
- a broken same-origin link (404 on a URL a page or an API answer links to);
- a static file not served under its hashed name, without compression when the client accepts it
  (for compressible types), or without a far-future Cache-Control;
- an HTML page or API answer without the production security headers;
- the plain-HTTP request not being redirected to HTTPS.

URLs of the same shape (numbers replaced, any query string alike) are visited at most `--per-shape`
times, so the admin's thousands of change pages do not make the run slow. Plain Python, standard
library only. Exit status 0 when everything passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser

# The demo accounts of `manage.py load_demo --demo-accounts` (connection/demo.py, DEMO_ACCOUNTS;
# a test keeps the two lists equal). Public demo passwords: never on a real portal.
ROLES = {
    "anonymous": None,
    "applicant": ("applicant@demo.local", "demo-applicant-2026"),
    "engineer": ("engineer@demo.local", "demo-engineer-2026"),
    "supervisor": ("supervisor@demo.local", "demo-supervisor-2026"),
    "administrator": ("admin@demo.local", "demo-admin-2026"),
}
START_PATHS = {
    "anonymous": ["/", "/api/v1/", "/api/docs/", "/api/redoc/", "/api/schema/", "/healthz"],
    "applicant": ["/", "/applications/", "/api/v1/"],
    "engineer": ["/console/", "/console/dashboard/", "/api/v1/"],
    "supervisor": ["/console/", "/console/dashboard/", "/api/v1/"],
    "administrator": ["/admin/", "/console/", "/api/v1/"],
}
# Reached by POST only or with side effects on GET; a crawler must not follow them.
SKIP_PATHS = re.compile(r"^/(accounts/logout/|i18n/|admin/logout/)|/delete/$")

#: Headers every page and API answer must carry (name → a check on the value).
SECURITY_HEADERS = {
    "Content-Security-Policy": lambda v: (
        "default-src" in v and "'unsafe-inline'" not in _directive(v, "script-src")
    ),
    "Strict-Transport-Security": lambda v: "max-age=" in v,
    "X-Content-Type-Options": lambda v: v.lower() == "nosniff",
    "Referrer-Policy": lambda v: bool(v),
    "X-Frame-Options": lambda v: v.upper() in ("DENY", "SAMEORIGIN"),
    "Cross-Origin-Opener-Policy": lambda v: bool(v),
    "Permissions-Policy": lambda v: "camera=()" in v,
}
HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
# WhiteNoise leaves already-compressed formats alone.
INCOMPRESSIBLE = re.compile(r"\.(png|jpe?g|gif|webp|avif|woff2?|gz|br|zip|ico)$", re.IGNORECASE)
FAR_FUTURE_SECONDS = 30 * 24 * 3600
MIN_PAGES_SEEN = 5
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def _directive(policy: str, name: str) -> str:
    """The value of one CSP directive (script-src falls back to default-src, as browsers do)."""
    directives = {}
    for part in policy.split(";"):
        words = part.strip().split(None, 1)
        if words:
            directives[words[0].lower()] = words[1] if len(words) > 1 else ""
    return directives.get(name, directives.get("default-src", ""))


class LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.pages: list[str] = []
        self.assets: list[str] = []
        self.inputs: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.pages.append(values["href"])
        elif tag in ("iframe", "embed") and values.get("src"):
            self.pages.append(values["src"])
        elif tag == "object" and values.get("data"):
            self.pages.append(values["data"])
        elif tag in ("script", "img") and values.get("src"):
            self.assets.append(values["src"])
        elif (
            tag == "link"
            and values.get("href")
            and (values.get("rel") or "") in ("stylesheet", "icon", "preload")
        ):
            self.assets.append(values["href"])
        elif tag == "input" and values.get("name"):
            self.inputs[values["name"]] = values.get("value") or ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # handled by the crawler, which checks where a redirect goes


class _ProxyCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    """Secure cookies go back over the proxy's plain-HTTP hop, as the proxy forwards them."""

    def return_ok_secure(self, cookie, request):
        return True


@dataclass
class Response:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip()


@dataclass
class Report:
    failures: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)

    def fail(self, message: str) -> None:
        self.failures.append(message)
        print(f"  FAIL {message}", flush=True)


class Client:
    def __init__(self, base: str, public_origin: str) -> None:
        if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
            raise SystemExit(f"--base must be an http(s) URL, not {base!r}")
        self.base = base.rstrip("/")
        self.public_origin = public_origin.rstrip("/")
        self.jar = http.cookiejar.CookieJar(policy=_ProxyCookiePolicy())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(
        self, path: str, *, data: dict | None = None, headers: dict | None = None, https: bool = True
    ) -> Response:
        all_headers = {
            "Accept-Language": "ru",
            "Accept-Encoding": "identity",
            "User-Agent": "portal-production-crawl",
        }
        if https:
            all_headers["X-Forwarded-Proto"] = "https"
        all_headers.update(headers or {})
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        # S310: the base is an http(s) URL (checked in __init__) and the path a same-origin path.
        req = urllib.request.Request(self.base + path, data=body, headers=all_headers)  # noqa: S310
        try:
            with self.opener.open(req, timeout=60) as answer:
                return Response(path, answer.status, _lower(answer.headers), answer.read())
        except urllib.error.HTTPError as error:
            return Response(path, error.code, _lower(error.headers), error.read())

    def local_path(self, url: str, *, relative_to: str) -> str | None:
        """The same-origin path of a link (None for another origin or a non-HTTP link)."""
        absolute = urllib.parse.urljoin(self.public_origin + relative_to, url)
        parts = urllib.parse.urlsplit(absolute)
        if parts.scheme not in ("http", "https"):
            return None
        if f"{parts.scheme}://{parts.netloc}" not in (self.public_origin, self.base):
            return None
        return urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))

    def login(self, email: str, password: str) -> None:
        page = self.request("/accounts/login/")
        parser = LinkParser()
        parser.feed(page.body.decode("utf-8", "replace"))
        token = parser.inputs.get("csrfmiddlewaretoken")
        if page.status != 200 or not token:
            raise SystemExit(f"login page: {page.status}, CSRF token {'found' if token else 'missing'}")
        answer = self.request(
            "/accounts/login/",
            data={"csrfmiddlewaretoken": token, "username": email, "password": password},
            headers={"Origin": self.public_origin, "Referer": self.public_origin + "/accounts/login/"},
        )
        if answer.status != 302:
            raise SystemExit(f"login as {email}: {answer.status}, expected a redirect")


def _lower(headers) -> dict[str, str]:
    return {key.lower(): value for key, value in headers.items()}


def shape(path: str) -> str:
    """Numbers replaced, the query reduced to whether there is one: the admin's many filters and
    objects of one model are one shape."""
    parts = urllib.parse.urlsplit(path)
    return re.sub(r"\d+", "N", parts.path) + ("?…" if parts.query else "")


def json_links(value, *, list_path: str | None = None) -> list[str]:
    """URLs in a JSON answer, and the detail URL of each object of a paginated list."""
    if isinstance(value, dict) and list_path and isinstance(value.get("results"), list):
        details = [
            f"{list_path}{item['id']}/"
            for item in value["results"]
            if isinstance(item, dict) and "id" in item
        ]
        return details + json_links(value)
    if isinstance(value, dict):
        return [link for item in value.values() for link in json_links(item)]
    if isinstance(value, list):
        return [link for item in value for link in json_links(item)]
    if isinstance(value, str) and (value.startswith(("http://", "https://")) or value.startswith("/api/")):
        return [value]
    return []


def check_headers(response: Response, report: Report, role: str) -> None:
    for name, ok in SECURITY_HEADERS.items():
        value = response.headers.get(name.lower())
        if value is None:
            report.fail(f"[{role}] {response.url}: no {name} header")
        elif not ok(value):
            report.fail(f"[{role}] {response.url}: {name} is {value!r}")


def check_static(client: Client, path: str, report: Report, seen: set[str]) -> None:
    if path in seen:
        return
    seen.add(path)
    report.counts["static"] += 1
    name = urllib.parse.urlsplit(path).path
    if not HASHED_NAME.search(name):
        report.fail(f"static {path}: not a hashed name (collectstatic's manifest not used?)")
    answer = client.request(path, headers={"Accept-Encoding": "gzip, br"})
    if answer.status != 200:
        report.fail(f"static {path}: {answer.status}")
        return
    if not INCOMPRESSIBLE.search(name) and answer.headers.get("content-encoding") not in ("gzip", "br"):
        report.fail(
            f"static {path}: not compressed (Content-Encoding {answer.headers.get('content-encoding')})"
        )
    max_age = re.search(r"max-age=(\d+)", answer.headers.get("cache-control", ""))
    if not max_age or int(max_age.group(1)) < FAR_FUTURE_SECONDS:
        report.fail(f"static {path}: Cache-Control {answer.headers.get('cache-control')!r} is not far-future")
    if name.endswith(".css"):
        plain = client.request(path)  # uncompressed, to read the url() references
        for reference in CSS_URL.findall(plain.body.decode("utf-8", "replace")):
            if reference.startswith("data:"):
                continue
            local = client.local_path(reference, relative_to=name)
            if local:
                check_static(client, local, report, seen)


def crawl_role(
    role: str,
    client: Client,
    report: Report,
    *,
    per_shape: int,
    limit: int,
    static_seen: set[str],
    verbose: bool = False,
) -> None:
    queue: deque[tuple[str, str]] = deque((path, "start") for path in START_PATHS[role])
    visited: set[str] = set()
    shapes: Counter = Counter()
    # Objects seen in API lists, by list path: the schema's sub-resources are read for them.
    seen_ids: dict[str, list] = {}
    templates = schema_get_paths(client) if role != "anonymous" else []
    while True:
        _drain(role, client, report, queue, visited, shapes, seen_ids, per_shape, limit, static_seen, verbose)
        queue.extend((path, "the OpenAPI schema") for path in expand_templates(templates, seen_ids, visited))
        if not queue or len(visited) >= limit:
            break
    report.counts[role] = len(visited)
    # A crawl that saw next to nothing (everything redirected or refused) proves nothing.
    if report.statuses[(role, 200)] < MIN_PAGES_SEEN:
        report.fail(f"[{role}] only {report.statuses[(role, 200)]} answers of 200: the crawl saw too little")
    if queue and len(visited) >= limit:
        print(f"  note: [{role}] stopped at the limit of {limit} URLs", flush=True)


def schema_get_paths(client: Client) -> list[str]:
    """The API's GET paths with a parameter (e.g. `/api/v1/connection-requests/{request_pk}/history/`)."""
    answer = client.request("/api/schema/?format=json", headers={"Accept": "application/json"})
    if answer.status != 200:
        return []
    paths = json.loads(answer.body)["paths"]
    return [path for path, operations in paths.items() if "get" in operations and "{" in path]


def expand_templates(templates: list[str], seen_ids: dict[str, list], visited: set[str]) -> list[str]:
    """Each template's first parameter filled with the ids its collection listed, cut before the
    next parameter (that part is then a list whose own ids fill it on the next round)."""
    found = []
    for template in templates:
        prefix, _, rest = template.partition("{")
        rest = rest.split("}", 1)[1]
        rest = rest.split("{", 1)[0].rsplit("/", 1)[0] + "/" if "{" in rest else rest
        for item_id in seen_ids.get(prefix, [])[:2]:
            path = f"{prefix}{item_id}{rest}"
            if path not in visited and path not in found:
                found.append(path)
    return found


def _drain(
    role, client, report, queue, visited, shapes, seen_ids, per_shape, limit, static_seen, verbose
) -> None:
    while queue and len(visited) < limit:
        path, source = queue.popleft()
        if path in visited or SKIP_PATHS.search(urllib.parse.urlsplit(path).path):
            continue
        if path.startswith("/static/"):
            check_static(client, path, report, static_seen)
            continue
        key = shape(path)
        if shapes[key] >= per_shape:
            continue
        shapes[key] += 1
        visited.add(path)
        answer = client.request(path, headers={"Accept": "text/html,application/json;q=0.9,*/*;q=0.8"})
        report.statuses[(role, answer.status)] += 1
        if verbose:
            print(f"   {answer.status} {path}", flush=True)
        if answer.status >= 500:
            report.fail(f"[{role}] {path}: {answer.status} (linked from {source})")
            continue
        if answer.status == 404 and source != "start":
            report.fail(f"[{role}] {path}: 404, a broken link in {source}")
            continue
        if answer.status in (301, 302, 303, 307, 308):
            target = client.local_path(answer.headers.get("location", ""), relative_to=path)
            if target == path:
                report.fail(
                    f"[{role}] {path}: redirects to itself (is the proxy's X-Forwarded-Proto trusted?)"
                )
            elif target:
                queue.append((target, path))
            continue
        if answer.content_type in ("text/html", "application/json"):
            check_headers(answer, report, role)
        if answer.content_type == "text/html":
            parser = LinkParser()
            parser.feed(answer.body.decode("utf-8", "replace"))
            for link in parser.pages:
                local = client.local_path(link, relative_to=path)
                if local:
                    queue.append((local, path))
            for asset in parser.assets:
                local = client.local_path(asset, relative_to=path)
                if local:
                    if local.startswith("/static/"):
                        check_static(client, local, report, static_seen)
                    else:
                        queue.append((local, path))
        elif answer.content_type == "application/json" and path.startswith("/api/"):
            try:
                payload = json.loads(answer.body)
            except ValueError:
                report.fail(f"[{role}] {path}: invalid JSON")
                continue
            list_path = urllib.parse.urlsplit(path).path
            if isinstance(payload, dict) and isinstance(payload.get("results"), list):
                ids = [item["id"] for item in payload["results"] if isinstance(item, dict) and "id" in item]
                seen_ids.setdefault(list_path, []).extend(ids)
            for link in json_links(payload, list_path=list_path):
                local = client.local_path(link, relative_to=path)
                if local and local.startswith("/api/"):
                    queue.append((local, path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8100", help="where gunicorn listens")
    parser.add_argument("--public-origin", help="the origin users see (default: https:// + the base's host)")
    parser.add_argument("--per-shape", type=int, default=3, help="URLs visited per URL shape and role")
    parser.add_argument("--limit", type=int, default=600, help="URLs visited per role at most")
    parser.add_argument("--verbose", action="store_true", help="print every URL visited")
    args = parser.parse_args(argv)
    public_origin = args.public_origin or "https://" + urllib.parse.urlsplit(args.base).netloc
    report = Report()
    static_seen: set[str] = set()

    plain = Client(args.base, public_origin).request("/", https=False)
    if plain.status not in (301, 308) or not plain.headers.get("location", "").startswith("https://"):
        report.fail(
            f"plain HTTP / answered {plain.status} {plain.headers.get('location')!r}, not a redirect to HTTPS"
        )

    for role, credentials in ROLES.items():
        print(f"== {role}", flush=True)
        client = Client(args.base, public_origin)
        if credentials:
            client.login(*credentials)
        crawl_role(
            role,
            client,
            report,
            per_shape=args.per_shape,
            limit=args.limit,
            static_seen=static_seen,
            verbose=args.verbose,
        )
        statuses = {status: count for (who, status), count in sorted(report.statuses.items()) if who == role}
        print(f"   {report.counts[role]} URLs, statuses {statuses}", flush=True)

    print(f"static files checked: {report.counts['static']}")
    if report.failures:
        print(f"FAILED: {len(report.failures)} problem(s)")
        return 1
    print("production crawl: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
