"""A template URL on an IP address (``http://127.0.0.1:5000/bucket/key``) read path-style, as on
``localhost``.

Written against moto 5.2.5, whose CloudFormation reads a ``TemplateURL`` path-style only when
the URL holds "localhost"; any other host is taken for a virtual-hosted bucket, so on
``127.0.0.1`` it looked for the bucket "127". ``cdk deploy`` passes such a URL for every
template it stages in the bootstrap bucket, so an emulator started by hand on the address
moto's own banner prints (``Running on http://127.0.0.1:5000``) failed every deploy with "The
specified bucket does not exist". :func:`install` gives moto the URL with the IP address
written as ``localhost``. Delete this module when moto reads such URLs itself
(tests/test_moto_models.py says when).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlparse

from moto.cloudformation import models, responses, utils

#: moto's own, read before :func:`install` (tests/test_moto_models.py runs it to tell when moto
#: no longer needs this module).
MOTO_OWN = utils.get_stack_from_s3_url


def _on_an_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def get_stack_from_s3_url(template_url: str, account_id: str, partition: str) -> str:
    """moto's, with an IP address host written as ``localhost`` (read path-style)."""
    parts = urlparse(template_url)
    if parts.hostname and _on_an_ip_address(parts.hostname):
        port = f":{parts.port}" if parts.port else ""
        template_url = parts._replace(netloc=f"localhost{port}").geturl()
    return MOTO_OWN(template_url, account_id, partition)


def install() -> None:
    """Patch the two places moto's CloudFormation reads a template URL (idempotent)."""
    models.get_stack_from_s3_url = get_stack_from_s3_url
    responses.get_stack_from_s3_url = get_stack_from_s3_url
