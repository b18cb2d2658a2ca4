"""``aws`` for the tests: an output's AWS CLI line made through boto3 at AWS_ENDPOINT_URL.

``python tests/aws_cli_shim.py rds describe-db-instances --db-instance-identifier X --query
'...' --output text`` makes the call as :func:`aws_cli_on_moto.call_on_moto` makes it (the
operation or waiter and every option by botocore's model, the CLI's shorthand parsed, the query
applied) and prints the answer as the AWS CLI does for ``--output text`` (a row of tab-separated
values per list) or ``json``. The suite needs no AWS CLI of its own: awscli pins one botocore,
which this project's boto3 and moto pin otherwise. A refused call exits 255 with AWS's message on
stderr, as the CLI does; a line the model refuses fails with the assertion that names it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent))

import boto3  # noqa: E402
from aws_cli_on_moto import call_on_moto  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402


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


def main(argv: list) -> int:
    output = argv[argv.index("--output") + 1] if "--output" in argv else "json"
    try:
        answer = call_on_moto(boto3.client, argv)
    except ClientError as error:
        print(f"\nAn error occurred ({error.response['Error']['Code']}): {error}", file=sys.stderr)
        return 255
    if output == "text":
        for row in text_rows(answer):
            print(row)
    elif answer is not None:
        print(json.dumps(answer, indent=4))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
