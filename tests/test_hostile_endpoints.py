"""An endpoint override (AWS_ENDPOINT_URL) where something other than AWS answers: a web server
on the emulator's port, or a portal page, answering every call with HTTP 200 and HTML; another
answering what is no XML at all. A trial's `week5 status --all`, `status --json`, `cleanup --day
Day1 --all [--apply] [--json]` and `audit Day1Lab2 --json` printed a botocore traceback ending
``KeyError: 'DescribeStacksResult'`` (audit: ``'GetCallerIdentityResult'``), exit 1. Now each is
one line naming the endpoint, its variable and the fix, exit 2, stdout empty.

And every AWS error from `week5 status` and `week5 cleanup` was two lines: the "==> Week5 ..."
heading came before the first call. It now comes once AWS answered."""

from __future__ import annotations

import http.server

import boto3
import pytest
from servers import Canned, serve_in_thread
from support import AWS_VARIABLES, ROOT
from test_aws_errors import Refusing

from week5.cli import main
from week5.operations import aws_errors


class Portal(Canned):
    """Answers every request with HTTP 200 and an HTML page (a web server, a portal)."""

    body = b"<html><head><title>Portal</title></head><body>Welcome</body></html>"
    kind = "text/html"


class Garbage(Canned):
    """Answers every request with HTTP 200 and JSON that does not even parse."""

    body = b'{"hello": [1, 2'
    kind = "application/json"


class Throttling(Canned):
    """Answers every query-protocol call (CloudFormation, STS) with 400 Throttling."""

    status = 400
    body = (b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate "
            b"exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>")  # fmt: skip


def serving(handler):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    serve_in_thread(server)
    return server, f"http://localhost:{server.server_address[1]}"


@pytest.fixture(scope="module", params=[Portal, Garbage], ids=["html-200", "garbage"])
def foreign(request):
    """The URL of an endpoint that answers what is no AWS answer."""
    server, url = serving(request.param)
    yield url
    server.shutdown()


@pytest.fixture
def keys(tmp_path, monkeypatch):
    """Keys in the environment, no profile, no config file: what `week5 local` sets."""
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.chdir(ROOT)  # audit reads the project's cdk.json; --all: no init's student
    return tmp_path


COMMANDS = {
    "status": (["status", "--all"], "DescribeStacks"),
    "status --json": (["status", "--all", "--json"], "DescribeStacks"),
    "cleanup": (["cleanup", "--day", "Day1", "--all"], "DescribeStacks"),
    "cleanup --json": (["cleanup", "--day", "Day1", "--all", "--json"], "DescribeStacks"),
    "cleanup --apply": (["cleanup", "--day", "Day1", "--all", "--apply"], "DescribeStacks"),
    "cleanup --apply --json": (["cleanup", "--day", "Day1", "--all", "--apply", "--json"],
                               "DescribeStacks"),  # fmt: skip
    "audit --json": (["audit", "Day1Lab2", "--student", "kim", "-c", "student=kim", "--json"],
                     "GetCallerIdentity"),  # fmt: skip
}


def run(capsys, argv):
    """(exit code, stdout, stderr) of `week5 ARGV` in this process: a traceback fails here."""
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_foreign_answer_is_one_line_with_the_endpoint_and_exit_2(name, foreign, keys,
                                                                   monkeypatch, capsys):  # fmt: skip
    argv, operation = COMMANDS[name]
    monkeypatch.setenv("AWS_ENDPOINT_URL", foreign)
    code, out, err = run(capsys, argv)
    assert (code, out) == (2, ""), err
    (line,) = err.splitlines()
    assert line.startswith(
        f"week5: the answer of the endpoint {foreign} (AWS_ENDPOINT_URL) to {operation} in "
        "ap-northeast-2 could not be read ("
    ), line
    assert line.endswith(
        "): it is no AWS answer, such as a web page; check that an AWS emulator listens there "
        "(`week5 local --keep` prints its line), or unset AWS_ENDPOINT_URL to reach AWS"
    ), line
    assert "Traceback" not in err and "Further retries" not in line


