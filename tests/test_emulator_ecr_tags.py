"""The emulator's tagging API lists tagged ECR repositories as AWS does
(week5/operations/moto_models/ecr_tagged_repositories.py): a student trial (Day5Challenge on
`week5 local`) made a repository with the course's tags by ``aws ecr create-repository --tags``;
``week5 cleanup`` listed it, but ``week5 status --student`` did not, and ``aws
resourcegroupstaggingapi get-resources --resource-type-filters ecr`` (the guide's check for
leftovers) answered nothing: moto 5.2.5's ECR takes no part in the tagging API.

Through the real emulator (moto's server with the project's models, started as `week5 local`
starts it), with boto3 and with `week5 status`, as the student saw them. The check that moto
still needs the patch is tests/test_moto_models.py's.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

import own_emulator

from week5.cli import main

#: The file's own emulator (tests/own_emulator.py), by the names the tests use.
emulator = own_emulator.emulator
aws = own_emulator.aws

REGION = "ap-northeast-2"
ACCOUNT = "123456789012"
STUDENT = "t18b"
#: The trial's repository and tags.
NAME = "cloudmart-tagged"
TAGS = {"Week": "Week5", "Day": "Day5", "Student": STUDENT, "Lab": "Challenge"}


def arn(name: str) -> str:
    return f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{name}"


def tag_list(tags: Dict[str, str]) -> List[Dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def create(aws, name: str, tags: Dict[str, str]) -> None:
    """``aws ecr create-repository --repository-name NAME [--tags ...]``."""
    aws("ecr").create_repository(repositoryName=name, **({"tags": tag_list(tags)} if tags else {}))


def get_resources(aws, **request: Any) -> Dict[str, Dict[str, str]]:
    """``aws resourcegroupstaggingapi get-resources``, every page: ARN -> tags."""
    pages = aws("resourcegroupstaggingapi").get_paginator("get_resources").paginate(**request)
    return {
        m["ResourceARN"]: {t["Key"]: t["Value"] for t in m["Tags"]}
        for page in pages
        for m in page["ResourceTagMappingList"]
    }


def test_get_resources_lists_the_trials_repository_by_its_type_and_tags(aws):
    kims = {**TAGS, "Student": "kim"}
    create(aws, NAME, TAGS)
    create(aws, "cloudmart-kim", kims)
    create(aws, "cloudmart-untagged", {})
    mine = [{"Key": "Student", "Values": [STUDENT]}]
    for kind in ("ecr", "ecr:repository"):  # the service, or its resource type
        assert get_resources(aws, TagFilters=mine, ResourceTypeFilters=[kind]) == {
            arn(NAME): TAGS
        }, kind
    assert get_resources(aws, TagFilters=mine) == {arn(NAME): TAGS}
    assert get_resources(aws, TagFilters=mine, ResourceTypeFilters=["ec2"]) == {}
    # Another student's is listed under its own tags; one never tagged is not listed.
    assert set(get_resources(aws, ResourceTypeFilters=["ecr"])) == {
        arn(NAME), arn("cloudmart-kim")
    }
    assert aws("ecr").list_tags_for_resource(resourceArn=arn(NAME))["tags"] == tag_list(TAGS)
    # Deleted by hand, as the guide says: no longer listed.
    aws("ecr").delete_repository(repositoryName=NAME)
    assert get_resources(aws, ResourceTypeFilters=["ecr"]) == {arn("cloudmart-kim"): kims}


def test_get_resources_pages_through_repositories(aws):
    names = [f"cloudmart-{n}" for n in range(5)]
    for name in names:
        create(aws, name, TAGS)
    pages = list(
        aws("resourcegroupstaggingapi").get_paginator("get_resources").paginate(
            ResourceTypeFilters=["ecr"], ResourcesPerPage=2
        )
    )
    assert [len(p["ResourceTagMappingList"]) for p in pages] == [2, 2, 1]
    listed = [m["ResourceARN"] for p in pages for m in p["ResourceTagMappingList"]]
    assert sorted(listed) == sorted(arn(name) for name in names)


def test_week5_status_shows_the_repository_tagged_but_in_no_stack(aws, capsys):
    create(aws, NAME, TAGS)
    assert main(["status", "--json", "--student", STUDENT]) == 0
    captured = capsys.readouterr()
    untracked = json.loads(captured.out)["untracked"]
    assert [u["arn"] for u in untracked] == [arn(NAME)], captured.err
    assert main(["status", "--student", STUDENT]) == 0
    out = capsys.readouterr().out
    assert "Tagged Week=Week5 but in no stack (1)" in out
    assert arn(NAME) in out
