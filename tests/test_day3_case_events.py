"""Day 3 case: what the case teaches to survive, played against the template and the real API.

- An attack through API Gateway: WAF sees API Gateway's addresses, so a per-IP limit alone
  would block every caller when one floods. The template's rules are evaluated here on requests
  as API Gateway forwards them (its parameter mapping applied): each caller is counted alone.
- A hard AZ loss: the private subnets reach S3 through a gateway endpoint (not the NAT instance
  in Public-A), and the API's database connections to a primary that went silent cost a request
  the query timeout, not the pool.
- The guide says where HTTPS ends and what the design survives.
"""

import contextlib
import dataclasses
import ipaddress
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from fintech_app import fintech_api
from node_apis import call
from servers import free_port
from support import logical_id, props, resources, synth

from stacks.guides import GUIDES
from week5.constructs.waf import ProxyHeaders, regional_web_acl
from week5.core.errors import CourseInputError

LAB = "Day3Case"
STACK_ID = (
    "arn:aws:cloudformation:ap-northeast-2:123456789012:stack/week5-Day3Case/"
    "0f6b2a40-cd1e-11f0-9c1a-0a1b2c3d4e5f"
)
#: The headers API Gateway writes (stacks/day3.py's CLIENT_IP_HEADER and ORIGIN_HEADER).
CLIENT_IP_HEADER = "x-week5-client-ip"
ORIGIN_HEADER = "x-week5-origin"
API_GATEWAY_ADDRESS = "3.34.0.10"  # one of API Gateway's addresses: what WAF sees as the source


@pytest.fixture(scope="module")
def lab(app):
    return app.stacks[LAB]


# ---- An attack through API Gateway: WAF's rate rules, evaluated on the template ----


def resolve(value):
    """The few intrinsics the rules and the integration use, with the stack's id above."""
    if isinstance(value, dict):
        ((name, arg),) = value.items()
        if name == "Ref":
            assert arg == "AWS::StackId", arg
            return STACK_ID
        if name == "Fn::Split":
            return resolve(arg[1]).split(arg[0])
        if name == "Fn::Select":
            return resolve(arg[1])[arg[0]]
        raise AssertionError(f"unexpected intrinsic {name}")
    return value


def through_api_gateway(integration, caller, headers):
    """The request as the HTTP API's integration sends it on: its parameter mapping applied."""
    sent = {k.lower(): v for k, v in headers.items()}
    for key, value in (integration.get("RequestParameters") or {}).items():
        action, _, target = key.partition(":header.")
        value = caller if value == "$context.identity.sourceIp" else resolve(value)
        if action == "overwrite":
            sent[target.lower()] = value
        elif action == "append":
            sent[target.lower()] = f"{sent[target.lower()]},{value}" if target.lower() in sent \
                else value
    return API_GATEWAY_ADDRESS, sent


def matches(statement, source, headers):
    if "NotStatement" in statement:
        return not matches(statement["NotStatement"]["Statement"], source, headers)
    byte = statement["ByteMatchStatement"]
    assert byte["PositionalConstraint"] == "EXACTLY"
    assert byte["TextTransformations"] == [{"Priority": 0, "Type": "NONE"}]
    name = byte["FieldToMatch"]["SingleHeader"]["Name"].lower()
    return headers.get(name) == resolve(byte["SearchString"])


def counted_as(rule, source, headers):
    """The key a rate rule counts the request under, or None when the rule does not count it
    (WAF's documented behaviour: the scope-down statement, then the aggregate key; a forwarded
    header's first address, and no count without a valid one under NO_MATCH)."""
    rate = rule["Statement"]["RateBasedStatement"]
    scope = rate.get("ScopeDownStatement")
    if scope is not None and not matches(scope, source, headers):
        return None
    if rate["AggregateKeyType"] == "IP":
        return source
    assert rate["AggregateKeyType"] == "FORWARDED_IP"
    config = rate["ForwardedIPConfig"]
    first = headers.get(config["HeaderName"].lower(), "").split(",")[0].strip()
    try:
        return str(ipaddress.ip_address(first))
    except ValueError:
        assert config["FallbackBehavior"] == "NO_MATCH"
        return None


