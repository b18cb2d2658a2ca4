"""Every way an AWS call fails before it does its work, as one line naming the cause and the fix.

A tool that talks to AWS never prints a traceback: no credentials, a profile that does not
exist, a region that is malformed or that AWS does not have, an endpoint it cannot reach, an
endpoint or a proxy that is no URL (checked before any call: :func:`check_configuration`), an
expired SSO login, and every refusal AWS answers with (``ClientError``: its code, its message
and what to do) become :class:`AwsError`, which the command line prints as ``week5: <line>``
and exits 2 (the same as bad input: the fix is the user's).

Use it in three ways (``week5 status``, ``quotas``, ``rollout`` and the ``scripts/cdk``
preflight do):

* :func:`clients` (or :func:`session`) checks ``--region`` first, opens the profile and returns
  a ``service -> client`` callable whose clients time out in seconds, not minutes;
* ``with translated(profile, region): ...`` turns what botocore raises inside into
  :class:`AwsError`;
* ``week5.cli.main`` does both for every command that has ``--region``/``--profile``, so a
  command that forgets still prints one line.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import os
import re
import urllib.parse
from typing import Any, Callable, Iterator, Mapping, Optional, Sequence

from week5.core.errors import shown
from week5.core.settings import DEFAULT_REGION, KNOWN_REGIONS

#: The profile name the course's getting-started page sets up (docs/시작하기.md, step 3).
EXAMPLE_PROFILE = "week5"
#: Seconds: a preflight or a status should fail in seconds when AWS is out of reach.
CONNECT_TIMEOUT_S = 5
READ_TIMEOUT_S = 30
MAX_ATTEMPTS = 3
_REGION_SHAPE = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]", re.ASCII)

_CREDENTIAL_CODES = frozenset(
    {
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "AuthFailure",
        "InvalidAccessKeyId",
        "IncompleteSignature",
        "InvalidSignatureException",
        "MissingAuthenticationToken",
    }
)
_EXPIRED_CODES = frozenset(
    {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
)
_DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "UnauthorizedException",
        "AuthorizationError",
        "Forbidden",
    }
)
_THROTTLED_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "SlowDown",
    }
)
#: The codes with which AWS throttles a caller (a wait cures them; not a failure of AWS's).
THROTTLED_CODES = _THROTTLED_CODES


#: The regions every AWS account has enabled (those launched before 20 March 2019; AWS
#: Account Management, "Enable or disable AWS Regions in your account"). The others of the
#: commercial partition are opt-in: disabled until the account enables them.
DEFAULT_ENABLED_REGIONS = frozenset(
    {
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "ap-south-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-southeast-1",
        "ap-southeast-2",
        "ca-central-1",
        "eu-central-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "eu-north-1",
        "sa-east-1",
    }
)
#: Regions of other partitions, whose accounts (and keys) are their own.
OTHER_PARTITIONS = (("cn-", "AWS China"), ("us-gov-", "AWS GovCloud (US)"))
#: The codes with which AWS answers a key it does not know, which is what an opt-in region the
#: account has not enabled answers too (STS: InvalidClientTokenId; JSON services:
#: UnrecognizedClientException; EC2: AuthFailure).
_UNKNOWN_KEY_CODES = frozenset(
    {"InvalidClientTokenId", "UnrecognizedClientException", "AuthFailure"}
)


#: Error codes with which an endpoint says it has no such call: emulators' (moto's in-process
#: mock, some LocalStack services) and AWS's own for an action a service does not have (JSON
#: and query protocols).
_NOT_IMPLEMENTED_CODES = frozenset(
    {
        "NotImplemented",
        "NotImplementedException",
        "NotImplementedError",
        "UnknownOperationException",
        "InvalidAction",
    }
)
#: "has not been implemented" (moto), "not yet implemented or pro feature" (LocalStack).
_NOT_IMPLEMENTED_TEXT = re.compile(r"\bnot (?:yet |been )?implemented\b", re.IGNORECASE)


class AwsError(Exception):
    """An AWS call that could not be made or that AWS refused; the message is one line with
    the cause and the fix. The command line prints it and exits 2."""


class AwsInputError(AwsError):
    """An :class:`AwsError` that the user's input caused: a profile that does not exist, a
    region AWS lacks, an endpoint that is no URL. A check that may otherwise go on without AWS
    (the launchers' preflight) refuses on this one: the CDK CLI would go on with other
    credentials, or none (or fail on the URL)."""


class AwsThrottledError(AwsError):
    """An :class:`AwsError` for a call AWS throttled (:data:`THROTTLED_CODES`): botocore's
    retries ran out. The launchers' preflight stops on this one (the CDK CLI's calls would be
    throttled too, and fail after a minute of synthesis and retries): waiting cures it."""


class AwsUnreachableError(AwsError):
    """An :class:`AwsError` for an endpoint that certainly cannot answer: the connection was
    refused, or its host name does not resolve. The launchers' preflight stops a command that
    needs AWS on this one (the CDK CLI would retry for a minute, then fail); a timeout may pass,
    so it is a plain :class:`AwsError`."""


def check_profile(profile: Optional[str]) -> None:
    """``--profile ''`` (or blanks) names no profile: boto3 and the CDK CLI would take the
    environment's credentials instead, so it is refused before anything runs."""
    if profile is not None and not profile.strip():
        raise AwsInputError(
            f"--profile {shown(profile)} names no profile: pass a profile's name (`aws configure "
            "list-profiles` shows them), or leave --profile out to use the environment's"
        )


def _unreachable_cause(error: BaseException) -> Optional[str]:
    """"connection refused" or "the host name does not resolve" when ``error`` (botocore's
    EndpointConnectionError, not a proxy's) says so through its causes; else None."""
    import socket

    seen = set()
    todo = [error.kwargs.get("error")] if hasattr(error, "kwargs") else []
    while todo:
        cause = todo.pop()
        if cause is None or id(cause) in seen:
            continue
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        # Only "no such name": EAI_AGAIN (a resolver that did not answer) may pass.
        if isinstance(cause, socket.gaierror) and cause.errno == socket.EAI_NONAME:
            return "the host name does not resolve"
        todo += [cause.__cause__, cause.__context__]
    return None


def _certainly_unreachable(error: BaseException) -> Optional[str]:
    try:
        from botocore.exceptions import EndpointConnectionError, ProxyConnectionError
    except ImportError:  # pragma: no cover - boto3 is installed with every AWS command
        return None
    if isinstance(error, EndpointConnectionError) and not isinstance(error, ProxyConnectionError):
        return _unreachable_cause(error)
    return None


