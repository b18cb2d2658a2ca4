"""One-line AWS errors (issue #15 item 7): status, quotas, rollout, cleanup, audit and prices
refresh, each with no credentials, an unknown profile, a malformed and an unknown region, an
unreachable endpoint and an API refusal: one line naming the cause and the fix, exit 2, never
a traceback."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys

import pytest
from support import AWS_VARIABLES, ROOT, aws_home_without_keys
from servers import Canned, serve_in_thread
from test_quotas import fake_assembly, lab_template

from week5.cli import main
from week5.operations import aws_errors

#: Environment a developer's machine may hold that would change what AWS sees.


class Refusing(http.server.BaseHTTPRequestHandler):
    """Answers every AWS call with 403 AccessDenied in the caller's protocol."""

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0)).decode()
        if self.headers.get("X-Amz-Target"):  # JSON protocol (Service Quotas, tagging)
            payload = json.dumps({"__type": "AccessDeniedException",
                                  "message": "User: arn:aws:iam::111122223333:user/kim is not "
                                  "authorized to perform this action"})  # fmt: skip
            kind = "application/x-amz-json-1.1"
        elif "Version=2016-11-15" in body:  # EC2
            payload = ("<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You "
                       "are not authorized to perform this operation.</Message></Error></Errors>"
                       "<RequestID>1</RequestID></Response>")  # fmt: skip
            kind = "text/xml"
        else:  # query protocol (CloudFormation, STS)
            payload = ("<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                       "<Message>User: arn:aws:iam::111122223333:user/kim is not authorized to "
                       "perform this action</Message></Error><RequestId>1</RequestId>"
                       "</ErrorResponse>")  # fmt: skip
            kind = "text/xml"
        data = payload.encode()
        self.send_response(403)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def refusing_endpoint():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Refusing)
    serve_in_thread(server)
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens


@pytest.fixture
def aws_home(tmp_path, monkeypatch):
    """No AWS variables, and an AWS config with one profile, `week5`, that has no keys."""
    aws_home_without_keys(tmp_path, monkeypatch)
    return tmp_path


def commands(assembly):
    """Each command that talks to AWS, with arguments that reach its first call."""
    return {
        "status": ["status"],
        "quotas": ["quotas", "--students", "kim,lee", "Day1Lab1", "--assembly", str(assembly)],
        "rollout": ["rollout", "--accounts", "111122223333", "-c", "instructor_account=111122223333"],
        "cleanup": ["cleanup", "--day", "Day1"],
        "audit": ["audit", "Day1Lab1", "--assembly", str(assembly)],
    }


PROFILE_COMMANDS = ("status", "quotas", "rollout", "cleanup", "audit")


def one_line(capsys, argv):
    code = main(argv)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if not line.startswith(("==>", "   "))]
    assert code == 2, err
    (line,) = lines
    assert line.startswith("week5: ") and "Traceback" not in err
    return line[len("week5: ") :]


@pytest.fixture
def assembly(tmp_path):
    return fake_assembly(tmp_path / "out", {"Day1Lab1": lab_template("Day1Lab1")})


@pytest.mark.parametrize("name", PROFILE_COMMANDS)
def test_no_credentials(name, aws_home, assembly, capsys):
    line = one_line(capsys, commands(assembly)[name])
    assert line == (
        "no AWS credentials were found; run `aws configure --profile week5` (access keys) or "
        "`aws sso login --profile week5` (IAM Identity Center), then pass --profile week5 or "
        "set AWS_PROFILE=week5"
    )


@pytest.mark.parametrize("name", PROFILE_COMMANDS)
def test_a_profile_without_credentials(name, aws_home, assembly, capsys):
    line = one_line(capsys, [*commands(assembly)[name], "--profile", "week5"])
    assert line == (
        "AWS profile 'week5' has no credentials; run `aws configure --profile week5` (access "
        "keys) or `aws sso login --profile week5` (IAM Identity Center)"
    )


@pytest.mark.parametrize("name", PROFILE_COMMANDS)
def test_unknown_profile(name, aws_home, assembly, capsys):
    line = one_line(capsys, [*commands(assembly)[name], "--profile", "student-kim"])
    assert line == (  # the files botocore read: aws_home's, not ~/.aws
        f"AWS profile 'student-kim' (from --profile) is not in {aws_home / 'config'} "
        f"(AWS_CONFIG_FILE) or {aws_home / 'credentials'} (AWS_SHARED_CREDENTIALS_FILE); pass "
        "one of: week5, or create it with `aws configure --profile student-kim` (or `aws "
        "configure sso`)"
    )


@pytest.mark.parametrize("name", PROFILE_COMMANDS)
@pytest.mark.parametrize("profile", ["", " "])
def test_an_empty_profile_is_named_as_given(name, profile, aws_home, assembly, capsys):
    line = one_line(capsys, [*commands(assembly)[name], "--profile", profile])
    assert line == (
        f"--profile {profile!r} names no profile: pass a profile's name (`aws configure "
        "list-profiles` shows them), or leave --profile out to use the environment's"
    )