class WebAcl:
    """The template's rate rules over a stream of requests: which are blocked."""

    def __init__(self, acl):
        self.rules = [r for r in acl["Rules"] if "RateBasedStatement" in r["Statement"]]
        self.counts = {}

    def send(self, source, headers):
        """Counts the request in every rule; True when a rule blocks it (over the limit)."""
        blocked = False
        for rule in self.rules:
            key = counted_as(rule, source, headers)
            if key is None:
                continue
            seen = self.counts[rule["Name"], key] = self.counts.get((rule["Name"], key), 0) + 1
            limit = rule["Statement"]["RateBasedStatement"]["Limit"]
            blocked |= seen > limit and rule["Action"] == {"Block": {}}
        return blocked


@pytest.fixture(scope="module")
def waf(t):
    (acl,) = props(t, "AWS::WAFv2::WebACL")
    (integration,) = props(t, "AWS::ApiGatewayV2::Integration")
    return acl, integration


def test_one_caller_flooding_through_api_gateway_is_blocked_alone(waf):
    acl, integration = waf
    web_acl = WebAcl(acl)
    limit = max(r["Statement"]["RateBasedStatement"]["Limit"] for r in web_acl.rules)
    attacker = [web_acl.send(*through_api_gateway(integration, "198.51.100.7", {}))
                for _ in range(limit + 50)]
    assert attacker[:limit] == [False] * limit and all(attacker[limit:])
    # Another caller of the same API, in the same 5 minutes, through the same API Gateway
    # address: not blocked (a per-IP rule alone counted both as API Gateway).
    assert web_acl.send(*through_api_gateway(integration, "203.0.113.20", {})) is False


def test_a_caller_cannot_choose_the_address_it_is_counted_under(waf):
    acl, integration = waf
    web_acl = WebAcl(acl)
    limit = max(r["Statement"]["RateBasedStatement"]["Limit"] for r in web_acl.rules)
    # Through API Gateway, a forged client-address or token header is overwritten.
    forged = [
        web_acl.send(*through_api_gateway(
            integration, "198.51.100.7",
            {CLIENT_IP_HEADER: f"10.0.{n // 250}.{n % 250}", ORIGIN_HEADER: "guess"},
        ))
        for n in range(limit + 1)
    ]
    assert forged[-1] is True
    # Straight to the ALB without API Gateway's token, the header counts for nothing: the
    # caller is counted by its own address.
    direct = [
        web_acl.send("192.0.2.55", {CLIENT_IP_HEADER: f"10.1.{n // 250}.{n % 250}"})
        for n in range(limit + 1)
    ]
    assert direct[-1] is True
    assert web_acl.send("192.0.2.56", {}) is False


def test_the_token_is_the_stacks_own_and_in_no_source(waf, lab):
    acl, integration = waf
    token = integration["RequestParameters"][f"overwrite:header.{ORIGIN_HEADER}"]
    assert token == {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}
    assert resolve(token) == "0f6b2a40-cd1e-11f0-9c1a-0a1b2c3d4e5f"
    assert integration["RequestParameters"][f"overwrite:header.{CLIENT_IP_HEADER}"] == (
        "$context.identity.sourceIp"
    )
    names = [(r["Name"], r["Priority"]) for r in acl["Rules"]][-2:]
    assert names == [("RatePerIp", 3), ("RatePerForwardedIp", 4)]


# ---- The library's side: the ACL's API for other users ----


def test_a_web_acl_without_a_proxy_counts_every_request_by_its_source(stack):
    regional_web_acl(stack, "Acl", metric_name="Lab")
    (acl,) = props(synth(stack), "AWS::WAFv2::WebACL")
    (rate,) = [r for r in acl["Rules"] if "RateBasedStatement" in r["Statement"]]
    assert rate["Statement"]["RateBasedStatement"] == {"AggregateKeyType": "IP", "Limit": 1000}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"client_ip_header": "x client"}, r"client_ip_header='x client' must be 1 to 64"),
        ({"client_ip_header": "X-Forwarded-For"}, r"client_ip_header='X-Forwarded-For' is a "
                                                   r"header API Gateway reserves"),
        ({"origin_header": "X-Week5-Client-Ip"}, r"both 'X-Week5-Client-Ip'"),
        ({"origin_token": "has space"}, r"origin_token must be 1 to 200 printable"),
        ({"origin_token": 42}, r"origin_token=42 must be a string"),
    ],
    ids=["bad-name", "reserved", "same-header", "bad-token", "not-a-string"],
)
def test_proxy_headers_refuse_what_waf_or_api_gateway_cannot_use(kwargs, message):
    given = {"client_ip_header": "x-week5-client-ip", "origin_header": "x-week5-origin",
             "origin_token": "0f6b2a40", **kwargs}
    with pytest.raises(CourseInputError, match=message):
        ProxyHeaders(**given)


