"""AWS settings no call can be made with (a hostile-input trial): an endpoint whose port is out
of range, an unclosed IPv6 bracket, an ftp:// endpoint, a proxy that does not parse, an
AWS_STS_REGIONAL_ENDPOINTS botocore refuses. `week5 status` printed a 76-line traceback
(`ValueError: Port out of range 0-65535`, exit 1) in every AWS command; the launchers noted the
problem, went on, and the CDK CLI synthesized for 17-24 s before "Unable to resolve AWS account
to use", exit 1. Each is now one line naming the setting and the fix, exit 2, before anything
runs; synth and ls, which call no AWS, still run."""

from __future__ import annotations

import json

import pytest
from test_aws_errors import PROFILE_COMMANDS, aws_home, assembly, commands, one_line  # noqa: F401
from test_launcher_input import WRAPPERS, closed_port, instructor_preflight, offline_env, week5
from test_preflight import bad_input, fake_project, launch

from week5.cli import preflight as preflight_cli
from week5.operations import aws_errors

FIX = ("set it to one such as http://localhost:<port> (`week5 local --keep` prints its line), "
       "or unset it to reach AWS")  # fmt: skip
PROXY_FIX = "set it to one such as http://proxy.example:3128, or unset it where no proxy is needed"
PORT = "its port is not a number from 1 to 65535"

#: (variable, value, the line) for each setting the trial found.
BAD = [
    ("AWS_ENDPOINT_URL", "http://127.0.0.1:99999",
     f"the AWS endpoint 'http://127.0.0.1:99999' (from AWS_ENDPOINT_URL) is not a URL ({PORT}): "
     f"{FIX}"),
    ("AWS_ENDPOINT_URL_CLOUDFORMATION", "http://127.0.0.1:99999",
     "the AWS endpoint 'http://127.0.0.1:99999' (from AWS_ENDPOINT_URL_CLOUDFORMATION) is not a "
     f"URL ({PORT}): {FIX}"),
    ("AWS_ENDPOINT_URL", "http://[::1",
     "the AWS endpoint 'http://[::1' (from AWS_ENDPOINT_URL) is not a URL (it does not parse: "
     f"Invalid IPv6 URL): {FIX}"),
    ("AWS_ENDPOINT_URL", "ftp://127.0.0.1:21",
     "the AWS endpoint 'ftp://127.0.0.1:21' (from AWS_ENDPOINT_URL) is not a URL (its scheme is "
     f"ftp, where AWS takes http or https): {FIX}"),
    ("HTTPS_PROXY", "not a url",
     "the proxy 'not a url' (from HTTPS_PROXY) is not a URL (it holds a space or a control "
     f"character): {PROXY_FIX}"),
    ("AWS_STS_REGIONAL_ENDPOINTS", "bogus",
     "AWS_STS_REGIONAL_ENDPOINTS='bogus' is not one botocore takes: set it to regional (or "
     "legacy), or unset it"),
    # a re-trial: a 53-line ValueError traceback (int('x')); the launchers deployed on
    ("AWS_METADATA_SERVICE_TIMEOUT", "x",
     "AWS_METADATA_SERVICE_TIMEOUT='x' is not a whole number: set it to one such as 1, or unset "
     "it"),
    ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "2.5",
     "AWS_METADATA_SERVICE_NUM_ATTEMPTS='2.5' is not a whole number: set it to one such as 1, "
     "or unset it"),
]  # fmt: skip
BAD_IDS = ["port", "cloudformation's port", "ipv6", "ftp", "proxy", "sts", "metadata timeout",
           "metadata attempts"]  # fmt: skip
ENDPOINTS = [case for case in BAD if case[0].startswith("AWS_ENDPOINT_URL")]
ENDPOINT_IDS = BAD_IDS[:4]