@pytest.mark.parametrize("name, example", [
    ("status", "week5 status"), ("cleanup", "week5 cleanup --day Day1"), ("audit", "week5 audit LAB"),
])  # fmt: skip
@pytest.mark.parametrize("student, shown", [
    ("", "''"), ("김민수", "'김민수'"), ("k" * 10_000, repr("k" * 37 + "...")), ("kim-", "'kim-'"),
])  # fmt: skip
def test_a_bad_student_names_the_option_it_came_from(
    name, example, student, shown, aws_home, assembly, capsys
):
    """Before any AWS call; the option as typed (not `-c student`), a huge value cut short."""
    line = one_line(capsys, [*commands(assembly)[name], "--student", student])
    assert line == (
        f"--student {shown} is not a student name: use a lowercase letter first, then "
        "lowercase letters, digits or '-' (no '--', no '-' at the end), at most 20 characters "
        f"(Latin letters: write a Korean name as it is romanized); e.g. {example} --student "
        "kim-minsu"
    )


@pytest.mark.parametrize("name", PROFILE_COMMANDS)
def test_an_endpoint_that_is_not_a_url(name, aws_home, assembly, capsys, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "not-a-url")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    assert one_line(capsys, commands(assembly)[name]) == (
        "the AWS endpoint 'not-a-url' (from AWS_ENDPOINT_URL) is not a URL: set it to one such "
        "as http://localhost:<port> (`week5 local --keep` prints its line), or unset it to "
        "reach AWS"
    )


@pytest.mark.parametrize("name", PROFILE_COMMANDS)
@pytest.mark.parametrize(
    "region, says",
    [
        ("Seoul", "--region 'Seoul' is not an AWS region name; pass one such as --region "
                  "ap-northeast-2"),
        ("ap-northeast-9", "--region 'ap-northeast-9' is not a region AWS has; pass one such as "
                           "--region ap-northeast-2"),
    ],
)  # fmt: skip
def test_bad_region_before_any_call(name, region, says, aws_home, assembly, capsys):
    assert one_line(capsys, [*commands(assembly)[name], "--region", region]) == says


@pytest.mark.parametrize("name", PROFILE_COMMANDS)
def test_unreachable_endpoint(name, aws_home, assembly, capsys, monkeypatch):
    endpoint = f"http://localhost:{closed_port()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # the commands that keep boto3's retries too
    line = one_line(capsys, commands(assembly)[name])
    assert line.startswith(f"cannot reach AWS at {endpoint}")
    assert line.endswith(
        f"AWS_ENDPOINT_URL={endpoint} is set: start what should answer there, or unset it to "
        "reach AWS"
    )