def test_the_web_acl_refuses_a_proxy_that_is_not_proxy_headers(stack):
    with pytest.raises(CourseInputError, match=r"proxy=.* must be a ProxyHeaders"):
        regional_web_acl(stack, "Acl", metric_name="Lab", proxy={"client_ip_header": "x"})


# ---- A hard AZ loss: S3 without the NAT instance ----


def test_the_private_subnets_reach_s3_through_a_gateway_endpoint(t, lab):
    (endpoint_id, endpoint), = resources(t, "AWS::EC2::VPCEndpoint").items()
    p = endpoint["Properties"]
    assert p["VpcEndpointType"] == "Gateway"
    assert p["ServiceName"]["Fn::Join"][1] == ["com.amazonaws.", {"Ref": "AWS::Region"}, ".s3"]
    private = lab.network.private_subnets
    assert len(private) == 2
    assert sorted(r["Ref"] for r in p["RouteTableIds"]) == sorted(
        logical_id(s.node.find_child("RouteTable")) for s in private
    )
    assert endpoint_id == logical_id(lab.s3_endpoint)
    assert {"Key": "Name", "Value": "week5-day3-s3-endpoint"} in p["Tags"]


def test_the_archive_records_do_reach_glacier(t, lab):
    """S3's default since September 2024 moves no object under 128 KB; a record is ~150 bytes."""
    bucket = t["Resources"][logical_id(lab.archive)]["Properties"]["LifecycleConfiguration"]
    assert bucket["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"


# ---- A hard AZ loss: the old primary goes silent under the running API ----


class SilentProxy:
    """Forwards TCP to a server; ``go_silent()`` makes every connection open so far lose its
    packets both ways (no reset, no answer: a primary whose AZ is gone), while new connections
    reach the server (the endpoint's name now gives the new primary)."""

    def __init__(self, host, port):
        self.target = (host, port)
        self.port = free_port()
        self.silent = []
        self._pairs = []
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target, timeout=5)
            server.settimeout(None)
            silent = threading.Event()
            self._pairs.append((client, server, silent))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink, silent),
                                 daemon=True).start()

    @staticmethod
    def _pump(source, sink, silent):
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if not silent.is_set():
                    sink.sendall(data)

    def go_silent(self):
        for _, _, silent in self._pairs:
            silent.set()
        return len(self._pairs)

    def close(self):
        self._listener.close()
        for client, server, _ in self._pairs:
            client.close()
            server.close()


def fresh_database(postgres, name):
    with psycopg.connect(postgres.url, autocommit=True) as connection:
        # WITH (FORCE): the backends of an earlier test's silent connections may linger.
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")


def balance(postgres, database, account):
    url = postgres.url.replace(f"/{postgres.dbname}?", f"/{database}?")
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT balance_krw FROM accounts WHERE id = %s", (account,)
        ).fetchone()[0]


def wait_ready(base, seconds=30):
    deadline = time.monotonic() + seconds
    while call(f"{base}/ready")[0] != 200:
        assert time.monotonic() < deadline, "the API never became ready"
        time.sleep(0.2)


TIMEOUT_MS = 1500  # the test's DB_TIMEOUT_MS; server.js's default is 10 s


def transfer(base):
    return call(f"{base}/transfers", "POST", {"from": "alice", "to": "bob", "amount": 1})[0]


