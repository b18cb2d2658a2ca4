"""``aws`` for the tests: an output's AWS CLI line made through boto3 at AWS_ENDPOINT_URL.

``python tests/aws_cli_shim.py rds describe-db-instances --db-instance-identifier X --query
'...' --output text`` makes the call as :func:`aws_cli_on_moto.call_on_moto` makes it (the
operation or waiter and every option by botocore's model, the CLI's shorthand parsed, a
paginated operation paged as the CLI pages it, ``--max-items`` and the other paging options
honoured, the query applied) and prints the answer as the AWS CLI does for ``--output text`` (a
row of tab-separated values per list) or ``json`` (without ``ResponseMetadata``). The CLI's own
commands the courses print are made here as the CLI makes them: ``aws s3 ls`` (buckets, or a
bucket's objects ``date time size key``), ``s3 cp``, ``s3 rm``, ``s3 mb``, ``s3 rb [--force]``
and ``ecr get-login-password``. The suite needs no AWS CLI of its own: awscli pins one
botocore, which this project's boto3 and moto pin otherwise.

It ends as the CLI ends: a refused call prints ``\\nAn error occurred (Code) when calling the
Op operation: message`` on stderr and exits 254, a line the CLI would not take (an unknown
option: "Unknown options: ...") ``aws: error: ...`` and 252, no region 253, anything else one
line and 255. Never a traceback: a test reads stderr as a student reads it.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

#: The AWS CLI's exit codes (docs: "Return codes"): a line it cannot parse, a configuration it
#: cannot use (no region), an error the service answered, anything else.
EXIT_USAGE, EXIT_CONFIG, EXIT_SERVICE, EXIT_OTHER = 252, 253, 254, 255


def text_rows(value: Any) -> Iterator[str]:
    """What the AWS CLI prints for ``--output text`` of a queried answer: a list of scalars is
    one row of tab-separated values, a list of lists a row each; a scalar its text."""
    if isinstance(value, list):
        if all(not isinstance(item, (list, dict)) for item in value):
            if value:
                yield "\t".join(str(item) for item in value)
            return
        for item in value:
            yield from text_rows(item)
    elif isinstance(value, dict):
        yield "\t".join(str(value[key]) for key in sorted(value))
    else:
        yield str(value)


def global_option(argv: List[str], name: str) -> Optional[str]:
    """The value of the CLI's ``--name value`` anywhere in the line, or None."""
    option = f"--{name}"
    if option in argv and argv.index(option) + 1 < len(argv):
        return argv[argv.index(option) + 1]
    return None


# --- `aws s3`: the CLI's own commands, made with the s3 API ---------------------------------


class S3Usage(Exception):
    """An ``aws s3`` line the CLI would not take."""


def _s3_words(argv: List[str], flags: Tuple[str, ...], valued: Tuple[str, ...] = ()):
    """The paths and the options of an ``aws s3 <command> ...`` line (options anywhere, as
    the CLI takes them)."""
    paths: List[str] = []
    options: Dict[str, Any] = {}
    index = 0
    while index < len(argv):
        word = argv[index]
        index += 1
        if not word.startswith("--"):
            paths.append(word)
        elif word[2:] in flags:
            options[word[2:]] = True
        elif word[2:] in valued + ("region", "output", "query"):
            if index >= len(argv):
                raise S3Usage(f"argument {word}: expected one argument")
            options[word[2:]] = argv[index]
            index += 1
        else:
            raise S3Usage(f"Unknown options: {word}")
    return paths, options


def _split_s3(path: str) -> Tuple[str, str]:
    """``s3://bucket/key`` -> (bucket, key)."""
    bucket, _, key = path[len("s3://") :].partition("/")
    return bucket, key