def test_the_answer_is_bad_input_when_an_endpoint_override_sent_the_call(foreign, keys,
                                                                         monkeypatch):  # fmt: skip
    """AwsInputError: the launchers' preflight stops on it instead of going on to a destroy."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", foreign)
    client = aws_errors.clients(None, "ap-northeast-2")("cloudformation")
    with pytest.raises(aws_errors.AwsInputError):
        with aws_errors.translated(None, "ap-northeast-2"):
            client.list_stacks()


def test_a_parse_fault_from_aws_itself_is_no_input_error(keys):
    """The same fault on AWS's own endpoint (a proxy in between): a plain AwsError, whose line
    names the proxy; not the user's endpoint to fix. The call is stubbed to raise inside
    botocore's parser as the portal's page makes it."""
    client = boto3.client("cloudformation", region_name="ap-northeast-2")

    def parse_fails(**_):
        from botocore.parsers import QueryParser

        QueryParser()._find_result_wrapped_shape("DescribeStacksResult", {})

    client.meta.events.register("before-send", lambda **_: parse_fails())
    with pytest.raises(aws_errors.AwsError) as raised:
        with aws_errors.translated(None, "ap-northeast-2"):
            client.describe_stacks()
    assert type(raised.value) is aws_errors.AwsError
    assert str(raised.value) == (
        "the answer to DescribeStacks in ap-northeast-2 could not be read (KeyError: "
        "'DescribeStacksResult'); run this again, and if it persists check any proxy in "
        "between (HTTPS_PROXY)"
    )


# --- the heading of status and cleanup ----------------------------------------------------------


@pytest.mark.parametrize("handler", [Refusing, Throttling], ids=["denied", "throttled"])
@pytest.mark.parametrize(
    "argv",
    [["status", "--all"], ["status", "--all", "--json"], ["cleanup", "--day", "Day1", "--all"],
     ["cleanup", "--day", "all", "--all", "--json"]],
    ids=lambda a: " ".join(a),
)  # fmt: skip
def test_an_aws_error_of_status_and_cleanup_is_its_one_line_alone(handler, argv, keys,
                                                                  monkeypatch, capsys):  # fmt: skip
    # One attempt: botocore's backoff between retries of a throttled call (up to 5 s a case
    # here) is not what is tested.
    monkeypatch.setattr(aws_errors, "MAX_ATTEMPTS", 1)
    server, url = serving(handler)
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        code, out, err = run(capsys, argv)
    finally:
        server.shutdown()
    assert (code, out) == (2, ""), err
    (line,) = err.splitlines()
    assert line.startswith("week5: AWS refused DescribeStacks in ap-northeast-2: ")


def test_the_heading_comes_once_aws_answered(keys, monkeypatch):
    """Once, after the first call answered with success, not after a refusal; clients made
    later share it."""
    said = []
    server, url = serving(Refusing)
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        make = aws_errors.after_first_answer(aws_errors.clients(None, "ap-northeast-2"),
                                             lambda: said.append("==>"))  # fmt: skip
        with pytest.raises(aws_errors.AwsError):
            with aws_errors.translated(None, "ap-northeast-2"):
                make("cloudformation").describe_stacks()
        assert said == []
    finally:
        server.shutdown()
    server, url = serving(Answering)
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        make = aws_errors.after_first_answer(aws_errors.clients(None, "ap-northeast-2"),
                                             lambda: said.append("==>"))  # fmt: skip
        make("cloudformation").describe_stacks()
        make("cloudformation").describe_stacks()
        assert said == ["==>"]
    finally:
        server.shutdown()


class Answering(Canned):
    """CloudFormation with no stacks."""

    body = (b'<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/'
            b'2010-05-15/"><DescribeStacksResult><Stacks/></DescribeStacksResult>'
            b"<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>"
            b"</DescribeStacksResponse>")  # fmt: skip


def test_a_heading_is_said_once_and_not_before_its_text():
    """cleanup learns its heading's text from a client: an answer before that says nothing, and
    the command's own call after every call failed says it then (status and cleanup share it)."""
    said = []
    heading = aws_errors.Heading(said.append)
    heading()  # the first answer came before the text was known
    heading.text = "==> Week5 Day1 resources"
    heading()
    heading()
    assert said == ["==> Week5 Day1 resources"]
