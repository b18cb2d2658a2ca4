"""A lab's web pages served on localhost as the lab serves them, for the browser tests.

The nginx page of the user data (``week5.constructs.userdata.web_page``) is made by the lines of
the synthesized boot script themselves: bash runs them against a stand-in instance metadata
service that answers as IMDSv2 does (a token first), so the page names the stand-in instance,
its AZ and its private address; a file server then serves the folder as nginx serves
/usr/share/nginx/html. What AWS runs and this machine cannot is a stand-in that does only what
the page depends on: an ALB takes turns among its targets, CloudFront sends each path to its
origin (and, where a page reads it, sets ``X-Cache`` as CloudFront does), a private S3 origin
refuses a missing key with 403. The demo apps are the project's own modules, served in a thread.
"""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import http.client
import ipaddress
import itertools
import re
import subprocess
import threading
import time
from dataclasses import dataclass
from http.server import (
    BaseHTTPRequestHandler,
    SimpleHTTPRequestHandler,
    ThreadingHTTPServer,
)
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from boot_scripts import flat
from browser import watched
from servers import running
from support import instance_subnet, resources

#: The lines of ``web_page`` that fetch the metadata and write the page (not dnf or systemctl).
_PAGE_LINES = re.compile(r"^TOKEN=\$\(curl .*?^EOF$", re.M | re.S)
IMDS = "http://169.254.169.254"
NGINX_DOCROOT = "/usr/share/nginx/html/"
#: Request headers a proxy does not pass on (hop-by-hop), and the length it sets itself.
_NOT_FORWARDED = {"connection", "keep-alive", "transfer-encoding", "upgrade", "content-length"}


@dataclass(frozen=True)
class Instance:
    """What the metadata service tells one instance about itself."""

    instance_id: str
    az: str
    private_ip: str

    def metadata(self) -> Dict[str, str]:
        return {
            "instance-id": self.instance_id,
            "placement/availability-zone": self.az,
            "local-ipv4": self.private_ip,
        }


def stand_in_instances(
    template: Dict[str, Any], subnets: Sequence[str], first: int
) -> List[Instance]:
    """One instance in each of ``subnets`` (logical ids), in the subnet's AZ, at its 10th
    address; ids count up from ``first`` so every page in the guides is the same each run."""
    found = []
    for number, subnet_id in enumerate(subnets, start=first):
        subnet = template["Resources"][subnet_id]["Properties"]
        address = ipaddress.ip_network(subnet["CidrBlock"])[10]
        found.append(
            Instance(f"i-0a1b2c3d4e5f6{number:04d}", subnet["AvailabilityZone"], str(address))
        )
    return found


def instance_user_data(template: Dict[str, Any], logical_id: str) -> str:
    return flat(template["Resources"][logical_id]["Properties"]["UserData"])


def instances_serving_the_page(template: Dict[str, Any]) -> Dict[str, str]:
    """The lab's instances whose boot script writes the nginx page: logical id → subnet id."""
    return {
        logical_id: instance_subnet(r["Properties"])
        for logical_id, r in resources(template, "AWS::EC2::Instance").items()
        if serves_the_nginx_page(instance_user_data(template, logical_id))
    }


def auto_scaling_groups(template: Dict[str, Any]) -> List[Tuple[str, List[str]]]:
    """Each Auto Scaling group's boot script (its launch template's user data) and its
    subnets' logical ids."""
    found = []
    for group in resources(template, "AWS::AutoScaling::AutoScalingGroup").values():
        properties = group["Properties"]
        launch_template = properties["LaunchTemplate"]["LaunchTemplateId"]["Ref"]
        data = template["Resources"][launch_template]["Properties"]["LaunchTemplateData"]
        subnets = [subnet["Ref"] for subnet in properties["VPCZoneIdentifier"]]
        found.append((flat(data["UserData"]), subnets))
    return found


def serves_the_nginx_page(user_data: str) -> bool:
    return bool(_PAGE_LINES.search(user_data))


# ---- servers ----