def check_region(region: Any, option: str = "--region") -> str:
    """``region`` if AWS has it; else :class:`AwsError` naming ``option`` and the fix, before
    any call (botocore would try ``ec2.<anything>.amazonaws.com`` and fail on the network)."""
    example = f"pass one such as {option} {DEFAULT_REGION}"
    if not isinstance(region, str) or not _REGION_SHAPE.fullmatch(region):
        raise AwsInputError(f"{option} {shown(region)} is not an AWS region name; {example}")
    if region not in KNOWN_REGIONS:
        raise AwsInputError(f"{option} {shown(region)} is not a region AWS has; {example}")
    return region


def _profile_in_use(profile: Optional[str]) -> Optional[str]:
    return profile or os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE")


def _login_fix(profile: Optional[str]) -> str:
    name = _profile_in_use(profile) or EXAMPLE_PROFILE
    return (
        f"run `aws configure --profile {name}` (access keys) or `aws sso login --profile "
        f"{name}` (IAM Identity Center)"
    )


def _one_line(text: Any, limit: int = 300) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _known_profiles() -> list:
    try:
        import botocore.session

        return sorted(botocore.session.Session().available_profiles)
    except Exception:  # an unreadable config file: say nothing about profiles
        return []


def _empty_profile_variable() -> Optional[str]:
    """The variable botocore takes the profile from when it is set but blank: botocore then
    looks for a profile named '' (AWS_DEFAULT_PROFILE is read before AWS_PROFILE)."""
    for variable in ("AWS_DEFAULT_PROFILE", "AWS_PROFILE"):
        if variable in os.environ:
            return variable if not os.environ[variable].strip() else None
    return None


def _unreadable_profile_file() -> Optional[str]:
    """What makes the AWS config or credentials file unreadable (a directory, no permission),
    as a phrase naming the file; botocore then reads no profiles at all and says only that the
    profile is not found. A file that does not exist is no profile's home either: not this."""
    for variable, default in (("AWS_CONFIG_FILE", "~/.aws/config"),
                              ("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")):  # fmt: skip
        given = os.environ.get(variable)
        path = os.path.expanduser(given or default)
        named = f"{variable}={shown(given, 200)}" if given else default  # whole: to fix
        fix = f"point {variable} at the file, or unset it" if given else f"fix {default}"
        if os.path.isdir(path):
            return f"{named} is a directory, not a file, so no profile could be read; {fix}"
        if os.path.exists(path) and not os.access(path, os.R_OK):
            return f"{named} cannot be read (permission denied), so no profile could be; {fix}"
    return None


def _profile_files() -> str:
    """The config and credentials files botocore read profiles from: the file a variable names
    when it exists (AWS_CONFIG_FILE=~/my-config), else the default's name."""
    files = []
    for variable, default in (("AWS_CONFIG_FILE", "~/.aws/config"),
                              ("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")):  # fmt: skip
        given = os.environ.get(variable)
        exists = bool(given) and os.path.isfile(os.path.expanduser(given))
        files.append(f"{_one_line(given, 200)} ({variable})" if exists else default)
    return " or ".join(files)


def _config_file() -> str:
    """The AWS config file botocore read (where endpoint_url and sts_regional_endpoints live)."""
    given = os.environ.get("AWS_CONFIG_FILE")
    return f"{_one_line(given, 200)} (AWS_CONFIG_FILE)" if given else "~/.aws/config"


def _endpoints_ignored() -> bool:
    """AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true: botocore and the CDK CLI read no endpoint
    variable (nor the config file's endpoint_url)."""
    return os.environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").strip().lower() == "true"


def _endpoint_variable(url: Any = None) -> Optional[str]:
    """The variable that set the endpoint ``url``: the one whose value it is, a service's own
    (AWS_ENDPOINT_URL_CLOUDFORMATION, which botocore and the CDK CLI read before
    AWS_ENDPOINT_URL) first; with no ``url``, AWS_ENDPOINT_URL when set. None when no variable
    set it, or botocore reads none (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true)."""
    if _endpoints_ignored():
        return None
    if not url:
        return "AWS_ENDPOINT_URL" if os.environ.get("AWS_ENDPOINT_URL") else None
    wanted = _origin(url)
    global_last = sorted(os.environ.items(), key=lambda item: item[0] == "AWS_ENDPOINT_URL")
    for variable, value in global_last:
        if variable == "AWS_ENDPOINT_URL" or variable.startswith("AWS_ENDPOINT_URL_"):
            if value and _origin(value) == wanted:
                return variable
    return None


def _origin(url: Any) -> tuple:
    """The scheme and the host:port of ``url`` (a call's URL adds a path to its endpoint's:
    http://localhost:4566/bucket), or the whole text when it does not parse."""
    try:
        parts = urllib.parse.urlsplit(str(url))
        return parts.scheme.lower(), parts.netloc.lower()
    except ValueError:
        return (str(url).rstrip("/"),)


@functools.lru_cache(maxsize=None)
def aws_dns_suffixes() -> tuple:
    """The DNS suffixes of AWS's own endpoints in every partition, each with a leading dot
    (``.amazonaws.com``, ``.api.aws``, ``.amazonaws.com.cn``, ``.amazonaws.eu``,
    ``.c2s.ic.gov``...): every ``dnsSuffix`` and ``dualStackDnsSuffix`` of the installed
    botocore's ``partitions.json`` (an older botocore's ``endpoints.json``: its partitions'
    suffixes and their variants'). Read from botocore, not copied: a partition AWS adds (the
    European Sovereign Cloud came in 2025) is AWS's as soon as botocore resolves endpoints in
    it."""
    from botocore.exceptions import DataNotFoundError
    from botocore.loaders import create_loader

    loader = create_loader()
    found = set()
    for name in ("partitions", "endpoints"):
        try:
            data = loader.load_data(name)
        except DataNotFoundError:  # an older botocore has endpoints.json only
            continue
        for partition in data.get("partitions", []):
            outputs = partition.get("outputs", {})  # partitions.json
            found.update((outputs.get("dnsSuffix"), outputs.get("dualStackDnsSuffix")))
            found.add(partition.get("dnsSuffix"))  # endpoints.json
            variants = partition.get("defaults", {}).get("variants", [])
            found.update(variant.get("dnsSuffix") for variant in variants)
        if found:  # endpoints.json (0.2 s to read) names no suffix partitions.json lacks
            break
    suffixes = {"." + str(suffix).strip(".").lower() for suffix in found if suffix}
    return tuple(sorted(suffixes))


