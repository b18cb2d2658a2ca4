"""Whose endpoint a client calls: AWS's own, an emulator's, or a proxy's (session 15).

A review found the "is this an emulator?" test took real AWS endpoints for one: China's
dual-stack, the European Sovereign Cloud, the ISO partitions, the ISO dual-stack (``api.aws``)
forms, a fully qualified name (trailing dot) and a corporate gateway (endpoint_url) all counted
as an emulator, whose quota shortfall is only a note: a real class deploy went on, and
``week5 quotas`` exited 0. AWS's endpoints are now those under a DNS suffix of a partition in
botocore's own data (:func:`aws_errors.aws_dns_suffixes`), and the quota note also asks the
emulator to be on this machine (``week5 local``'s: localhost or a loopback address).
"""

from __future__ import annotations

from types import SimpleNamespace

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.loaders import create_loader
from test_instructor_trial_fixes import class_plan, quota_check
from test_quotas import moto_env  # noqa: F401  (the fixture)

from week5.cli import preflight as cli_preflight
from week5.operations import aws_errors, preflight
from week5.operations.cleanup import services

#: (region, dual-stack) whose CloudFormation endpoint botocore resolves outside the old
#: suffixes (.amazonaws.com, .amazonaws.com.cn, .api.aws), and the host it resolves.
RESOLVED = [
    ("cn-north-1", True, "cloudformation.cn-north-1.api.amazonwebservices.com.cn"),
    ("eusc-de-east-1", False, "cloudformation.eusc-de-east-1.amazonaws.eu"),
    ("eusc-de-east-1", True, "cloudformation.eusc-de-east-1.api.amazonwebservices.eu"),
    ("us-iso-east-1", False, "cloudformation.us-iso-east-1.c2s.ic.gov"),
    ("us-isob-east-1", False, "cloudformation.us-isob-east-1.sc2s.sgov.gov"),
    ("eu-isoe-west-1", False, "cloudformation.eu-isoe-west-1.cloud.adc-e.uk"),
    ("us-isof-south-1", False, "cloudformation.us-isof-south-1.csp.hci.ic.gov"),
]
#: AWS's own endpoints, given as a client's endpoint_url.
AWS_URLS = [f"https://{host}" for _, _, host in RESOLVED] + [
    # the ISO partitions' dual-stack suffixes (partitions.json's dualStackDnsSuffix)
    "https://cloudformation.us-iso-east-1.api.aws.ic.gov",
    "https://cloudformation.us-isob-east-1.api.aws.scloud",
    "https://cloudformation.eu-isoe-west-1.api.cloud-aws.adc-e.uk",
    "https://cloudformation.us-isof-south-1.api.aws.hci.ic.gov",
    # a fully qualified name, and one in capitals (a host name is case-blind)
    "https://cloudformation.ap-northeast-2.amazonaws.com.",
    "https://CloudFormation.AP-Northeast-2.API.AWS./",
    "https://cloudformation.cn-north-1.amazonaws.com.cn.:443",
]
#: Where `week5 local`'s emulator runs (this machine).
LOCAL_URLS = ["http://localhost:4566", "http://127.0.0.1:5000", "http://[::1]:4566",
              "http://LOCALHOST.:4566"]  # fmt: skip
#: Neither AWS's name nor this machine: a gateway in front of AWS, or another host.
GATEWAY = "https://aws-proxy.corp.example:8443"


def client(endpoint_url=None, region="ap-northeast-2", dualstack=False):
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                            region_name=region)  # fmt: skip
    config = Config(use_dualstack_endpoint=dualstack)
    return session.client("cloudformation", endpoint_url=endpoint_url, config=config)


@pytest.fixture(autouse=True)
def no_configured_endpoints(monkeypatch, tmp_path):
    """No endpoint from the environment or a config file: the client's own is the one read."""
    for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_CLOUDFORMATION", "AWS_PROFILE",
                     "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"):  # fmt: skip
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))


def test_the_suffixes_are_botocores_partitions():
    """Every partition's dnsSuffix and dualStackDnsSuffix, as the installed botocore has them."""
    data = create_loader().load_data("partitions")
    for partition in data["partitions"]:
        for key in ("dnsSuffix", "dualStackDnsSuffix"):
            suffix = partition["outputs"][key]
            assert "." + suffix in aws_errors.aws_dns_suffixes(), (partition["id"], key)
            assert aws_errors.aws_endpoint(f"https://sts.{partition['id']}-x-1.{suffix}")
    assert aws_errors.aws_dns_suffixes() == tuple(sorted(set(aws_errors.aws_dns_suffixes())))
    # endpoints.json (read only by a botocore without partitions.json) names no other suffix
    for partition in create_loader().load_data("endpoints")["partitions"]:
        variants = partition.get("defaults", {}).get("variants", [])
        for suffix in [partition["dnsSuffix"]] + [v["dnsSuffix"] for v in variants]:
            assert "." + suffix in aws_errors.aws_dns_suffixes(), (partition["partition"], suffix)