def stand_in_imds(instance: Instance) -> ThreadingHTTPServer:
    """The instance metadata service as IMDSv2 answers (the launch templates require v2): a
    token for a PUT with a TTL header, then values only for requests that carry it."""
    token = f"stand-in-token-{instance.instance_id}"
    values = instance.metadata()

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:  # noqa: N802 (http.server's name)
            if self.path != "/latest/api/token" or not self.headers.get(
                "X-aws-ec2-metadata-token-ttl-seconds"
            ):
                return self._send(400, "")
            self._send(200, token)

        def do_GET(self) -> None:  # noqa: N802
            if self.headers.get("X-aws-ec2-metadata-token") != token:
                return self._send(401, "")
            value = values.get(self.path.removeprefix("/latest/meta-data/"))
            if value is None:
                return self._send(404, "")
            self._send(200, value)

        def _send(self, status: int, text: str) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


def write_nginx_page(user_data: str, instance: Instance, docroot: Path) -> Path:
    """Run the boot script's page lines as the instance would, with its metadata from a
    stand-in IMDS and nginx's docroot moved to ``docroot``; returns the page written."""
    match = _PAGE_LINES.search(user_data)
    assert match, "the boot script writes no nginx page (web_page's lines are missing)"
    docroot.mkdir(parents=True, exist_ok=True)
    with running(stand_in_imds(instance)) as imds:
        script = match.group(0).replace(IMDS, imds).replace(NGINX_DOCROOT, f"{docroot}/")
        subprocess.run(["bash", "-euo", "pipefail", "-c", script], check=True, timeout=30)
    return docroot / "index.html"


def _forward(upstream: str, handler: BaseHTTPRequestHandler, body: Optional[bytes]) -> None:
    """Send the handler's request to ``upstream`` (a base URL) and its answer back."""
    parts = urlsplit(upstream)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in _NOT_FORWARDED}
        connection.request(handler.command, handler.path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    handler.send_response(response.status)
    for name, value in response.getheaders():
        if name.lower() not in _NOT_FORWARDED:
            handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(data)


class _Site(SimpleHTTPRequestHandler):
    """Files from a folder (nginx's docroot, an S3 bucket), some paths passed to an upstream."""

    protocol_version = "HTTP/1.1"
    #: path → upstream base URL for the paths another server answers, else None.
    route: Callable[[str], Optional[str]] = staticmethod(lambda path: None)
    #: path → headers the edge adds to the answer (CloudFront's X-Cache).
    edge_headers: Callable[[str], Dict[str, str]] = staticmethod(lambda path: {})
    #: What a missing file answers: 404 (nginx, an S3 website), 403 (a private bucket via OAC).
    missing_status = 404

    def do_GET(self) -> None:  # noqa: N802
        self._serve()

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve()

    def do_POST(self) -> None:  # noqa: N802
        self._serve()

    # CloudFront's ALLOW_ALL behaviours and the ALB pass every method (Ghost's admin saves with PUT).
    do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_POST

    def _serve(self) -> None:
        upstream = self.route(self.path)
        if upstream is not None:
            length = int(self.headers.get("Content-Length") or 0)
            return _forward(upstream, self, self.rfile.read(length) if length else None)
        if self.command == "POST":
            return self.send_error(405)
        # nginx answers 304 only to the exact Last-Modified it sent (if_modified_since exact);
        # http.server to any later date, which would let one instance's page stand for another's.
        del self.headers["If-Modified-Since"]
        if self.command == "HEAD":
            return super().do_HEAD()
        return super().do_GET()

    def send_error(self, code: int, message=None, explain=None) -> None:
        super().send_error(self.missing_status if code == 404 else code, message, explain)

    def end_headers(self) -> None:
        for name, value in self.edge_headers(self.path.split("?", 1)[0]).items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, *args) -> None:
        pass


def site(
    docroot: Optional[Path],
    *,
    route: Callable[[str], Optional[str]] = lambda path: None,
    edge_headers: Callable[[str], Dict[str, str]] = lambda path: {},
    missing_status: int = 404,
) -> ThreadingHTTPServer:
    """A server for ``docroot``'s files and the paths ``route`` sends elsewhere."""
    handler = type(
        "Site",
        (_Site,),
        {
            "route": staticmethod(route),
            "edge_headers": staticmethod(edge_headers),
            "missing_status": missing_status,
        },
    )
    folder = str(docroot) if docroot is not None else "/nonexistent"
    return ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=folder))