def _local_time(moment: datetime) -> str:
    """What ``aws s3 ls`` prints for a time: the machine's local time, ``YYYY-MM-DD HH:MM:SS``."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def s3_ls(client, argv: List[str]) -> int:
    """``aws s3 ls``: the buckets (``date time name``); ``aws s3 ls s3://bucket[/prefix]`` the
    prefix's folders (``PRE name/``) and objects (``date time size name``); ``--recursive``
    every object under it by its whole key. A prefix that holds nothing exits 1, as the CLI."""
    paths, options = _s3_words(argv, ("recursive", "human-readable", "summarize"), ("page-size",))
    if len(paths) > 1:
        raise S3Usage(f"Unknown options: {', '.join(paths[1:])}")
    if not paths:
        for bucket in client.list_buckets().get("Buckets", []):
            print(f"{_local_time(bucket['CreationDate'])} {bucket['Name']}")
        return 0
    if not paths[0].startswith("s3://"):
        raise S3Usage(f"Invalid argument type: {paths[0]} is not an s3:// path")
    bucket, key = _split_s3(paths[0])
    found = False
    count = size = 0
    paging = {"Bucket": bucket, "Prefix": key}
    if not options.get("recursive"):
        paging["Delimiter"] = "/"
    if "page-size" in options:
        paging["PaginationConfig"] = {"PageSize": int(options["page-size"])}
    for page in client.get_paginator("list_objects_v2").paginate(**paging):
        for prefix in page.get("CommonPrefixes", []):
            found = True
            print(f"{'PRE':>30} {prefix['Prefix'].split('/')[-2]}/")
        for item in page.get("Contents", []):
            found = True
            count, size = count + 1, size + item["Size"]
            name = item["Key"] if options.get("recursive") else item["Key"].split("/")[-1]
            print(f"{_local_time(item['LastModified'])} {item['Size']:>10} {name}")
    if options.get("summarize"):
        print(f"\nTotal Objects: {count}\n   Total Size: {size}")
    return 1 if key and not found else 0


def s3_cp(client, argv: List[str]) -> int:
    """``aws s3 cp FROM TO``: a local file up (``upload: FROM to s3://...``), an object down
    (``download: ...``) or across (``copy: ...``); a destination ending in ``/`` takes the
    source's name, as the CLI's does."""
    paths, _ = _s3_words(argv, ("no-progress", "quiet", "only-show-errors"), ("content-type",))
    if len(paths) != 2:
        raise S3Usage("the following arguments are required: paths")
    source, target = paths
    if target.endswith("/") or (not target.startswith("s3://") and Path(target).is_dir()):
        target = target.rstrip("/") + "/" + source.rstrip("/").rsplit("/", 1)[-1]
    if source.startswith("s3://") and target.startswith("s3://"):
        (bucket, key), (to_bucket, to_key) = _split_s3(source), _split_s3(target)
        client.copy_object(Bucket=to_bucket, Key=to_key, CopySource={"Bucket": bucket, "Key": key})
        print(f"copy: {source} to {target}")
    elif target.startswith("s3://"):
        if not Path(source).is_file():
            print(f"\nThe user-provided path {source} does not exist.", file=sys.stderr)
            return EXIT_OTHER
        bucket, key = _split_s3(target)
        return _transfer("upload", source, target, lambda: client.upload_file(source, bucket, key))
    elif source.startswith("s3://"):
        bucket, key = _split_s3(source)
        return _transfer(
            "download", source, target, lambda: client.download_file(bucket, key, target)
        )
    else:
        raise S3Usage(f"Error: Invalid argument type: neither {source} nor {target} is s3://")
    return 0


def _transfer(kind: str, source: str, target: str, transfer: Callable[[], Any]) -> int:
    """One file up or down, said as the CLI says it: ``upload: a to s3://b/a``, or ``upload
    failed: a to s3://b/a <the error>`` on stderr and exit 1."""
    from boto3.exceptions import S3UploadFailedError
    from botocore.exceptions import ClientError

    try:
        transfer()
    except (ClientError, S3UploadFailedError) as error:
        said = str(error).split(": ", 1)[-1] if isinstance(error, S3UploadFailedError) else error
        print(f"{kind} failed: {source} to {target} {said}", file=sys.stderr)
        return 1
    print(f"{kind}: {source} to {target}")
    return 0


def _keys(client, bucket: str, prefix: str) -> Iterator[str]:
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            yield item["Key"]


def s3_rm(client, argv: List[str]) -> int:
    """``aws s3 rm s3://bucket/key`` (``delete: s3://bucket/key``); ``--recursive`` every
    object under the prefix."""
    paths, options = _s3_words(argv, ("recursive", "quiet", "only-show-errors"))
    if len(paths) != 1 or not paths[0].startswith("s3://"):
        raise S3Usage("the following arguments are required: an s3:// path")
    bucket, key = _split_s3(paths[0])
    keys = list(_keys(client, bucket, key)) if options.get("recursive") else [key]
    for each in keys:
        client.delete_object(Bucket=bucket, Key=each)
        print(f"delete: s3://{bucket}/{each}")
    return 0


def s3_mb(client, argv: List[str]) -> int:
    """``aws s3 mb s3://bucket`` (``make_bucket: bucket``), in the line's region."""
    paths, options = _s3_words(argv, ())
    if len(paths) != 1 or not paths[0].startswith("s3://"):
        raise S3Usage("the following arguments are required: an s3:// path")
    bucket, _ = _split_s3(paths[0])
    region = client.meta.region_name
    where = (
        {}
        if region == "us-east-1"
        else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    )
    client.create_bucket(Bucket=bucket, **where)
    print(f"make_bucket: {bucket}")
    return 0


def s3_rb(client, argv: List[str]) -> int:
    """``aws s3 rb s3://bucket`` (``remove_bucket: bucket``); ``--force`` deletes every object
    first (``delete: ...`` each). A bucket that is not empty fails as the CLI's does, exit 1."""
    paths, options = _s3_words(argv, ("force",))
    if len(paths) != 1 or not paths[0].startswith("s3://"):
        raise S3Usage("the following arguments are required: an s3:// path")
    bucket, key = _split_s3(paths[0])
    if key:
        raise S3Usage("Please specify a valid bucket name only. E.g. s3://bucket")
    if options.get("force"):
        s3_rm(client, [f"s3://{bucket}/", "--recursive"])
    from botocore.exceptions import ClientError

    try:
        client.delete_bucket(Bucket=bucket)
    except ClientError as error:
        print(f"remove_bucket failed: s3://{bucket} {error}", file=sys.stderr)
        return 1
    print(f"remove_bucket: {bucket}")
    return 0


S3_COMMANDS: Dict[str, Callable[[Any, List[str]], int]] = {
    "ls": s3_ls, "cp": s3_cp, "rm": s3_rm, "mb": s3_mb, "rb": s3_rb,
}  # fmt: skip


# --- the line -----------------------------------------------------------------------------


def _client(region: Optional[str]) -> Callable[[str], Any]:
    import boto3

    # The line's --region, as the CLI takes it; else the environment's (AWS_DEFAULT_REGION).
    return lambda service: boto3.client(service, region_name=region)


def run(argv: List[str]) -> int:
    """Make the line's call and print its answer as the CLI prints it; its exit code."""
    from aws_cli_on_moto import call_on_moto

    region = global_option(argv, "region")
    aws = _client(region)
    if argv[:1] == ["s3"]:
        if len(argv) < 2 or argv[1] not in S3_COMMANDS:
            raise S3Usage(f"argument subcommand: Invalid choice: {argv[1:2]} (s3)")
        return S3_COMMANDS[argv[1]](aws("s3"), argv[2:])
    if argv[:2] == ["ecr", "get-login-password"]:
        (token,) = aws("ecr").get_authorization_token()["authorizationData"][:1]
        print(base64.b64decode(token["authorizationToken"]).decode().partition(":")[2])
        return 0
    output = global_option(argv, "output") or os.environ.get("AWS_DEFAULT_OUTPUT", "json")
    if output not in ("json", "text"):  # the CLI's table and yaml: not made here
        raise NotMadeHere(f"--output {output} is not made by tests/aws_cli_shim.py")
    answer = call_on_moto(aws, argv)
    if argv[1] == "wait":  # a waiter prints nothing
        return 0
    if output == "text":
        for row in text_rows(answer):
            print(row)
    elif answer != {}:  # the CLI prints no empty answer (a delete's, once without metadata)
        print(json.dumps(answer, indent=4, ensure_ascii=False))
    return 0


class NotMadeHere(Exception):
    """What this stand-in does not make (the CLI does): said, never faked."""


def _one_line(error: BaseException) -> str:
    """The error's text on one line (an emulator's HTML error page is many)."""
    text = str(error)
    return " ".join(text.split()) if "\n" in text else text


#: Where the errors the CLI prints as they are come from: the SDK it is built on.
SDK_MODULES = ("botocore", "boto3", "s3transfer")


def main(argv: List[str]) -> int:
    """:func:`run`, ending as the CLI ends: one line on stderr and its exit code for each kind
    of failure, never a traceback."""
    from aws_cli_on_moto import CliUsageError
    from botocore.exceptions import ClientError, NoRegionError, ParamValidationError

    try:
        return run(argv)
    except ClientError as error:  # botocore's text is the CLI's: "An error occurred (...) when"
        print(f"\n{_one_line(error)}", file=sys.stderr)
        return EXIT_SERVICE
    except (CliUsageError, S3Usage) as error:
        print(f"aws: error: {_one_line(error)}", file=sys.stderr)
        return EXIT_USAGE
    except ParamValidationError as error:
        print(f"\n{' '.join(str(error).split())}", file=sys.stderr)
        return EXIT_USAGE
    except NoRegionError:
        print(
            'You must specify a region. You can also configure your region by running "aws '
            'configure".',
            file=sys.stderr,
        )
        return EXIT_CONFIG
    except Exception as error:  # noqa: BLE001 - one line, never a traceback
        if type(error).__module__.split(".")[0] in SDK_MODULES:
            # A waiter that gave up, no endpoint, an answer botocore cannot read: the CLI
            # prints the error's text and exits 255.
            print(f"\n{_one_line(error)}", file=sys.stderr)
        else:  # the stand-in's own failure, or what it does not make
            kind = "" if isinstance(error, NotMadeHere) else f" ({type(error).__name__})"
            print(f"aws (tests/aws_cli_shim.py): {_one_line(error)}{kind}", file=sys.stderr)
        return EXIT_OTHER


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