def bad_env(env, variable, value):
    """``env`` with ``variable`` set; a service's own endpoint beside a general one that refuses
    at once, so that no other service's call goes to AWS (as the trial's machine had none)."""
    env = {**env, variable: value}
    if variable.startswith("AWS_ENDPOINT_URL_"):
        env["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{closed_port()}"
    return env


@pytest.fixture
def keys(aws_home, monkeypatch):  # noqa: F811
    """Keys in the environment (the trial's), and no proxy or endpoint of the developer's."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY",
                 "AWS_STS_REGIONAL_ENDPOINTS", "AWS_ENDPOINT_URL_CLOUDFORMATION",
                 "AWS_METADATA_SERVICE_TIMEOUT", "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
                 "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return aws_home


# --- week5's AWS commands --------------------------------------------------------------------


@pytest.mark.parametrize("name", [*PROFILE_COMMANDS, "rollout --dry-run"])
@pytest.mark.parametrize("variable, value, says", ENDPOINTS, ids=ENDPOINT_IDS)
def test_every_aws_command_names_the_endpoint(name, variable, value, says, keys, assembly,  # noqa: F811
                                              capsys, monkeypatch):  # fmt: skip
    """A 76-line traceback, exit 1 (ftp://: "an AWS call failed ... check the profile")."""
    for key, setting in bad_env({}, variable, value).items():
        monkeypatch.setenv(key, setting)
    argv = commands(assembly)[name.split()[0]] + name.split()[1:]
    assert one_line(capsys, argv) == says


@pytest.mark.parametrize("variable, value, says", BAD[4:], ids=BAD_IDS[4:])
def test_a_proxy_or_sts_setting_is_named_with_its_fix(variable, value, says, keys, assembly,  # noqa: F811
                                                      capsys, monkeypatch):  # fmt: skip
    """It was "an AWS call failed ...: An HTTP Client raised an unhandled exception: Failed to
    parse ...; check the profile, the region and the network": none of those is the fix."""
    monkeypatch.setenv(variable, value)
    assert one_line(capsys, commands(assembly)["status"]) == says


def test_through_the_real_command_line(tmp_path):
    env = offline_env(tmp_path, "http://127.0.0.1:99999")
    result = week5(["status", "--json"], env)
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    assert result.stderr.splitlines() == [f"week5: {BAD[0][2]}"]


def test_an_endpoint_url_in_the_config_file_is_one_line_too(keys, capsys, monkeypatch):
    """The environment's are checked before; the profile's reached urllib at the first call."""
    config = keys / "config"
    config.write_text("[profile p]\nregion = ap-northeast-2\naws_access_key_id = testing\n"
                      "aws_secret_access_key = testing\nendpoint_url = http://127.0.0.1:99999\n")
    assert one_line(capsys, ["status", "--profile", "p"]) == (
        f"an AWS endpoint_url in the profile's configuration ({config} (AWS_CONFIG_FILE)) is not "
        "a URL (Port out of range 0-65535): set it to one such as http://localhost:<port>, or "
        "remove it to reach AWS"
    )


def test_what_is_a_url_passes_and_what_is_not_is_named():
    good = {
        "AWS_ENDPOINT_URL": "http://localhost:4566",
        "AWS_ENDPOINT_URL_S3": "http://[::1]:4566/",
        "AWS_ENDPOINT_URL_STS": "",  # empty: botocore and the CDK CLI ignore it
        "HTTPS_PROXY": "proxy.example:3128",  # botocore reads it as http://
        "https_proxy": "socks5://127.0.0.1:1080",  # the CDK CLI's to take
        "HTTP_PROXY": "http://user:p%40ss@proxy.example:8080",
        "AWS_STS_REGIONAL_ENDPOINTS": "regional",
    }
    assert aws_errors.configuration_problem(good) is None
    for variable, value, fault in [
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:0", PORT),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:abc", PORT),
        ("AWS_ENDPOINT_URL_EC2", "http://:80", "it names no host"),
        ("AWS_ENDPOINT_URL", "http://local host:4566", "it holds a space or a control character"),
    ]:
        line = aws_errors.configuration_problem({**good, variable: value})
        assert line == f"the AWS endpoint {value!r} (from {variable}) is not a URL ({fault}): {FIX}"
    for value, fault in [("http://", "it names no host"), (":3128", "it names no host"),
                         ("http://proxy:99999", PORT)]:  # fmt: skip
        line = aws_errors.configuration_problem({**good, "HTTP_PROXY": value})
        assert line == f"the proxy {value!r} (from HTTP_PROXY) is not a URL ({fault}): {PROXY_FIX}"
    ignored = {**good, "AWS_ENDPOINT_URL": "http://[::1",
               "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}  # fmt: skip
    assert aws_errors.configuration_problem(ignored) is None  # botocore reads none of them


# --- the launchers ----------------------------------------------------------------------------


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize("variable, value, says", BAD, ids=BAD_IDS)
def test_the_launchers_stop_a_deploy_before_synthesis(wrapper, variable, value, says, tmp_path,
                                                       monkeypatch):  # fmt: skip
    """"note: the check before deploy failed (ValueError: Port out of range 0-65535); going on",
    then 17-24 s of synthesis and "Unable to resolve AWS account to use", exit 1. "port"
    through each wrapper, the other settings in process (test_preflight.launch)."""
    end_to_end = (variable, value) == BAD[0][:2]
    root = fake_project(tmp_path)
    env = bad_env(offline_env(tmp_path), variable, value)
    code, stderr, calls = launch(root, wrapper, ["deploy", "Day1Lab1"], env, monkeypatch,
                                 end_to_end)  # fmt: skip
    assert (code, calls) == bad_input(end_to_end), stderr
    assert stderr.splitlines() == [f"scripts/{wrapper}: {says}; nothing was run"]


@pytest.mark.parametrize(
    "args", [["destroy", "Day1Lab1", "--force"], ["diff", "Day1Lab1"], ["bootstrap"]],
    ids=["destroy", "diff", "bootstrap"],
)  # fmt: skip
def test_destroy_and_diff_stop_too_and_synth_and_ls_run(args, tmp_path, monkeypatch):
    """destroy (and synth and ls after it) through scripts/cdk, diff and bootstrap in process
    (where preflight's 0 is the wrapper's "run cdk")."""
    end_to_end = args[0] == "destroy"
    root = fake_project(tmp_path)
    env = offline_env(tmp_path, "http://[::1")
    code, stderr, calls = launch(root, "cdk", args, env, monkeypatch, end_to_end)
    assert (code, calls) == bad_input(end_to_end), stderr
    assert stderr.splitlines() == [f"scripts/cdk: {BAD[2][2]}; nothing was run"]
    for other in (["synth", "Day1Lab1"], ["ls"]):  # they call no AWS: the values are not read
        (root / "cdk-calls.log").unlink(missing_ok=True)
        code, stderr, calls = launch(root, "cdk", other, env, monkeypatch, end_to_end)
        assert (code, stderr) == (0, "")
        assert len(calls) == 1 if end_to_end else calls is None


@pytest.mark.parametrize("where", ["--proxy", "cdk.json"])
def test_the_cdk_clis_own_proxy_is_checked_and_named(where, tmp_path, monkeypatch):
    """--proxy through scripts/cdk.py, cdk.json's proxy in process."""
    end_to_end = where == "--proxy"
    root = fake_project(tmp_path)
    args = ["deploy", "Day1Lab1"]
    if where == "--proxy":
        args += ["--proxy", "http://proxy.example:70000"]
        source = "--proxy"
    else:
        settings = json.loads((root / "cdk.json").read_text())
        proxy = {**settings, "proxy": "http://proxy.example:70000"}
        (root / "cdk.json").write_text(json.dumps(proxy))
        source = "the proxy setting of cdk.json"
    code, stderr, calls = launch(root, "cdk.py", args, offline_env(tmp_path), monkeypatch,
                                 end_to_end)  # fmt: skip
    assert (code, calls) == bad_input(end_to_end), stderr
    assert stderr.splitlines() == [
        f"scripts/cdk.py: the proxy 'http://proxy.example:70000' (from {source}) is not a URL "
        f"({PORT}): {PROXY_FIX}; nothing was run"
    ]


@pytest.mark.parametrize(
    "cdk_args", [["deploy", "InstructorAccess", "-c", "instructor_account=111122223333"],
                 ["destroy", "BudgetGuard", "--force"]], ids=["deploy", "destroy"],
)  # fmt: skip
@pytest.mark.parametrize("variable, value, says", BAD[:3], ids=BAD_IDS[:3])
def test_scripts_instructor_stops_too(cdk_args, variable, value, says, tmp_path, monkeypatch):
    env = bad_env(offline_env(tmp_path), variable, value)
    code, told = instructor_preflight(cdk_args, env, monkeypatch)
    assert code == preflight_cli.EXIT_BAD_CONTEXT
    assert told == [f"scripts/instructor: {says}; nothing was run"]