def endpoint_host(url: Any) -> str:
    """The host ``url`` names, lowercased and without the trailing dot of a fully qualified
    name (``sts.amazonaws.com.``), or "" when it names none or does not parse."""
    try:
        host = urllib.parse.urlsplit(str(url or "")).hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".").lower()


def aws_endpoint(url: Any) -> bool:
    """Whether ``url`` (a client's endpoint_url) is AWS's own: its host ends with the DNS
    suffix of one of AWS's partitions (:func:`aws_dns_suffixes`), its dual-stack forms
    included. Anything else is an emulator's, or a proxy's (a corporate gateway)."""
    host = endpoint_host(url)
    return bool(host) and ("." + host).endswith(aws_dns_suffixes())


def local_endpoint(url: Any) -> bool:
    """Whether ``url``'s host is this machine: ``localhost`` or a loopback address
    (127.0.0.1, ::1), where ``week5 local`` runs its emulator."""
    import ipaddress

    host = endpoint_host(url)
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _client_meta(error: BaseException) -> Any:
    """The ``meta`` of the botocore client whose call raised ``error`` (its endpoint_url, its
    service), read from botocore's frame that made the call; None for an error built by hand."""
    traceback = error.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_name == "_make_api_call":
            meta = getattr(traceback.tb_frame.f_locals.get("self"), "meta", None)
            if meta is not None and getattr(meta, "endpoint_url", None):
                return meta
        traceback = traceback.tb_next
    return None


def _configured_endpoint(error: BaseException) -> Optional[tuple]:
    """``(url, source, undo)`` for the endpoint the failed call went to when it is not AWS's
    own, else None: ``source`` names the setting (AWS_ENDPOINT_URL_EC2, which botocore reads
    before AWS_ENDPOINT_URL, or the config file's endpoint_url) and ``undo`` how to reach AWS
    again. The URL is the calling client's, so botocore's precedence (and its
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) decided it; an error with no call in its traceback
    (built by hand) is taken as AWS_ENDPOINT_URL's, when that is read."""
    meta = _client_meta(error)
    if meta is None:
        variable = _endpoint_variable()
        return (os.environ[variable], variable, f"unset {variable}") if variable else None
    url = str(meta.endpoint_url)
    if not endpoint_host(url) or aws_endpoint(url):
        return None
    variable = _endpoint_variable(url)
    if variable:
        return url, variable, f"unset {variable}"
    return url, f"endpoint_url in {_config_file()}", f"remove endpoint_url from {_config_file()}"


#: The schemes botocore (and the CDK CLI) call an endpoint with.
_ENDPOINT_SCHEMES = ("http", "https")
#: The proxy variables botocore reads (urllib's getproxies: either case).
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")
#: The instance-metadata settings botocore reads as whole numbers, each with an example.
METADATA_NUMBERS = {"AWS_METADATA_SERVICE_TIMEOUT": "1", "AWS_METADATA_SERVICE_NUM_ATTEMPTS": "1"}
#: What botocore takes for AWS_STS_REGIONAL_ENDPOINTS (an empty value means "regional").
STS_REGIONAL_ENDPOINTS = ("regional", "legacy")


def _url_fault(value: str, schemes: Optional[Sequence[str]] = _ENDPOINT_SCHEMES) -> Optional[str]:
    """Why ``value`` is no URL a connection can be made to, as a phrase; None when it is one.
    urllib.parse's reading, as botocore's and urllib3's: a port out of range or an unclosed IPv6
    bracket passed botocore's own check and raised ValueError at the first call."""
    if any(c.isspace() or not c.isprintable() for c in value):
        return "it holds a space or a control character"
    try:
        parts = urllib.parse.urlsplit(value)
    except ValueError as error:
        return f"it does not parse: {error}"
    if schemes is not None and parts.scheme.lower() not in schemes:
        scheme = _one_line(parts.scheme, 20) or "missing"
        return f"its scheme is {scheme}, where AWS takes {' or '.join(schemes)}"
    if not parts.hostname:
        return "it names no host"
    host_fault = _host_fault(parts.hostname)
    if host_fault:
        return host_fault
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:  # urllib.parse takes 0; nothing listens there
        return "its port is not a number from 1 to 65535"
    return None


def _host_fault(host: str) -> Optional[str]:
    """Why urllib3 (which botocore sends its calls with) cannot connect to ``host``, else None:
    a label that is not ASCII must be a valid internationalized name (the ``idna`` module's
    reading, strict, as urllib3's), and every label must be 1 to 63 characters once encoded
    (Python's idna codec, which urllib3 checks before it connects). An IPv6 address passes."""
    if ":" in host:
        return None
    labels = []
    for label in host.split("."):
        if label.isascii():
            labels.append(label)
            continue
        try:
            import idna

            labels.append(idna.encode(label.lower(), strict=True, std3_rules=True).decode())
        except ImportError:  # urllib3: "Unable to parse URL without the 'idna' module"
            return f"its host name {shown(host, 80)} is not ASCII: write it in its xn-- form"
        except (idna.IDNAError, UnicodeError):
            return f"its host name {shown(host, 80)} is not a valid internationalized (IDNA) name"
    try:
        ".".join(labels).encode("idna")
    except UnicodeError:
        return (
            "a label of its host name (a part between dots) is empty or longer than 63 "
            "characters"
        )
    return None


def endpoint_problem(variable: str, value: str) -> Optional[str]:
    """The one line for an endpoint variable's value that is no URL to call AWS at, else None."""
    if not value:  # botocore and the CDK CLI ignore an empty one
        return None
    # Without "://" botocore refuses it itself ("Invalid endpoint: ..."): the same line.
    fault = _url_fault(value) if "://" in value else ""
    if fault is None:
        return None
    return _not_a_url(shown(value, 80), variable, fault)


def _not_a_url(endpoint: str, source: str, fault: str = "") -> str:
    """``endpoint`` comes quoted (:func:`shown`), so a space in it shows."""
    why = f" ({fault})" if fault else ""
    return (
        f"the AWS endpoint {endpoint} (from {source}) is not a URL{why}: set it to one such as "
        "http://localhost:<port> (`week5 local --keep` prints its line), or unset it to reach AWS"
    )