@pytest.mark.parametrize("region, dualstack, host", RESOLVED)
def test_a_client_botocore_resolves_in_any_partition_calls_aws(region, dualstack, host):
    cloudformation = client(region=region, dualstack=dualstack)
    assert cloudformation.meta.endpoint_url == f"https://{host}"
    assert preflight.emulator_endpoint(cloudformation) is None
    assert aws_errors.aws_endpoint(cloudformation.meta.endpoint_url)


@pytest.mark.parametrize("url", AWS_URLS)
def test_awss_endpoint_given_as_endpoint_url_is_no_emulator(url):
    assert preflight.emulator_endpoint(client(url)) is None
    assert aws_errors.aws_endpoint(url)


@pytest.mark.parametrize("url", LOCAL_URLS)
def test_the_emulator_on_this_machine_is_one(url):
    cloudformation = client(url)
    assert preflight.emulator_endpoint(cloudformation) == cloudformation.meta.endpoint_url
    assert not aws_errors.aws_endpoint(url)
    assert aws_errors.local_endpoint(url)


def test_a_gateway_is_not_awss_name_but_its_quotas_are_awss():
    """A corporate endpoint_url is no AWS name (a failed call names it), nor this machine: the
    quota check takes it for AWS, and refuses."""
    assert preflight.emulator_endpoint(client(GATEWAY)) is None
    assert not aws_errors.aws_endpoint(GATEWAY)
    assert not aws_errors.local_endpoint(GATEWAY)
    for url in ("https://moto.example:4566", "http://10.0.0.5:4566", "http://0.0.0.0:4566",
                "https://amazonaws.com.evil.example", "https://notamazonaws.com"):  # fmt: skip
        assert not aws_errors.aws_endpoint(url), url
        assert preflight.emulator_endpoint(client(url)) is None, url


@pytest.mark.parametrize("url", [
    "https://cloudformation.cn-north-1.api.amazonwebservices.com.cn",
    "https://cloudformation.eusc-de-east-1.amazonaws.eu",
    "https://cloudformation.us-isob-east-1.sc2s.sgov.gov",
    "https://cloudformation.us-isob-east-1.api.aws.scloud",
    "https://cloudformation.ap-northeast-2.amazonaws.com.",
    GATEWAY,
])
def test_a_class_deploy_to_aws_or_a_gateway_beyond_the_quotas_is_refused(
    moto_env, tmp_path, monkeypatch, url  # noqa: F811
):
    """The quotas read from the emulator (AWS_ENDPOINT_URL), the deploy's CloudFormation at
    ``url`` (AWS_ENDPOINT_URL_CLOUDFORMATION): a real deploy, refused as on AWS."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", url)
    code, told = quota_check(class_plan(), tmp_path, monkeypatch)
    assert code == cli_preflight.EXIT_REFUSED, told
    assert told[1].startswith("refused: 6 students' Day1Lab1 would exceed 2 quota(s)"), told


def failed(url, status=500):
    """The ClientError a client at ``url`` raises for DescribeStacks answered with HTTP
    ``status`` (a Stubber: nothing is sent), its traceback through botocore's call."""
    from botocore.stub import Stubber

    cloudformation = client(url)
    with Stubber(cloudformation) as stub:
        stub.add_client_error("describe_stacks", "InternalFailure", "no",
                              http_status_code=status)  # fmt: skip
        try:
            cloudformation.describe_stacks()
        except ClientError as error:
            return cloudformation, error
    raise AssertionError("the stubbed call did not fail")


@pytest.mark.parametrize("url", AWS_URLS)
def test_awss_server_error_is_said_as_awss(url):
    """aws_errors names an endpoint not AWS's own (and the setting that chose it); AWS's own,
    in any partition, is "AWS"."""
    _, error = failed(url)
    line = aws_errors.describe(error, None, "ap-northeast-2")
    assert line.startswith("AWS failed DescribeStacks"), line


def test_a_gateways_server_error_names_it_as_before():
    _, error = failed(GATEWAY)
    line = aws_errors.describe(error, None, "ap-northeast-2")
    assert line.startswith(f"the endpoint {GATEWAY} (endpoint_url in "), line


@pytest.mark.parametrize("url", AWS_URLS)
def test_cleanup_never_takes_awss_server_error_for_an_emulator_lacking_the_call(url):
    """A serverless-caches call AWS fails (HTTP 500) is said ("not checked"), not passed over as
    an emulator's missing call."""
    cloudformation, error = failed(url)
    assert not services._emulator_lacks(cloudformation, error, "ap-northeast-2")


@pytest.mark.parametrize("url", LOCAL_URLS + [GATEWAY])
def test_cleanup_takes_an_emulators_server_error_for_a_missing_call_as_before(url):
    cloudformation, error = failed(url)
    assert services._emulator_lacks(cloudformation, error, "ap-northeast-2")
    bare = SimpleNamespace(meta=SimpleNamespace(endpoint_url=url))
    assert services._emulator_lacks(bare, error, "ap-northeast-2")

