"""EC2's ``DescribeLaunchTemplates`` in pages, as AWS answers it: ``MaxResults`` (1 to 200) a
page, a ``NextToken`` while more are left, every template when ``MaxResults`` is not given.

Written against moto 5.2.5, whose answer holds at most ``MaxResults`` templates (15 when not
given) and never a ``NextToken``: botocore's paginator stopped at the first page, so
``week5 cleanup`` against the emulator missed every launch template after the 15th, saying
nothing. :func:`install` gives moto's EC2 answer the pages (the token names the last template
given; one that names no template left is ``InvalidNextToken``). Delete this module when moto
pages the answer (tests/test_moto_models.py says when).
"""

from __future__ import annotations

from moto.core.responses import ActionResult
from moto.ec2.exceptions import InvalidNextToken, InvalidParameterValue
from moto.ec2.responses.launch_templates import LaunchTemplates

#: botocore's model: DescribeLaunchTemplatesMaxResults.
MAX_RESULTS = 200

#: moto's own, read before :func:`install` (tests/test_moto_models.py runs it to tell when moto
#: no longer needs this module).
MOTO_OWN = LaunchTemplates.describe_launch_templates


def describe_launch_templates(self: LaunchTemplates) -> ActionResult:
    max_results = self._get_int_param("MaxResults")
    token = self._get_param("NextToken")
    if max_results is not None and not 1 <= max_results <= MAX_RESULTS:
        raise InvalidParameterValue(
            f"Value ( {max_results} ) for parameter maxResults is invalid. "
            f"Expecting a value between 1 and {MAX_RESULTS}."
        )
    self.error_on_dryrun()
    templates = self.ec2_backend.describe_launch_templates(
        template_names=self._get_param("LaunchTemplateNames", []),
        template_ids=self._get_param("LaunchTemplateIds", []),
        filters=self._filters_from_querystring(),
    )
    start = 0
    if token:
        ids = [t.id for t in templates]
        if token not in ids:
            raise InvalidNextToken(token)
        start = ids.index(token) + 1
    end = len(templates) if max_results is None else start + max_results
    page = templates[start:end]
    result = {
        "LaunchTemplates": [
            {
                "CreateTime": t.create_time,
                "CreatedBy": f"arn:{self.partition}:iam::{self.current_account}:root",
                "DefaultVersionNumber": t.default_version_number,
                "LatestVersionNumber": t.latest_version_number,
                "LaunchTemplateId": t.id,
                "LaunchTemplateName": t.name,
                "Tags": t.tags,
            }
            for t in page
        ]
    }
    if end < len(templates) and page:
        result["NextToken"] = page[-1].id
    return ActionResult(result)


def install() -> None:
    """Patch moto's EC2 answer as the module's docstring says (idempotent)."""
    LaunchTemplates.describe_launch_templates = (  # type: ignore[method-assign]
        describe_launch_templates
    )