def load_balancer(targets: Sequence[str]) -> ThreadingHTTPServer:
    """An ALB stand-in: each request goes to the next target in turn (round robin)."""
    turns = itertools.cycle(targets)
    lock = threading.Lock()

    def next_target(path: str) -> str:
        with lock:
            return next(turns)

    return site(None, route=next_target)


def by_prefix(behaviors: Dict[str, str]) -> Callable[[str], Optional[str]]:
    """CloudFront's behaviours: the first path prefix that matches sends the request to its
    origin; other paths are the default origin's (the bucket, served as files)."""

    def route(path: str) -> Optional[str]:
        return next((url for prefix, url in behaviors.items() if path.startswith(prefix)), None)

    return route


def cloudfront_behaviors(
    template: Dict[str, Any], origins: Dict[str, str]
) -> Callable[[str], Optional[str]]:
    """A distribution's cache behaviours as the template has them, in their order: the first
    pattern a path matches (``*`` and ``?`` as CloudFront reads them) sends it to the URL that
    stands for its origin's resource in ``origins`` (logical id -> URL; an origin group goes
    where its members do); a path no pattern takes, or one whose origin is not in ``origins``,
    is the default origin's (the bucket, served as files)."""
    (config,) = [
        r["Properties"]["DistributionConfig"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::CloudFront::Distribution"
    ]

    def resource_of(origin: Dict[str, Any]) -> str:
        return origin["DomainName"]["Fn::GetAtt"][0]

    targets = {o["Id"]: origins.get(resource_of(o)) for o in config["Origins"]}
    for group in config.get("OriginGroups", {}).get("Items", []):
        members = [targets[m["OriginId"]] for m in group["Members"]["Items"]]
        targets[group["Id"]] = next((url for url in members if url), None)
    behaviors = [(b["PathPattern"], targets[b["TargetOriginId"]]) for b in config["CacheBehaviors"]]

    def route(path: str) -> Optional[str]:
        path = path.split("?", 1)[0]
        return next((url for pattern, url in behaviors if fnmatch.fnmatchcase(path, pattern)), None)

    return route


class CloudFrontCache:
    """``X-Cache`` as CloudFront sets it for a cached object: a miss the first time an edge is
    asked for a path, a hit after that (GET and HEAD share the cached copy)."""

    def __init__(self) -> None:
        self._seen: set = set()
        self._lock = threading.Lock()

    def __call__(self, path: str) -> Dict[str, str]:
        with self._lock:
            hit = path in self._seen
            self._seen.add(path)
        return {"X-Cache": "Hit from cloudfront" if hit else "Miss from cloudfront"}


class Stopwatch:
    """A stand-in for ``time`` in an app that shows how long something took: each pair of
    readings (start, end) is the next of ``intervals`` seconds apart, so the page shows the
    same figures every run; ``time()`` is the real wall clock."""

    def __init__(self, intervals: Sequence[float]) -> None:
        self._intervals = list(intervals)
        self._readings = 0
        self._now = 1000.0
        self._lock = threading.Lock()
        self.time = time.time

    def _read(self) -> float:
        with self._lock:
            self._readings += 1
            if self._readings % 2 == 0:
                if not self._intervals:
                    raise AssertionError("the app timed more than the test expected")
                self._now += self._intervals.pop(0)
            return self._now

    perf_counter = monotonic = _read

    @property
    def unused(self) -> List[float]:
        return list(self._intervals)


@contextlib.contextmanager
def watched_apart_from_favicon(page) -> Iterator[Tuple[Any, List[str]]]:
    """``watched(page)``, and apart from it the console errors of Chromium's own request for
    /favicon.ico (made for a page that names no icon, and for every JSON answer): yields the
    console and those errors. ``without`` takes them out of the console's problems."""
    favicon: List[str] = []

    def on_console(message) -> None:
        if message.type == "error" and urlsplit(message.location.get("url", "")).path == (
            "/favicon.ico"
        ):
            favicon.append(f"console error: {message.text}")

    with watched(page) as console:
        page.on("console", on_console)
        yield console, favicon


def without(problems: Sequence[str], favicon: Sequence[str]) -> List[str]:
    """``problems`` less one of each of the favicon's errors."""
    left = list(problems)
    for line in favicon:
        left.remove(line)
    return left