@pytest.mark.parametrize("name", PROFILE_COMMANDS)
def test_api_refusal(name, aws_home, assembly, capsys, monkeypatch, refusing_endpoint):
    monkeypatch.setenv("AWS_ENDPOINT_URL", refusing_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    line = one_line(capsys, commands(assembly)[name])
    assert line.startswith("AWS refused ")
    if name not in ("cleanup", "audit"):  # they call explain(error, profile): no region
        assert " in ap-northeast-2: " in line
    assert ("AccessDenied" in line) or ("UnauthorizedOperation" in line)
    assert "may not call" in line and "use a profile whose role allows it" in line


def test_the_line_for_an_api_refusal():
    from botocore.exceptions import ClientError

    error = ClientError(
        {"Error": {"Code": "AccessDenied", "Message": "User: x is not\nauthorized"}},
        "ListStacks",
    )
    assert aws_errors.describe(error, None, "ap-northeast-2") == (
        "AWS refused ListStacks in ap-northeast-2: AccessDenied: User: x is not authorized; "
        "these credentials may not call ListStacks: use a profile whose role allows it "
        "(--profile NAME), or ask the account's administrator to grant it"
    )
    expired = ClientError({"Error": {"Code": "ExpiredToken", "Message": "expired"}}, "ListStacks")
    assert aws_errors.describe(expired, "week5").endswith(
        "the credentials have expired: run `aws configure --profile week5` (access keys) or "
        "`aws sso login --profile week5` (IAM Identity Center), then run this again"
    )


def test_an_expired_sso_login():
    from botocore.exceptions import SSOTokenLoadError

    line = aws_errors.describe(SSOTokenLoadError(error_msg="Token for x does not exist"), "week5")
    assert line.startswith("the AWS SSO login of profile 'week5' has expired or was never made")
    assert line.endswith("run `aws sso login --profile week5`, then this again")


def test_prices_refresh_from_an_unreachable_price_list(monkeypatch, capsys):
    """The default URL (no --offer-url) out of reach: one line, exit 2, the table unchanged."""
    import urllib.error

    from week5.operations import price_refresh

    def unreachable(_template, timeout=300):
        def fetch(_service):
            raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

        return fetch

    monkeypatch.setattr(price_refresh, "url_fetcher", unreachable)
    line = one_line(capsys, ["prices", "refresh", "--dry-run"])
    assert line.startswith("the AWS Price List bulk API (https://pricing.us-east-1.amazonaws.com/")
    assert "could not be read: no offer file could be read" in line
    assert "check the network and any proxy (HTTPS_PROXY), or pass --offer-url" in line


def test_not_an_aws_error_is_not_swallowed():
    assert aws_errors.describe(ValueError("x")) is None
    with pytest.raises(ValueError):
        with aws_errors.translated():
            raise ValueError("a bug shows as one")


def test_through_the_real_command_line(aws_home):
    """As a user runs it: a new process, no credentials: one line on stderr, exit 2."""
    env = {k: v for k, v in os.environ.items() if k not in AWS_VARIABLES}
    result = subprocess.run(
        [sys.executable, "-m", "week5", "status", "--profile", "nope"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    lines = [x for x in result.stderr.splitlines() if not x.startswith(("==>", "   "))]
    assert lines == [
        f"week5: AWS profile 'nope' (from --profile) is not in {aws_home / 'config'} "
        f"(AWS_CONFIG_FILE) or {aws_home / 'credentials'} (AWS_SHARED_CREDENTIALS_FILE); pass "
        "one of: week5, or create it with `aws configure --profile nope` (or `aws configure "
        "sso`)"
    ]
    assert result.stdout == ""


def test_a_server_error_is_not_called_a_refusal(monkeypatch):
    from botocore.exceptions import ClientError

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # AWS's own 500: it passes
    error = ClientError(
        {"Error": {"Code": "500", "Message": "<!doctype html><title>500</title>"},
         "ResponseMetadata": {"HTTPStatusCode": 500}},
        "GetServiceQuota",
    )  # fmt: skip
    assert aws_errors.describe(error, None, "ap-northeast-2") == (
        "AWS failed GetServiceQuota in ap-northeast-2 with a server error (HTTP 500); wait a "
        "minute, then run this again"
    )


#: What botocore raises when moto's server lacks an action (moto 5.2.5, ListResourcesForWebACL
#: on `moto_server`): its NotImplementedError becomes Flask's bare 500 page, retried.
MOTO_LACKS = {
    "Error": {
        "Code": "500",
        "Message": "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
        "<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was "
        "unable to complete your request. Either the server is overloaded or there is an error "
        "in the application.</p>\n",
    },
    "ResponseMetadata": {"HTTPStatusCode": 500, "MaxAttemptsReached": True, "RetryAttempts": 2},
}
#: LocalStack's answer for a call it lacks.
LOCALSTACK_LACKS = {
    "Error": {
        "Code": "InternalFailure",
        "Message": "API for service 'wafv2' not yet implemented or pro feature - please check "
        "https://docs.localstack.cloud/references/coverage/ for further information",
    },
    "ResponseMetadata": {"HTTPStatusCode": 501},
}
LACKS_FIX = (
    "waiting will not help: use an emulator that implements it, or unset AWS_ENDPOINT_URL to "
    "run this against AWS"
)


def test_a_call_an_emulator_lacks_names_the_endpoint_and_the_call(monkeypatch):
    """Not "wait a minute, then run this again": an emulator's gap does not pass."""
    from botocore.exceptions import ClientError

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:5055")
    moto = ClientError(MOTO_LACKS, "ListResourcesForWebACL")
    line = aws_errors.describe(moto, None, "ap-northeast-2")
    assert line == (
        "the endpoint http://localhost:5055 (AWS_ENDPOINT_URL) failed ListResourcesForWebACL "
        "with HTTP 500, as moto does for a call it does not implement or fails on (its log says "
        "which); "
        + LACKS_FIX
    )
    assert aws_errors.unsupported(moto) == line
    # A REST path moto's server has no route for (CloudFront's ListDistributionsByWebACLId)
    unrouted = ClientError(
        {"Error": {"Code": "404", "Message": "Not Found"},
         "ResponseMetadata": {"HTTPStatusCode": 404}},
        "ListDistributionsByWebACLId",
    )  # fmt: skip
    assert aws_errors.describe(unrouted) == (
        "the endpoint http://localhost:5055 (AWS_ENDPOINT_URL) failed "
        "ListDistributionsByWebACLId with HTTP 404, as moto does for a call it does not "
        "implement or fails on; " + LACKS_FIX
    )
    localstack = ClientError(LOCALSTACK_LACKS, "ListResourcesForWebACL")
    assert aws_errors.describe(localstack) == (
        "the endpoint http://localhost:5055 (AWS_ENDPOINT_URL) does not implement "
        "ListResourcesForWebACL (InternalFailure: API for service 'wafv2' not yet implemented "
        "or pro feature - please check https://docs.localstack.cloud/references/coverage/ for "
        "further information); " + LACKS_FIX
    )


def test_what_an_endpoint_can_do_is_not_called_lacking(monkeypatch):
    from botocore.exceptions import ClientError

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:5055")
    refused = ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "ListStacks")
    throttled = ClientError(
        {"Error": {"Code": "Throttling", "Message": "Rate exceeded"},
         "ResponseMetadata": {"HTTPStatusCode": 400}},
        "ListStacks",
    )  # fmt: skip
    assert aws_errors.unsupported(refused) is None
    assert aws_errors.unsupported(throttled) is None
    assert aws_errors.unsupported(ValueError("x")) is None
    assert "wait a minute" in aws_errors.describe(throttled)
    missing = ClientError(
        {"Error": {"Code": "404", "Message": "Not Found"},
         "ResponseMetadata": {"HTTPStatusCode": 404}},
        "HeadBucket",
    )  # fmt: skip
    assert aws_errors.unsupported(missing) is None  # a HEAD has no error document on AWS either
    assert "server error" not in aws_errors.describe(missing)  # and a 404 is none
    # An emulator's named 5xx is an outage (LocalStack's InternalError, SlowDown): waiting helps.
    for code, status in (("InternalError", 500), ("ServiceUnavailable", 503), ("SlowDown", 503)):
        outage = ClientError(
            {"Error": {"Code": code, "Message": "please retry"},
             "ResponseMetadata": {"HTTPStatusCode": status}},
            "ListStacks",
        )  # fmt: skip
        assert aws_errors.unsupported(outage) is None, code
        assert "wait a minute" in aws_errors.describe(outage), code
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    assert aws_errors.unsupported(ClientError(MOTO_LACKS, "ListStacks")) is None  # AWS's 500
    # AWS's own wording about a parameter is no missing call.
    feature = ClientError(
        {"Error": {"Code": "InvalidParameterValue",
                   "Message": "Feature X is not implemented for this instance type"},
         "ResponseMetadata": {"HTTPStatusCode": 400}},
        "RunInstances",
    )  # fmt: skip
    assert aws_errors.unsupported(feature) is None
    assert aws_errors.describe(feature).startswith("AWS refused RunInstances")


class Lacking(Canned):
    """Answers every call as moto's server answers one it lacks: a bare HTML 500 page."""

    status = 500
    kind = "text/html; charset=utf-8"
    body = MOTO_LACKS["Error"]["Message"].encode()


@pytest.mark.parametrize("variable", ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_CLOUDFORMATION"])
def test_an_endpoint_that_lacks_the_call_through_the_command(
    aws_home, capsys, monkeypatch, variable
):
    """What botocore makes of that page, through `week5 status`: one line naming the
    endpoint the call went to, its variable (a service's own, which botocore reads first, as
    such: it blamed AWS_ENDPOINT_URL) and the call, exit 2, no advice to wait."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Lacking)
    serve_in_thread(server)
    try:
        endpoint = f"http://localhost:{server.server_address[1]}"
        monkeypatch.setenv(variable, endpoint)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        line = one_line(capsys, ["status"])
    finally:
        server.shutdown()
    # CloudFormation's answers are XML: botocore cannot parse the page (ResponseParserError,
    # no BotoCoreError, and it does not name the call); moto's server answers so for an EC2 or
    # CloudFormation action it lacks.
    assert line == (
        f"the endpoint {endpoint} ({variable}) failed DescribeStacks with HTTP 500, as "
        "moto does for a call it does not implement or fails on (its log says which); "
        + LACKS_FIX.replace("AWS_ENDPOINT_URL", variable)
    )


@pytest.mark.parametrize("name", ["status", "cleanup"])
def test_a_bad_profile_is_refused_before_any_progress_line(name, aws_home, assembly, capsys):
    """Nothing was looked at, so nothing says it is looking."""
    assert main([*commands(assembly)[name], "--profile", ""]) == 2
    assert "==>" not in capsys.readouterr().err


@pytest.mark.parametrize("name", ["kim\n", " kim", "\u202ekim", "k" * 100])
def test_a_profile_name_that_cannot_be_typed_is_not_pasted_into_the_fix(name):
    """Its line break split the message in two; a space or a direction mark made a command that
    does not work."""
    import botocore.exceptions as bx

    line = aws_errors.describe(bx.ProfileNotFound(profile=name), profile=name)
    assert "\n" not in line and "`aws configure --profile <name>`" in line


# --- a key AWS does not know, in a region the account may not have enabled ------------------

KEY_FIX = (
    "the access key is wrong, deactivated or deleted: run `aws configure --profile week5` "
    "(access keys) or `aws sso login --profile week5` (IAM Identity Center)"
)


def opt_in_line(region: str, code: str = "InvalidClientTokenId") -> str:
    operation = "GetCallerIdentity"
    message = "The security token included in the request is invalid."
    return (
        f"AWS refused {operation} in {region}: {code}: {message}; the key may be fine: {region} "
        "is an opt-in region, and AWS answers so in one the account has not enabled: enable it "
        f"(console: Account → AWS Regions, or `aws account enable-region --region-name {region}`;"
        " it can take minutes to hours), or pass --region ap-northeast-2; if it is enabled, "
        + KEY_FIX
    )


@pytest.mark.parametrize("region, code", [
    ("me-central-1", "InvalidClientTokenId"), ("ap-east-1", "UnrecognizedClientException"),
    ("af-south-1", "AuthFailure"),
])  # fmt: skip
def test_a_key_refused_in_an_opt_in_region_may_be_the_region(region, code, monkeypatch):
    """A trial: `--region me-central-1`, not enabled for the account, was called a wrong access
    key: the key may be fine."""
    from botocore.exceptions import ClientError

    for variable in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    message = "The security token included in the request is invalid."
    error = ClientError({"Error": {"Code": code, "Message": message}}, "GetCallerIdentity")
    assert aws_errors.describe(error, None, region) == opt_in_line(region, code=code)


def test_a_key_refused_in_a_default_region_is_the_key(monkeypatch):
    from botocore.exceptions import ClientError

    for variable in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    error = ClientError({"Error": {"Code": "InvalidClientTokenId", "Message": "bad"}}, "Get")
    for region in ("ap-northeast-2", "us-east-1", "ap-northeast-3", None):
        line = aws_errors.describe(error, None, region)
        assert line.endswith(f"InvalidClientTokenId: bad; {KEY_FIX}") and "opt-in" not in line
    china = aws_errors.describe(error, None, "cn-north-1")
    assert china.endswith(
        "bad; the key may be fine: cn-north-1 is in AWS China, whose accounts and keys are "
        "separate, so another partition's key is refused there: pass --region ap-northeast-2, or "
        f"use a profile of an AWS China account; if it is one, {KEY_FIX}"
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:4566")  # an emulator: no regions
    assert aws_errors.describe(error, None, "me-central-1").endswith(f"bad; {KEY_FIX}")
    expired = ClientError({"Error": {"Code": "ExpiredToken", "Message": "x"}}, "Get")
    assert "opt-in" not in aws_errors.describe(expired, None, "me-central-1")


class UnknownKey(Canned):
    """STS as a region the account has not enabled answers: 403 InvalidClientTokenId."""

    status = 403
    body = (b"<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>"
            b"<Message>The security token included in the request is invalid.</Message>"
            b"</Error><RequestId>1</RequestId></ErrorResponse>")  # fmt: skip


def test_an_opt_in_region_through_the_command(aws_home, assembly, capsys, monkeypatch):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), UnknownKey)
    serve_in_thread(server)
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", f"http://localhost:{server.server_address[1]}")
        monkeypatch.setenv("AWS_PROFILE", "week5")
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        argv = commands(assembly)["quotas"]
        assert one_line(capsys, argv + ["--region", "me-central-1"]) == opt_in_line("me-central-1")
        assert one_line(capsys, argv).endswith(f"is invalid.; {KEY_FIX}")  # ap-northeast-2
    finally:
        server.shutdown()


# --- a SOCKS proxy, which botocore cannot use ------------------------------------------------

PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy")


def socks_line(value: str, variable: str = "HTTPS_PROXY") -> str:
    return (
        f"the proxy {value!r} (from {variable}) is a {value.split(':')[0]}:// proxy, and botocore "
        "(boto3, which these tools call AWS with) supports only http:// and https:// proxies: set "
        f"{variable} to an HTTP proxy such as http://proxy.example:3128, or unset it where no "
        "proxy is needed"
    )


@pytest.mark.parametrize("variable, value", [
    ("HTTPS_PROXY", "socks5://127.0.0.1:1080"), ("https_proxy", "socks5h://proxy.example:1080"),
    ("HTTPS_PROXY", "socks4://10.0.0.1:1080"),
])  # fmt: skip
def test_a_socks_proxy_is_one_line_before_any_call(variable, value, aws_home, assembly, capsys,
                                                   monkeypatch):  # fmt: skip
    """A trial: HTTPS_PROXY=socks5://host:1080 was "cannot reach the proxy
    http://socks5://host:1080" (botocore prefixes http:// to what it cannot read)."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, value)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    for name in ("status", "quotas"):
        assert one_line(capsys, commands(assembly)[name]) == socks_line(value, variable)


def test_only_the_proxy_botocore_would_use_counts(aws_home, monkeypatch):
    """HTTP_PROXY serves http:// URLs (none on AWS); NO_PROXY passes an emulator by; the CDK
    CLI, which takes SOCKS, is the launchers' preflight's: a note there, not a refusal
    (AwsError, not AwsInputError)."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "socks5://127.0.0.1:1080")
    assert aws_errors.botocore_proxy_problem() is None  # AWS is https://
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:4566")
    assert aws_errors.botocore_proxy_problem() == socks_line("socks5://127.0.0.1:1080",
                                                             "HTTP_PROXY")  # fmt: skip
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")  # AWS over https again
    assert aws_errors.botocore_proxy_problem() is None
    monkeypatch.setenv("HTTPS_PROXY", "socks5://127.0.0.1:1080")
    assert aws_errors.botocore_proxy_problem() == socks_line("socks5://127.0.0.1:1080")
    monkeypatch.delenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
    monkeypatch.delenv("HTTPS_PROXY")
    monkeypatch.setenv("NO_PROXY", "localhost")
    assert aws_errors.botocore_proxy_problem() is None
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert aws_errors.botocore_proxy_problem() is None
    monkeypatch.setenv("HTTPS_PROXY", "socks5://127.0.0.1:1080")
    with pytest.raises(aws_errors.AwsError) as raised:
        aws_errors.session(None, "ap-northeast-2")
    assert not isinstance(raised.value, aws_errors.AwsInputError)
    assert aws_errors.configuration_problem() is None  # the CDK CLI's to take


def test_a_socks_proxy_botocore_failed_on_is_named_so():
    from botocore.exceptions import ProxyConnectionError

    error = ProxyConnectionError(proxy_url="http://socks5://127.0.0.1:1080", error="refused")
    assert aws_errors.describe(error, None, "ap-northeast-2") == (
        "cannot use the proxy 'socks5://127.0.0.1:1080': botocore (boto3) supports only http:// "
        "and https:// proxies; set HTTPS_PROXY to an HTTP proxy such as "
        "http://proxy.example:3128, or unset it where no proxy is needed"
    )


# A hostile trial's findings (4 to 7): each names the input and the fix, exit 2.

LONG_LABEL = "a" * 64


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "HTTP_PROXY"])
@pytest.mark.parametrize(
    "value, fault",
    [
        ("http://😀:3128", "its host name '😀' is not a valid internationalized (IDNA) name"),
        ("😀", "its host name '😀' is not a valid internationalized (IDNA) name"),
        (f"http://{LONG_LABEL}.example:3128", "a label of its host name (a part between dots) "
                                              "is empty or longer than 63 characters"),
        ("http://" + "a" * 100_000, "a label of its host name (a part between dots) is empty "
                                    "or longer than 63 characters"),
        ("http://proxy..example:3128", "a label of its host name (a part between dots) is empty "
                                       "or longer than 63 characters"),
    ],
    ids=["emoji", "emoji-no-scheme", "64-label", "100k", "empty-label"],
)  # fmt: skip
def test_a_proxy_host_no_connection_can_be_made_to_is_named(variable, value, fault):
    """urllib3 failed on these at the first call ("Failed to parse: Name '😀' is not a valid
    IDNA label"), and the line named neither the proxy nor the fix."""
    line = aws_errors.configuration_problem({variable: value})
    assert line == (
        f"the proxy {aws_errors.shown(value, 80)} (from {variable}) is not a URL ({fault}): set "
        "it to one such as http://proxy.example:3128, or unset it where no proxy is needed"
    )


@pytest.mark.parametrize(
    "value", ["http://proxy.example:3128", "http://ü.example:3128", "http://[::1]:3128",
              "http://proxy.example.:3128", "proxy.example:3128"],
)  # fmt: skip
def test_a_proxy_host_urllib3_connects_to_passes(value):
    assert aws_errors.configuration_problem({"HTTPS_PROXY": value}) is None


def test_an_endpoint_host_no_connection_can_be_made_to_is_named():
    for value in ("http://😀:4566", f"http://{LONG_LABEL}.example:4566", "http://.example:4566"):
        line = aws_errors.configuration_problem({"AWS_ENDPOINT_URL_EC2": value})
        assert line is not None and line.startswith(
            f"the AWS endpoint {aws_errors.shown(value, 80)} (from AWS_ENDPOINT_URL_EC2) is not a "
            "URL (")
        assert line.endswith("or unset it to reach AWS")


@pytest.mark.parametrize(
    "environ",
    [{"HTTPS_PROXY": "http://😀:3128"},
     {"HTTP_PROXY": "http://😀:3128", "AWS_ENDPOINT_URL": "http://localhost:{port}"}],
)  # fmt: skip
def test_a_proxy_host_through_the_command(environ, aws_home, capsys, monkeypatch):
    port = closed_port()
    for variable, value in environ.items():
        monkeypatch.setenv(variable, value.format(port=port))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFAKE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake")
    (variable,) = [v for v in environ if v.endswith("PROXY")]
    assert one_line(capsys, ["status", "--json"]) == (
        f"the proxy 'http://😀:3128' (from {variable}) is not a URL (its host name '😀' is not a "
        "valid internationalized (IDNA) name): set it to one such as http://proxy.example:3128, "
        "or unset it where no proxy is needed"
    )


@pytest.mark.parametrize(
    "variable, value, shown",
    [("HTTPS_PROXY", " socks5://x", "' socks5://x'"),
     ("HTTP_PROXY", "http://proxy.example:3128\t", "'http://proxy.example:3128\\t'"),
     ("AWS_ENDPOINT_URL", "http://localhost:47391 ", "'http://localhost:47391 '"),
     ("AWS_ENDPOINT_URL_EC2", " http://localhost:47391", "' http://localhost:47391'")],
)  # fmt: skip
def test_the_quoted_value_shows_the_space_it_is_refused_for(variable, value, shown):
    line = aws_errors.configuration_problem({variable: value})
    assert f" {shown} (from {variable}) is not a URL (it holds a space or a control character)" in (
        line or ""
    )


def failed_call(service, method, code, status, **session):
    """The error a real botocore client raises for ``method`` answered with ``code`` (a
    Stubber: no request is sent), its traceback through botocore's call as in a command."""
    import boto3
    from botocore.exceptions import ClientError
    from botocore.stub import Stubber

    client = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                           region_name="ap-northeast-2", **session).client(service)  # fmt: skip
    with Stubber(client) as stub:
        stub.add_client_error(method, code, "no", http_status_code=status)
        try:
            getattr(client, method)()
        except ClientError as error:
            return client, error
    raise AssertionError("the stubbed call did not fail")


def lacks_line(endpoint, source, undo, operation="DescribeInstances"):
    return (
        f"the endpoint {endpoint} ({source}) does not implement {operation} (NotImplemented: "
        f"no); waiting will not help: use an emulator that implements it, or {undo} to run this "
        "against AWS"
    )


@pytest.mark.parametrize("global_endpoint", ["http://localhost:47391", None])
def test_the_endpoint_named_is_the_one_the_call_went_to(global_endpoint, aws_home, monkeypatch):
    """AWS_ENDPOINT_URL_EC2 is botocore's endpoint for EC2, before AWS_ENDPOINT_URL: the line
    named AWS_ENDPOINT_URL (or, without it, "AWS in ap-northeast-2 does not implement")."""
    if global_endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL", global_endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL_EC2", "http://localhost:47397")
    client, error = failed_call("ec2", "describe_instances", "NotImplemented", 501)
    assert client.meta.endpoint_url == "http://localhost:47397"
    variable = "AWS_ENDPOINT_URL_EC2"
    line = lacks_line("http://localhost:47397", variable, f"unset {variable}")
    assert aws_errors.describe(error, None, "ap-northeast-2") == line
    assert aws_errors.unsupported(error, "ap-northeast-2") == line
    if global_endpoint:  # the other services' calls go to AWS_ENDPOINT_URL's
        _, error = failed_call("cloudformation", "describe_stacks", "NotImplemented", 501)
        assert aws_errors.describe(error) == lacks_line(
            global_endpoint, "AWS_ENDPOINT_URL", "unset AWS_ENDPOINT_URL", "DescribeStacks")


def test_a_server_error_of_an_endpoint_names_it(aws_home, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_EC2", "http://localhost:47395")
    _, error = failed_call("ec2", "describe_volumes", "InternalError", 500)
    assert aws_errors.describe(error, None, "ap-northeast-2") == (
        "the endpoint http://localhost:47395 (AWS_ENDPOINT_URL_EC2) failed DescribeVolumes in "
        "ap-northeast-2 with a server error (HTTP 500); wait a minute, then run this again"
    )


def test_the_config_files_endpoint_is_named_as_such(aws_home):
    (aws_home / "config").write_text("[profile emu]\nendpoint_url = http://localhost:4999\n")
    _, error = failed_call("ec2", "describe_instances", "NotImplemented", 501, profile_name="emu")
    config = f"{aws_home / 'config'} (AWS_CONFIG_FILE)"
    assert aws_errors.describe(error) == lacks_line(
        "http://localhost:4999", f"endpoint_url in {config}", f"remove endpoint_url from {config}")


def test_ignored_endpoints_are_not_blamed(aws_home, monkeypatch):
    """AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true: botocore calls AWS, whatever the endpoint
    variables say."""
    from botocore.exceptions import ClientError, EndpointConnectionError

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:47391")
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    client, error = failed_call("ec2", "describe_instances", "NotImplemented", 501)
    assert client.meta.endpoint_url == "https://ec2.ap-northeast-2.amazonaws.com"
    assert aws_errors.describe(error, None, "ap-northeast-2") == (
        "AWS in ap-northeast-2 does not implement DescribeInstances as called (NotImplemented: "
        "no); waiting will not help: check that the region offers it, or fix what the message "
        "names"
    )
    # An error built by hand has no call to read the endpoint of: AWS_ENDPOINT_URL is ignored.
    lacking = ClientError(
        {"Error": {"Code": "NotImplemented", "Message": "no"},
         "ResponseMetadata": {"HTTPStatusCode": 501}},
        "DescribeStacks",
    )  # fmt: skip
    assert aws_errors.unsupported(lacking, "ap-northeast-2").startswith("AWS in ap-northeast-2")
    unreachable = EndpointConnectionError(
        endpoint_url="https://cloudformation.ap-northeast-2.amazonaws.com/")
    assert aws_errors.describe(unreachable, None, "ap-northeast-2") == (
        "cannot reach AWS at https://cloudformation.ap-northeast-2.amazonaws.com/; check the "
        "network and any proxy (HTTPS_PROXY), and that --region ap-northeast-2 is the one you "
        "mean"
    )


def test_a_config_file_that_does_not_parse_is_named(aws_home, capsys):
    (aws_home / "config").write_text("[default\nregion = ap-northeast-2\n")
    assert one_line(capsys, ["status"]) == (
        f"the AWS file {str(aws_home / 'config')!r} (AWS_CONFIG_FILE) cannot be parsed: line 1, "
        "'[default', is under no [section] line (its closing ] is missing); fix that line "
        "(sections are lines such as [default] or [profile NAME], settings `key = value` lines "
        "under them), or point AWS_CONFIG_FILE at another file"
    )
    (aws_home / "config").write_text("[profile week5]\nregion = ap-northeast-2\n")
    (aws_home / "credentials").write_text("[week5]\naws_access_key_id\n")
    assert one_line(capsys, ["status", "--profile", "week5"]).startswith(
        f"the AWS file {str(aws_home / 'credentials')!r} (AWS_SHARED_CREDENTIALS_FILE) cannot be "
        "parsed: line 2, 'aws_access_key_id', is no `key = value` line; fix that line"
    )


@pytest.mark.parametrize(
    "variable, says",
    [("AWS_DEFAULTS_MODE", "AWS_DEFAULTS_MODE='bogus' is not a defaults mode botocore takes: "
                           "set it to one of legacy, auto, standard, in-region, cross-region, "
                           "mobile, or unset AWS_DEFAULTS_MODE"),
     ("AWS_REQUEST_CHECKSUM_CALCULATION",
      "AWS_REQUEST_CHECKSUM_CALCULATION='bogus' is not a value botocore takes for "
      "request_checksum_calculation: set it to when_supported or when_required, or unset "
      "AWS_REQUEST_CHECKSUM_CALCULATION"),
     ("AWS_RESPONSE_CHECKSUM_VALIDATION",
      "AWS_RESPONSE_CHECKSUM_VALIDATION='bogus' is not a value botocore takes for "
      "response_checksum_validation: set it to when_supported or when_required, or unset "
      "AWS_RESPONSE_CHECKSUM_VALIDATION"),
     ("AWS_ACCOUNT_ID_ENDPOINT_MODE",
      "AWS_ACCOUNT_ID_ENDPOINT_MODE='bogus' is not a value botocore takes: set it to preferred "
      "or disabled or required, or unset AWS_ACCOUNT_ID_ENDPOINT_MODE")],
)  # fmt: skip
def test_a_setting_botocore_refuses_is_named_with_its_values(variable, says, aws_home, capsys,
                                                             monkeypatch):  # fmt: skip
    monkeypatch.setenv(variable, "bogus")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    assert one_line(capsys, ["status"]) == says


def test_a_setting_of_the_config_file_is_named_there(aws_home, capsys, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULTS_MODE", raising=False)
    (aws_home / "config").write_text("[profile week5]\ndefaults_mode = bogus\n")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    assert one_line(capsys, ["status", "--profile", "week5"]) == (
        f"defaults_mode in {aws_home / 'config'} (AWS_CONFIG_FILE) is not a defaults mode "
        "botocore takes: set it to one of legacy, auto, standard, in-region, cross-region, "
        "mobile, or remove it"
    )


def test_a_source_profile_loop_names_the_profile(aws_home, capsys):
    (aws_home / "config").write_text(
        "[profile loop]\nrole_arn = arn:aws:iam::111122223333:role/x\nsource_profile = loop\n")
    assert one_line(capsys, ["status", "--profile", "loop"]) == (
        f"AWS profile 'loop' in {aws_home / 'config'} (AWS_CONFIG_FILE) takes its credentials "
        "from a source_profile chain that comes back to itself (loop -> loop); set "
        "source_profile to a profile that holds keys (aws_access_key_id and "
        "aws_secret_access_key), or add them to profile 'loop'"
    )


def test_a_failed_credential_process_names_the_config_file_in_use(aws_home, capsys):
    (aws_home / "config").write_text("[profile proc]\ncredential_process = /bin/false\n")
    line = one_line(capsys, ["status", "--profile", "proc"])
    assert line.startswith("AWS credentials could not be read (")
    assert f"check the profile's role or credential_process in {aws_home / 'config'} " in line
    assert "~/.aws/config" not in line