@pytest.fixture
def silent_database(postgres_server, redis_server):
    fresh_database(postgres_server, "fintech_silent")
    proxy = SilentProxy(postgres_server.host, postgres_server.port)
    through = dataclasses.replace(postgres_server, port=proxy.port)
    try:
        with fintech_api(through, redis_server, "fintech_silent",
                         extra_env={"DB_TIMEOUT_MS": str(TIMEOUT_MS)}) as (base, process):
            wait_ready(base)
            yield base, process, proxy
    finally:
        proxy.close()


def test_a_silent_primary_costs_a_request_the_timeout_not_the_pool(silent_database,
                                                                   postgres_server):
    base, process, proxy = silent_database
    start = balance(postgres_server, "fintech_silent", "alice")
    with ThreadPoolExecutor(max_workers=6) as pool:  # the pool opens several connections
        assert list(pool.map(lambda _: transfer(base), range(6))) == [201] * 6
    assert proxy.go_silent() >= 2
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=12) as pool:  # more than the pool's 10 connections
        burst = list(pool.map(lambda _: transfer(base), range(12)))
    took = time.monotonic() - began
    # Each request on a silent connection fails after the timeout; the rest use new ones.
    assert set(burst) <= {201, 503} and 503 in burst, burst
    assert took < 2 * TIMEOUT_MS / 1000 + 3, f"{took:.1f} s"
    # The silent connections were dropped, not returned to the pool: every request now works.
    after = [transfer(base) for _ in range(10)]
    assert after == [201] * 10
    # No request that answered 503 moved money.
    moved = 6 + burst.count(201) + 10
    assert balance(postgres_server, "fintech_silent", "alice") == start - moved
    assert process.poll() is None


def test_idle_database_connections_are_probed(silent_database):
    """TCP keepalive on the pool's connections: an idle connection to a vanished server is
    found by the probes, not at its next query."""
    base, _, proxy = silent_database
    assert transfer(base) == 201
    shown = subprocess.run(
        ["ss", "-tnoH", "state", "established", f"( dport = :{proxy.port} )"],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    assert shown and all("timer:(keepalive" in line for line in shown), shown


# ---- The guide says where HTTPS ends and what each design survives ----


def guide_row(lab_id, title):
    (text,) = [text for step, text in GUIDES[lab_id].steps if step.startswith(title)]
    return text


def test_the_guide_says_where_https_ends_and_what_production_does():
    text = guide_row(LAB, "ALB + API Gateway")
    assert "HTTPS는 API Gateway" in text and "API Gateway → ALB 구간은 HTTP" in text
    assert "ACM 인증서" in text and "VPC 링크" in text


def test_the_guide_says_what_each_rate_rule_counts():
    text = guide_row(LAB, "WAF")
    assert "RatePerForwardedIp" in text and CLIENT_IP_HEADER in text
    assert "RatePerIp" in text and "50" in text


def test_the_guide_says_what_glacier_costs_a_small_record():
    text = guide_row(LAB, "S3")
    assert "varies_by_storage_class" in text and "40 KB" in text


def test_the_guide_says_s3_no_longer_needs_the_nat():
    text = guide_row(LAB, "고가용성")
    assert "게이트웨이 엔드포인트" in text and "아카이브(S3) 쓰기도 실패" not in text


def test_day2_case_guide_says_what_its_design_does_not_survive():
    text = guide_row("Day2Case", "고가용성")
    assert "DB 장애 조치나 Redis 장애가 인스턴스를 교체하지 않습니다" not in text
    for fact in ("MinSize 1", "Multi-AZ가 아니", "force-failover", "AZ-A"):
        assert fact in text, fact
    assert "MinSize 2" in text and "Multi-AZ" in text and "복제본" in text


@pytest.mark.parametrize("value", ["abc", "0", "1.5"])
def test_a_timeout_the_api_cannot_use_stops_it_with_one_line(value, tmp_path):
    """NaN would turn both limits off: the API refuses to start instead."""
    from node_apis import FINTECH_API_DIR, NODE

    ran = subprocess.run(
        [str(NODE), "server.js"], cwd=FINTECH_API_DIR, capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin", "DB_TIMEOUT_MS": value, "PORT": str(free_port())},
        timeout=30,
    )
    assert ran.returncode == 2
    assert ran.stderr.splitlines() == [
        f'DB_TIMEOUT_MS="{value}" must be a whole number of milliseconds above 0, e.g. 10000'
    ]