def proxy_problem(source: str, value: Any) -> Optional[str]:
    """The one line for a proxy setting botocore cannot parse (``HTTPS_PROXY='not a url'``: "An
    HTTP Client raised an unhandled exception" at the first call), else None. ``source`` names
    where it was set. A scheme other than http(s) (socks5://) is left to the CDK CLI, which
    takes it (this package's boto3 calls refuse it: :func:`botocore_proxy_problem`); botocore
    reads a value without one as http://."""
    if not isinstance(value, str):
        return None
    if not value:
        return None
    fixed = value if value.startswith(("http:", "https:")) else (
        "http:" + value if value.startswith("//") else "http://" + value
    )  # botocore's _fix_proxy_url
    if "://" in value and not value.startswith(("http:", "https:")):
        fault = _url_fault(value, schemes=None)
    else:
        fault = _url_fault(fixed)
    if fault is None:
        return None
    return (
        f"the proxy {shown(value, 80)} (from {source}) is not a URL ({fault}): set it to "
        "one such as http://proxy.example:3128, or unset it where no proxy is needed"
    )


def configuration_problem(environ: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """The one line for the first AWS setting in the environment that no AWS call can be made
    with, else None: an endpoint (``AWS_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_<SERVICE>``) that is
    no http(s) URL, a proxy that does not parse, an ``AWS_STS_REGIONAL_ENDPOINTS`` botocore
    refuses. Checked before any call (:func:`session`, the launchers' preflight)."""
    env = os.environ if environ is None else environ
    ignored = env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").strip().lower() == "true"
    if not ignored:  # botocore and the CDK CLI then read none of them
        for variable in sorted(env):
            if variable == "AWS_ENDPOINT_URL" or variable.startswith("AWS_ENDPOINT_URL_"):
                line = endpoint_problem(variable, env[variable])
                if line:
                    return line
    for variable in PROXY_VARIABLES:
        line = proxy_problem(variable, env.get(variable))
        if line:
            return line
    sts = env.get("AWS_STS_REGIONAL_ENDPOINTS")
    if sts and sts not in STS_REGIONAL_ENDPOINTS:
        return (
            f"AWS_STS_REGIONAL_ENDPOINTS={shown(sts, 40)} is not one botocore takes: set "
            "it to regional (or legacy), or unset it"
        )
    for variable, example in METADATA_NUMBERS.items():
        value = env.get(variable)
        if value:
            try:
                int(value)
            except ValueError:  # botocore's int() of it, in a traceback once a call is made
                return (
                    f"{variable}={shown(value, 40)} is not a whole number: set it to one "
                    f"such as {example}, or unset it"
                )
    return None


def check_configuration(environ: Optional[Mapping[str, str]] = None) -> None:
    """:class:`AwsInputError` with :func:`configuration_problem`'s line, if any."""
    line = configuration_problem(environ)
    if line:
        raise AwsInputError(line)


#: Where botocore's calls go when no endpoint is set: AWS, over https (its proxy is HTTPS_PROXY's).
_AWS_URL = "https://sts.amazonaws.com"


def botocore_proxy_problem() -> Optional[str]:
    """The one line when the proxy botocore would send a call through is not an http(s) one
    (``HTTPS_PROXY=socks5://host:1080``), else None. botocore reads such a value as
    ``http://socks5://host:1080`` and fails with "cannot reach the proxy". Only the proxies of
    the URLs called count (HTTPS_PROXY for AWS, HTTP_PROXY for an http:// endpoint; NO_PROXY
    applies). Not part of :func:`configuration_problem`: the CDK CLI, which the launchers'
    preflight checks for, takes a SOCKS proxy; only this package's boto3 calls cannot."""
    try:
        from botocore.utils import get_environ_proxies
    except ImportError:  # pragma: no cover - boto3 is installed with every AWS command
        return None
    ignored = os.environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").strip().lower() == "true"
    urls = [] if ignored else [
        value for variable, value in sorted(os.environ.items())
        if variable.startswith("AWS_ENDPOINT_URL_") and value
    ]  # fmt: skip
    urls.append(("" if ignored else os.environ.get("AWS_ENDPOINT_URL", "")) or _AWS_URL)
    for url in urls:
        scheme = urllib.parse.urlsplit(url).scheme.lower()
        proxy = get_environ_proxies(url).get(scheme)
        if not proxy or "://" not in proxy:  # botocore reads one without a scheme as http://
            continue
        proxy_scheme = urllib.parse.urlsplit(proxy).scheme.lower()
        if proxy_scheme and proxy_scheme not in _ENDPOINT_SCHEMES:
            variable = next(
                (v for v in (f"{scheme}_proxy", f"{scheme.upper()}_PROXY")
                 if os.environ.get(v) == proxy), f"{scheme.upper()}_PROXY",
            )  # fmt: skip
            return (
                f"the proxy {shown(proxy, 80)} (from {variable}) is a {proxy_scheme}:// "
                f"proxy, and botocore (boto3, which these tools call AWS with) supports only "
                f"http:// and https:// proxies: set {variable} to an HTTP proxy such as "
                f"http://proxy.example:3128, or unset it where no proxy is needed"
            )
    return None


def _typed(name: str) -> str:
    """``name`` as a user can type it in a command the message suggests; else a placeholder (a
    line break, a space, a control or direction mark pasted in)."""
    ok = name and len(name) <= 40 and all(c.isalnum() or c in "-_.@+" for c in name)
    return name if ok and name.isascii() else "<name>"


def describe(error: BaseException, profile: Optional[str] = None, region: Optional[str] = None
             ) -> Optional[str]:  # fmt: skip
    """The one line for ``error``, or None when it is not an AWS (botocore) error."""
    try:
        from botocore import exceptions as bx
        from botocore.parsers import ResponseParserError
    except ImportError:  # pragma: no cover - boto3 is installed with every AWS command
        return None
    where = f" in {region}" if region else ""
    used = _profile_in_use(profile)
    if _invalid_endpoint(error):
        if not str(error).startswith("Invalid endpoint: "):  # urllib's, at the first call
            return (
                f"an AWS endpoint_url in the profile's configuration ({_config_file()}) is not a "
                f"URL ({_one_line(error, 80)}): set it to one such as http://localhost:<port>, or "
                "remove it to reach AWS"
            )
        endpoint = str(error).partition(": ")[2]
        return _not_a_url(shown(endpoint, 80), _endpoint_variable(endpoint) or "the profile")
    if isinstance(error, bx.ProfileNotFound):
        name = error.kwargs.get("profile") or used
        source = "--profile" if profile else "AWS_PROFILE"
        empty = None if profile else _empty_profile_variable()
        if empty:  # botocore looked for a profile named ''
            return (
                f"{empty} is set but empty, so it names no AWS profile; unset it (`unset "
                f"{empty}`) or set it to a profile's name (`aws configure list-profiles` shows "
                "them)"
            )
        unreadable = _unreadable_profile_file()
        if unreadable:
            return f"AWS profile {shown(name)} (from {source}) cannot be looked up: {unreadable}"
        known = _known_profiles()
        choose = (
            f"pass one of: {', '.join(known)}"
            if known
            else "no profile is configured on this machine"
        )
        return (
            f"AWS profile {shown(name)} (from {source}) is not in {_profile_files()}; "
            f"{choose}, or create it with `aws configure --profile {_typed(name)}`"
            f" (or `aws configure sso`)"
        )
    if isinstance(error, (bx.SSOTokenLoadError, bx.UnauthorizedSSOTokenError,
                          bx.TokenRetrievalError, bx.SSOError)):  # fmt: skip
        name = used or EXAMPLE_PROFILE
        return (
            f"the AWS SSO login of profile {shown(name)} has expired or was never made "
            f"({_one_line(error, 120)}); run `aws sso login --profile {name}`, then this again"
        )
    if isinstance(error, bx.NoCredentialsError):
        if used:
            return f"AWS profile {used!r} has no credentials; {_login_fix(profile)}"
        return (
            f"no AWS credentials were found; {_login_fix(profile)}, then pass --profile "
            f"{EXAMPLE_PROFILE} or set AWS_PROFILE={EXAMPLE_PROFILE}"
        )
    if isinstance(error, bx.PartialCredentialsError):
        return (
            f"incomplete AWS credentials ({_one_line(error, 120)}); set both the access key id "
            f"and the secret access key: {_login_fix(profile)}"
        )
    if isinstance(error, bx.CredentialRetrievalError):
        return (
            f"AWS credentials could not be read ({_one_line(error, 160)}); check the "
            f"profile's role or credential_process in {_config_file()}, or {_login_fix(profile)}"
        )
    if isinstance(error, bx.NoRegionError):
        return (
            f"no AWS region was given; pass --region {DEFAULT_REGION} (or set "
            f"AWS_DEFAULT_REGION={DEFAULT_REGION})"
        )
    if isinstance(error, bx.InvalidRegionError):
        name = error.kwargs.get("region_name", region)
        return f"{shown(name)} is not an AWS region name; pass one such as --region {DEFAULT_REGION}"
    if isinstance(error, (bx.EndpointConnectionError, bx.ConnectTimeoutError,
                          bx.ReadTimeoutError, bx.ConnectionClosedError,
                          bx.ProxyConnectionError, bx.SSLError)):  # fmt: skip
        proxy = error.kwargs.get("proxy_url")
        if isinstance(error, bx.ProxyConnectionError) and proxy:
            given = str(proxy)[len("http://"):] if str(proxy).startswith("http://") else ""
            if "://" in given:  # botocore's reading of socks5://host: http://socks5://host
                return (
                    f"cannot use the proxy {shown(given, 80)}: botocore (boto3) supports "
                    "only http:// and https:// proxies; set HTTPS_PROXY to an HTTP proxy such as "
                    "http://proxy.example:3128, or unset it where no proxy is needed"
                )
            return (
                f"cannot reach the proxy {proxy}; check HTTPS_PROXY and HTTP_PROXY, or unset "
                "them where no proxy is needed"
            )
        url = error.kwargs.get("endpoint_url") or "its endpoint"
        variable = _endpoint_variable(error.kwargs.get("endpoint_url"))
        if variable:
            fix = (
                f"{variable}={os.environ[variable]} is set: start what should answer there, or "
                "unset it to reach AWS"
            )
        else:
            fix = (
                "check the network and any proxy (HTTPS_PROXY), and that "
                f"--region {region or DEFAULT_REGION} is the one you mean"
            )
        kind = "timed out reaching" if "Timeout" in type(error).__name__ else "cannot reach"
        cause = _certainly_unreachable(error)
        return f"{kind} AWS at {url}{f' ({cause})' if cause else ''}; {fix}"
    if isinstance(error, ResponseParserError) or _parser_fault(error):  # no BotoCoreError
        return unsupported(error, region) or _unreadable(error, where)
    if isinstance(error, bx.ClientError):
        lacking = unsupported(error, region)
        if lacking:
            return lacking
        info = error.response.get("Error", {})
        code = str(info.get("Code", "Unknown"))
        message = _one_line(info.get("Message") or "no message", 200)
        operation = error.operation_name
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        status = status or (int(code) if code.isdigit() and len(code) == 3 else 0)
        configured = _configured_endpoint(error)
        if status >= 500:  # AWS's own failure, often an HTML page (a HEAD's 404 is no failure)
            who = f"the endpoint {configured[0]} ({configured[1]})" if configured else "AWS"
            return (
                f"{who} failed {operation}{where} with a server error (HTTP {status}); "
                "wait a minute, then run this again"
            )
        said = f"AWS refused {operation}{where}: {code}: {message}"
        # A whole emulator (AWS_ENDPOINT_URL) has no regions to enable; one service's endpoint
        # (AWS_ENDPOINT_URL_STS) may stand in front of AWS's own.
        emulated = bool(configured) and configured[1] == "AWS_ENDPOINT_URL"
        fix = _client_fix(code, operation, profile, region, emulated=emulated)
        return f"{said}; {fix}"
    if isinstance(error, bx.InvalidSTSRegionalEndpointsConfigError):  # the config file's
        return (
            f"{_one_line(error, 160)} (sts_regional_endpoints in {_config_file()}); set it to "
            "regional, or remove it"
        )
    config_line = _config_error(error)
    if config_line:
        return config_line
    if isinstance(error, bx.BotoCoreError):
        return (
            f"an AWS call failed{where}: {_one_line(error, 200)}; check the profile, the "
            "region and the network, then run this again"
        )
    return None


def _parse_fault(cause: Any) -> str:
    """Where and why configparser could not read a file botocore read, as a phrase."""
    import configparser

    if isinstance(cause, configparser.MissingSectionHeaderError):
        line = cause.line.strip()
        unclosed = " (its closing ] is missing)" if line.startswith("[") and "]" not in line else ""
        return f"line {cause.lineno}, {shown(line)}, is under no [section] line{unclosed}"
    if isinstance(cause, configparser.DuplicateSectionError):
        return f"line {cause.lineno} opens section {shown(cause.section)} a second time"
    if isinstance(cause, configparser.DuplicateOptionError):
        return f"line {cause.lineno} sets {shown(cause.option)} a second time in its section"
    if isinstance(cause, configparser.ParsingError) and cause.errors:
        lineno, line = cause.errors[0]  # the line as repr() shows it
        with contextlib.suppress(ValueError, SyntaxError):
            line = shown(str(ast.literal_eval(line)).strip(), 60)
        return f"line {lineno}, {line}, is no `key = value` line"
    if isinstance(cause, UnicodeDecodeError):
        return "it is not UTF-8 text"
    return _one_line(cause, 120) if cause is not None else "it does not parse"


def _setting(key: str) -> tuple:
    """``(what, undo)`` for the botocore setting ``key``: its variable and value when the
    environment set it (AWS_DEFAULTS_MODE='bogus', "unset it"), else the config file's key."""
    try:
        from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES as known
    except ImportError:  # pragma: no cover - a botocore that renamed it
        known = {}
    variable = (known.get(key) or (None, None))[1]
    if isinstance(variable, str) and os.environ.get(variable):
        return f"{variable}={shown(os.environ[variable])}", f"unset {variable}"
    return f"{key} in {_config_file()}", "remove it"


def _config_error(error: BaseException) -> Optional[str]:
    """The one line for a configuration botocore refuses (a config file that does not parse, a
    setting with a value it does not take, a source_profile loop), naming the file or the
    variable and the fix; None for another error."""
    from botocore import exceptions as bx

    if isinstance(error, bx.ConfigParseError):
        path = str(error.kwargs.get("path", ""))
        named, variable = f"the AWS file {shown(path, 200)}", "AWS_CONFIG_FILE"
        for each, default in (("AWS_CONFIG_FILE", "~/.aws/config"),
                              ("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")):  # fmt: skip
            given = os.environ.get(each)
            if os.path.abspath(os.path.expanduser(given or default)) == os.path.abspath(path):
                shown_as = f"{shown(given, 200)} ({each})" if given else default
                named, variable = f"the AWS file {shown_as}", each
                break
        return (
            f"{named} cannot be parsed: {_parse_fault(error.kwargs.get('error'))}; fix that line "
            "(sections are lines such as [default] or [profile NAME], settings `key = value` "
            f"lines under them), or point {variable} at another file"
        )
    if isinstance(error, bx.InvalidDefaultsMode):
        what, undo = _setting("defaults_mode")
        return (
            f"{what} is not a defaults mode botocore takes: set it to one of "
            f"{error.kwargs.get('valid_modes')}, or {undo}"
        )
    if isinstance(error, bx.InvalidChecksumConfigError):
        key = str(error.kwargs.get("config_key"))
        what, undo = _setting(key)
        valid = " or ".join(str(option) for option in error.kwargs.get("valid_options") or ())
        return f"{what} is not a value botocore takes for {key}: set it to {valid}, or {undo}"
    if isinstance(error, bx.InfiniteLoopConfigError):
        visited = [str(name) for name in error.kwargs.get("visited_profiles") or ()]
        source = str(error.kwargs.get("source_profile"))
        chain = " -> ".join([*visited, source])
        first = visited[0] if visited else source
        return (
            f"AWS profile {shown(first)} in {_config_file()} takes its credentials from a "
            f"source_profile chain that comes back to itself ({chain}); set source_profile to a "
            "profile that holds keys (aws_access_key_id and aws_secret_access_key), or add them "
            f"to profile {shown(source)}"
        )
    if isinstance(error, bx.InvalidConfigError):  # account_id_endpoint_mode, a services section
        message = str(error.kwargs.get("error_msg") or error)
        bad = _INVALID_SETTING.match(message)
        if bad:
            what, undo = _setting(bad["key"])
            valid = " or ".join(re.findall(r"'([^']*)'", bad["valid"]))
            return f"{what} is not a value botocore takes: set it to {valid}, or {undo}"
        return (
            f"{_one_line(message, 200)} ({_config_file()}); fix the profile there, or pass "
            "another --profile"
        )
    return None


#: botocore's InvalidConfigError for a setting's value (account_id_endpoint_mode).
_INVALID_SETTING = re.compile(
    r"The configured value '.*' for '(?P<key>\w+)' is invalid\. Valid values are: (?P<valid>.*)"
)


def unsupported(error: BaseException, region: Optional[str] = None) -> Optional[str]:
    """The one line when the endpoint cannot make this call at all, else None.

    Either it says it does not implement the call (HTTP 501, a "not implemented" code: AWS for
    an action a service lacks; from an emulator a "not implemented" message too: LocalStack,
    moto's mock), or it is an emulator (an endpoint not AWS's that the call went to: the
    calling client's, named by the variable that set it, AWS_ENDPOINT_URL_<SERVICE> or
    AWS_ENDPOINT_URL, or the config file's endpoint_url) whose answer is no AWS error at all:
    moto's server answers a call it lacks with a bare HTML page, HTTP 500 for an action
    (botocore reports a ``500`` code, or cannot parse the page where XML was due) and HTTP 404
    for a REST path. Waiting cures neither, so the line never says to try again; a command may
    carry on without that call.
    """
    try:
        from botocore import exceptions as bx
        from botocore.parsers import ResponseParserError
    except ImportError:  # pragma: no cover - boto3 is installed with every AWS command
        return None
    configured = _configured_endpoint(error)
    override, source, undo = configured or (None, "", "")
    where = f"the endpoint {override} ({source})"
    fix = (
        f"waiting will not help: use an emulator that implements it, or {undo} to run this "
        "against AWS"
    )
    operation = _operation_of(error)
    # moto answers the same for a call it lacks and for one it crashes on (a hostile trial's
    # versioning-suspended bucket): the log tells which.
    moto = "as moto does for a call it does not implement or fails on"
    if isinstance(error, ResponseParserError):  # EC2, CloudFormation: XML was due
        page = str(error)
        if not override or "<html" not in page.lower():
            return None
        answer = "HTTP 500" if "500 Internal Server Error" in page else "an HTML page"
        return f"{where} failed {operation} with {answer}, {moto} (its log says which); {fix}"
    if not isinstance(error, bx.ClientError):
        return None
    info = error.response.get("Error", {})
    code = str(info.get("Code", "Unknown"))
    message = _one_line(info.get("Message") or "", 200)
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
    # AWS's own "not implemented" wording can describe a parameter ("Feature X is not
    # implemented"), so the text counts only from an emulator.
    said_so = (
        status == 501
        or code in _NOT_IMPLEMENTED_CODES
        or bool(override and _NOT_IMPLEMENTED_TEXT.search(message))
    )
    # No AWS error document (a bare status for a code, or an HTML page), where AWS always
    # names its error; a HEAD answer has no body on AWS either. A named 5xx (InternalError,
    # SlowDown) is an outage, even from an emulator: waiting may cure it.
    bare = (code.isdigit() or message.startswith("<")) and not operation.startswith("Head")
    if said_so and not override:
        return (
            f"AWS{f' in {region}' if region else ''} does not implement {operation} as called "
            f"({code}: {message}); waiting will not help: check that the region offers it, or "
            "fix what the message names"
        )
    if said_so:
        detail = f"HTTP {status}" if message.startswith("<") else f"{code}: {message}"
        return f"{where} does not implement {operation} ({detail}); {fix}"
    if override and bare:
        logged = " (its log says which)" if status >= 500 else ""
        return f"{where} failed {operation} with HTTP {status or code}, {moto}{logged}; {fix}"
    return None


def _parser_fault(error: BaseException) -> bool:
    """Whether ``error`` (no botocore exception: a KeyError, an AttributeError...) was raised
    inside botocore's parsing of an answer: an answer that parsed as XML or JSON but is no AWS
    answer (a web server's HTML page with HTTP 200 on the endpoint's port, a portal page: a
    trial's ``KeyError: 'DescribeStacksResult'``) is read as one that could not be read."""
    try:
        from botocore import exceptions as bx
    except ImportError:  # pragma: no cover - boto3 is installed with every AWS command
        return False
    if isinstance(error, (bx.BotoCoreError, bx.ClientError)):
        return False
    traceback = error.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_globals.get("__name__") == "botocore.parsers":
            return True
        traceback = traceback.tb_next
    return False


def _unreadable(error: BaseException, where: str) -> str:
    """The one line for an answer botocore could not read (:func:`_parser_fault`, or a
    ResponseParserError that is no emulator's "not implemented" page): from an endpoint that is
    not AWS's, that endpoint and its setting (something other than an AWS emulator answers
    there); else a proxy in between, or a passing fault."""
    from botocore.parsers import ResponseParserError

    operation = _operation_of(error)
    if isinstance(error, ResponseParserError):  # its advice to retry, and the body: not here
        cause = _one_line(str(error).split(" Further retries")[0], 120)
    else:
        cause = f"{type(error).__name__}: {_one_line(error, 100)}"
    configured = _configured_endpoint(error)
    if configured:
        url, source, undo = configured
        return (
            f"the answer of the endpoint {url} ({source}) to {operation}{where} could not be "
            f"read ({cause}): it is no AWS answer, such as a web page; check that an AWS "
            f"emulator listens there (`week5 local --keep` prints its line), or {undo} to reach "
            "AWS"
        )
    return (
        f"the answer to {operation}{where} could not be read ({cause}); run this again, and if "
        "it persists check any proxy in between (HTTPS_PROXY)"
    )


def foreign_answer(error: BaseException) -> bool:
    """Whether ``error`` is an answer botocore could not read from an endpoint that is not
    AWS's (AWS_ENDPOINT_URL...), other than an emulator's page for a call it lacks
    (:func:`unsupported`): bad input, as an endpoint that is no URL is. Something else answers
    there, and the CDK CLI misreads it too (a trial's destroy said "destroyed", exit 0, with the
    stack still there)."""
    try:
        from botocore.parsers import ResponseParserError
    except ImportError:  # pragma: no cover - boto3 is installed with every AWS command
        return False
    if not (isinstance(error, ResponseParserError) or _parser_fault(error)):
        return False
    return _configured_endpoint(error) is not None and unsupported(error) is None


def throttled(error: BaseException) -> bool:
    """Whether ``error`` is AWS throttling the call (:data:`THROTTLED_CODES`)."""
    try:
        from botocore.exceptions import ClientError
    except ImportError:  # pragma: no cover - boto3 is installed with every AWS command
        return False
    if not isinstance(error, ClientError):
        return False
    return str(error.response.get("Error", {}).get("Code")) in _THROTTLED_CODES


def _operation_of(error: BaseException) -> str:
    """The API call an error came from: a ClientError names it; a ResponseParserError does
    not, so it is read from botocore's frame that made the call."""
    name = getattr(error, "operation_name", None)
    traceback = error.__traceback__
    while name is None and traceback is not None:
        if traceback.tb_frame.f_code.co_name == "_make_api_call":
            name = traceback.tb_frame.f_locals.get("operation_name")
        traceback = traceback.tb_next
    return str(name or "a call")


def _region_not_enabled(region: Optional[str], emulated: bool = False) -> Optional[str]:
    """Why a key AWS does not know may be fine in ``region``, ending in the condition under
    which the key is to blame: a region of another partition, or an opt-in one the account may
    not have enabled; None in a region every account has (and on an emulator, which has no
    regions to enable: ``emulated``)."""
    if not region or region in DEFAULT_ENABLED_REGIONS or emulated:
        return None
    for prefix, partition in OTHER_PARTITIONS:
        if region.startswith(prefix):
            return (
                f"the key may be fine: {region} is in {partition}, whose accounts and keys are "
                f"separate, so another partition's key is refused there: pass --region "
                f"{DEFAULT_REGION}, or use a profile of an {partition} account; if it is one"
            )
    if region not in KNOWN_REGIONS:
        return None
    return (
        f"the key may be fine: {region} is an opt-in region, and AWS answers so in one the account "
        f"has not enabled: enable it (console: Account → AWS Regions, or `aws account "
        f"enable-region --region-name {region}`; it can take minutes to hours), or pass "
        f"--region {DEFAULT_REGION}; if it is enabled"
    )


def _client_fix(code: str, operation: str, profile: Optional[str], region: Optional[str],
                emulated: bool = False) -> str:  # fmt: skip
    if code in _UNKNOWN_KEY_CODES:
        region_fix = _region_not_enabled(region, emulated)
        if region_fix:
            return (
                f"{region_fix}, the access key is wrong, deactivated or deleted: "
                f"{_login_fix(profile)}"
            )
    if code in _CREDENTIAL_CODES:
        return f"the access key is wrong, deactivated or deleted: {_login_fix(profile)}"
    if code in _EXPIRED_CODES:
        return f"the credentials have expired: {_login_fix(profile)}, then run this again"
    if code in _DENIED_CODES:
        return (
            f"these credentials may not call {operation}: use a profile whose role allows it "
            "(--profile NAME), or ask the account's administrator to grant it"
        )
    if code == "OptInRequired":
        return (
            f"the account has not enabled {region or 'this region'} or this service: enable it "
            f"(Account → AWS Regions), or pass --region {DEFAULT_REGION}"
        )
    if code in _THROTTLED_CODES:
        return "AWS is throttling this account's calls: wait a minute, then run this again"
    return "fix what AWS's message names, then run this again"


#: What urllib.parse raises for an endpoint botocore let through, at the first call.
_URL_VALUE_ERRORS = re.compile(r"Port out of range|Port could not be cast|Invalid IPv6 URL")


def _invalid_endpoint(error: BaseException) -> bool:
    """botocore's refusal of an endpoint that is no URL (``AWS_ENDPOINT_URL=127.0.0.1:4566``),
    or urllib's when botocore let it through (a port out of range, an unclosed IPv6 bracket):
    bad input, as a profile that does not exist is; the CDK CLI would fail on it too. The
    environment's are refused before (:func:`check_configuration`); this is the config file's."""
    if not isinstance(error, ValueError):
        return False
    if str(error).startswith("Invalid endpoint: "):
        return True
    if not _URL_VALUE_ERRORS.match(str(error)):
        return False
    traceback = error.__traceback__  # raised inside botocore's call, not by this project
    while traceback is not None:
        if traceback.tb_frame.f_globals.get("__name__", "").startswith(("botocore.", "urllib3.")):
            return True
        traceback = traceback.tb_next
    return False


@contextlib.contextmanager
def translated(profile: Optional[str] = None, region: Optional[str] = None) -> Iterator[None]:
    """Turn an AWS (botocore) error raised inside into :class:`AwsError`; others pass."""
    try:
        yield
    except AwsError:
        raise
    except Exception as error:
        line = describe(error, profile, region)
        if line is None:
            raise
        from botocore.exceptions import InvalidConfigError  # InfiniteLoopConfigError's too
        from botocore.exceptions import InvalidSTSRegionalEndpointsConfigError as BadSts
        from botocore.exceptions import ProfileNotFound

        # A source_profile that does not exist or loops: the user's config, as a profile that
        # does not exist is (the launchers went on, and failed after synthesis).
        config = isinstance(error, (ProfileNotFound, BadSts, InvalidConfigError))
        if config or _invalid_endpoint(error) or foreign_answer(error):
            raise AwsInputError(line) from None
        if _certainly_unreachable(error):
            raise AwsUnreachableError(line) from None
        if throttled(error) and not unsupported(error, region):
            raise AwsThrottledError(line) from None
        raise AwsError(line) from None


def client_config() -> Any:
    """Timeouts in seconds and a few retries, so an unreachable AWS fails quickly."""
    from botocore.config import Config

    return Config(
        connect_timeout=CONNECT_TIMEOUT_S,
        read_timeout=READ_TIMEOUT_S,
        retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"},
    )


def session(profile: Optional[str] = None, region: str = DEFAULT_REGION) -> Any:
    """A boto3 session for ``profile`` in ``region``, the region checked first and a missing
    profile reported as :class:`AwsError`."""
    check_region(region)
    check_profile(profile)
    check_configuration()  # an endpoint or proxy no call can use: before boto3 is imported
    try:
        import boto3
    except ImportError:
        raise AwsError(
            "boto3 is not installed in this Python: run scripts/setup (contributors) or "
            "`python3 scripts/student_setup.py` (students), then run this again"
        ) from None
    socks = botocore_proxy_problem()
    if socks:  # not AwsInputError: the launchers' preflight notes it, the CDK CLI takes SOCKS
        raise AwsError(socks)
    with translated(profile, region):
        return boto3.Session(profile_name=profile, region_name=region)


def clients(profile: Optional[str] = None, region: str = DEFAULT_REGION) -> Callable[..., Any]:
    """``clients("ec2")``: clients of one session, each with :func:`client_config`;
    ``clients("cloudfront", region_name="us-east-1")`` for a global service's region."""
    boto_session = session(profile, region)
    config = client_config()

    def make(service: str, **kwargs: Any) -> Any:
        with translated(profile, kwargs.get("region_name", region)):
            return boto_session.client(service, config=config, **kwargs)

    return make


class Heading:
    """A command's "==> ..." line, said once: when the first call AWS answered
    (:func:`after_first_answer` calls it), or when the command calls it after every call failed
    and was noted; not before its ``text`` is set (a command that learns it from a client)."""

    def __init__(self, say: Callable[[str], None], text: str = "") -> None:
        self.text, self._say, self._said = text, say, False

    def __call__(self) -> None:
        if self.text and not self._said:
            self._said = True
            self._say(self.text)


def after_first_answer(make_client: Callable[..., Any],
                       announce: Callable[[], None]) -> Callable[..., Any]:  # fmt: skip
    """``make_client`` whose clients call ``announce()`` once, after the first call AWS
    answered with success (HTTP 2xx): a command's "==> ..." heading then comes only once AWS
    answers, so a run that ends on an AWS error (no credentials, a throttle, an endpoint that is
    no AWS) prints its one line alone, not two (a trial's status and cleanup printed both)."""
    import threading

    lock = threading.Lock()
    said: list = []

    def answered(http_response: Any = None, **_: Any) -> None:
        status = getattr(http_response, "status_code", None)
        if said or status is None or not 200 <= status < 300:
            return
        with lock:
            if not said:
                said.append(True)
                announce()

    def make(service: str, **kwargs: Any) -> Any:
        client = make_client(service, **kwargs)
        client.meta.events.register("after-call", answered)
        return client

    return make


def account_id(make_client: Callable[..., Any], profile: Optional[str] = None,
               region: Optional[str] = None) -> str:  # fmt: skip
    """The account the credentials belong to (STS, which any credentials may call): a cheap
    first call that fails fast, before minutes of synthesis or a half-done operation."""
    with translated(profile, region):
        return make_client("sts").get_caller_identity()["Account"]


def aws_command(handler: Callable[[Any], int]) -> Callable[[Any], int]:
    """For a command's ``run(args)``: ``args.region`` checked before anything, and every AWS
    error inside turned into :class:`AwsError` (``args.profile``/``args.region`` named)."""

    @functools.wraps(handler)
    def run(args: Any) -> int:
        profile = getattr(args, "profile", None)
        region = getattr(args, "region", None)
        if region is not None:
            check_region(region)
        with translated(profile, region):
            return handler(args)

    return run


def region_problem(region: Any, option: str = "--region") -> Optional[str]:
    """The one line :func:`check_region` would raise, or None when AWS has ``region``."""
    try:
        check_region(region, option)
    except AwsError as error:
        return str(error)
    return None


def explain(error: BaseException, profile: Optional[str] = None,
            region: Optional[str] = None) -> Optional[str]:  # fmt: skip
    """:func:`describe` under the name ``week5 cleanup`` calls it by."""
    return describe(error, profile, region)
