"""docs/labs/: the names a guide gives are the ones the console lists, and its time table adds up.

A student trial looked in the console for what Day5Lab1's guide named: the parameter
`CloudMart/DbEndpointParameter` (the console lists `/week5-<name>-Day5Lab1/cloudmart/db-endpoint`),
the secret `WordpressDbPassword` (listed as `WordpressDbPasswordB5AA1373-Y5EKPLSW0UPA`) and the
ALB `week5-day5-backend-alb` (only its Name tag). And Day1Lab1's time table read 1.2 + 1.2 + 47.5
minutes of a 50-minute lab.
"""

import re
from pathlib import Path

import pytest

from stacks.catalog import CATALOG
from stacks.guides import GUIDES
from week5.analysis import timing
from week5.analysis.guide import generate


@pytest.fixture(scope="module")
def guides(app, tmp_path_factory):
    out = tmp_path_factory.mktemp("docs")
    return generate(CATALOG, GUIDES, templates=app.templates, pictures=False, out=out)


def builds(text: str) -> str:
    """A guide's "무엇을 만드나" list."""
    return text.split("## 무엇을 만드나")[1].split("\n## ")[0]


def tag(name):
    return [{"Key": "Name", "Value": name}]


def test_the_console_name_is_the_physical_name_the_template_gives():
    from week5.analysis.topology import console_name

    parameter = {
        "Type": "AWS::SSM::Parameter",
        "Properties": {"Name": "/week5-kim-Day5Lab1/cloudmart/db-endpoint", "Type": "String"},
        "Metadata": {"aws:cdk:path": "Day5Lab1/CloudMart/DbEndpointParameter/Resource"},
    }
    listed = console_name("CloudMartDbEndpointParameter68CB9BDC", parameter)
    assert (listed.name, listed.shown) == ("/week5-kim-Day5Lab1/cloudmart/db-endpoint", True)
    joined = {"Fn::Join": ["", ["/", {"Ref": "AWS::StackName"}, "/cloudmart/db-endpoint"]]}
    parameter["Properties"]["Name"] = joined
    assert console_name("P", parameter, "week5-kim-Day5Lab1").name == (
        "/week5-kim-Day5Lab1/cloudmart/db-endpoint"
    )
    # Named from another resource at deploy: not made up by CloudFormation; the diagram's name.
    parameter["Properties"]["Name"] = {"Fn::GetAtt": ["Db", "Endpoint.Address"]}
    listed = console_name("P", parameter, "week5-kim-Day5Lab1")
    assert (listed.name, listed.shown) == ("CloudMart/DbEndpointParameter", True)
    api = {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": "HttpApi"}}
    assert console_name("HttpApiF5A9A8A7", api).shown


def test_a_made_up_name_says_how_it_begins_and_a_name_tag_says_it_is_one():
    from week5.analysis.topology import console_name

    secret = {
        "Type": "AWS::SecretsManager::Secret",
        "Properties": {"GenerateSecretString": {}},
        "Metadata": {"aws:cdk:path": "Day1Lab1/WordpressDbPassword/Resource"},
    }
    listed = console_name("WordpressDbPasswordB5AA1373", secret)
    assert (listed.name, listed.shown, listed.tag) == ("WordpressDbPassword", False, False)
    assert listed.prefix == "WordpressDbPassword"
    rds_secret = "Day5Lab1CloudMartDatabaseInstanceSecret16937A0B3fdaad7efa858a3daf9490cf0a702aeb"
    assert console_name(rds_secret, secret).prefix == "Day5Lab1CloudMartDatabaseInstanceSecret"
    alb = {
        "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "Properties": {"Scheme": "internet-facing", "Tags": tag("week5-day5-backend-alb")},
    }
    listed = console_name("CloudMartBackendAlb59DB33A1", alb, "week5-kim-Day5Lab1")
    assert (listed.name, listed.shown, listed.tag, listed.prefix) == (
        "week5-day5-backend-alb", False, True, ""
    )
    asg = {
        "Type": "AWS::AutoScaling::AutoScalingGroup",
        "Properties": {"MinSize": "2", "Tags": [
            {"Key": "Name", "Value": "week5-day5-backend-asg", "PropagateAtLaunch": False}
        ]},
    }  # fmt: skip
    listed = console_name("CloudMartBackendAsgASG27427BFA", asg, "week5-kim-Day5Lab1")
    assert (listed.shown, listed.tag) == (False, True)
    assert listed.prefix == "week5-kim-Day5Lab1-CloudMartBackendAsgASG"
    # An instance's Name tag is the Name column of the console's list: as the diagram has it.
    instance = {"Type": "AWS::EC2::Instance", "Properties": {"Tags": tag("week5-day1-web")}}
    assert (console_name("WebHost", instance).name, console_name("WebHost", instance).shown) == (
        "week5-day1-web", True
    )


def test_day5_lab1s_guide_names_its_parameters_secrets_alb_and_asg_as_the_console_lists_them(
    guides,
):
    text = guides["Day5Lab1.md"]
    listed = builds(text)
    for name in ("db-endpoint", "db-secret-arn", "redis-endpoint", "redis-secret-arn", "log-group"):
        assert f"- Parameter Store `/week5-<이름>-Day5Lab1/cloudmart/{name}` (VPC 밖)\n" in listed
    assert "DbEndpointParameter" not in listed
    assert (
        "- Secrets Manager `CloudMart/Database/Instance/Secret` (VPC 밖) — 코드의 경로; 콘솔 목록의 "
        "이름은 `Day5Lab1CloudMartDatabaseInstanceSecret` 뒤에 CloudFormation이 글자를 붙인 것\n"
    ) in listed
    alb = next(line for line in listed.splitlines() if line.startswith("- ALB "))
    assert alb.startswith("- ALB week5-day5-backend-alb (internet-facing) — Public")
    assert alb.endswith(
        " — Name 태그; 콘솔 목록의 이름은 CloudFormation이 지음: 스택의 리소스 탭에서 논리적 ID "
        "`CloudMartBackendAlb59DB33A1`의 물리적 ID"
    )
    asg = next(line for line in listed.splitlines() if line.startswith("- Auto Scaling "))
    assert asg.endswith(
        " — Name 태그; 콘솔 목록의 이름은 `week5-<이름>-Day5Lab1-CloudMartBackendAsgASG` 뒤에 "
        "CloudFormation이 글자를 붙인 것"
    )
    # The diagram is unchanged; the note under it says which of its names are tags only.
    assert "[Parameter Store] CloudMart/DbEndpointParameter," in text
    assert (
        "그림의 이름 중 Name 태그인 것(`week5-day5-backend-alb`, `week5-day5-backend-asg`)은 "
        "콘솔 목록에 보이는 이름이 아닙니다."
    ) in text


def test_each_guide_says_how_a_secret_without_a_name_is_listed(guides, app):
    for lab_id in ("Day1Lab1", "Day1Case"):
        assert (
            "- Secrets Manager `WordpressDbPassword` (VPC 밖) — 코드의 경로; 콘솔 목록의 이름은 "
            "`WordpressDbPassword` 뒤에 CloudFormation이 글자를 붙인 것\n"
        ) in builds(guides[f"{lab_id}.md"]), lab_id
    assert "`CatalogDbPassword` 뒤에 CloudFormation이" in builds(guides["Day3Lab2.md"])
    assert "출력 `BucketName`에서 확인" in builds(guides["Day2Lab2.md"])
    made_up = 0
    for lab_id, template in app.templates.items():
        unnamed = sum(
            1
            for resource in template["Resources"].values()
            if resource["Type"] == "AWS::SecretsManager::Secret"
            and "Name" not in (resource.get("Properties") or {})
        )
        said = [line for line in builds(guides[f"{lab_id}.md"]).splitlines()
                if line.startswith("- Secrets Manager ")
                and line.endswith(" 뒤에 CloudFormation이 글자를 붙인 것")]  # fmt: skip
        assert len(said) == unnamed, lab_id
        made_up += unnamed
    assert made_up


def test_each_guides_time_table_adds_up_to_the_slot_as_printed(guides, app):
    """Each figure rounded as printed, then what is left: Day1Lab1 printed 1.2 + 1.2 + 47.5."""
    slot = timing.LAB_SLOT_MINUTES
    for lab_id in GUIDES:
        section = guides[f"{lab_id}.md"].split(f"## {slot}분 실습 시간")[1].split("\n## ")[0]
        figures = {
            row: float(value)
            for row, value in re.findall(r"\| ([^|]+?) \| (?:없음 \()?([\d.]+)분", section)
        }
        create, delete = figures["생성 (`cdk deploy`)"], figures["삭제 (`cdk destroy`)"]
        left = figures["생성과 삭제를 빼고 남는 시간"]
        over = "넘침" in section
        assert round(create + delete + (-left if over else left), 1) == slot, (lab_id, figures)
    day1 = guides["Day1Lab1.md"]
    took = timing.estimate_duration(app.templates["Day1Lab1"])
    assert (round(took.create_min, 1), round(took.delete_min, 1)) == (1.2, 1.2)
    assert "| 생성과 삭제를 빼고 남는 시간 | 47.6분 |" in day1


def test_the_diagrams_keep_their_names():
    """label() names the diagrams and `week5 cost`: the console names are the guide's list's."""
    golden = Path(__file__).parent / "golden" / "day1_lab2_diagram.txt"
    assert "week5-day1-bastion" in golden.read_text(encoding="utf-8")
    from week5.analysis.topology import label

    alb = {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
           "Properties": {"Tags": tag("week5-day5-backend-alb")}}  # fmt: skip
    assert label("CloudMartBackendAlb59DB33A1", alb) == "week5-day5-backend-alb"
    parameter = {
        "Type": "AWS::SSM::Parameter",
        "Properties": {"Name": "/week5-kim-Day5Lab1/cloudmart/db-endpoint"},
        "Metadata": {"aws:cdk:path": "Day5Lab1/CloudMart/DbEndpointParameter/Resource"},
    }
    assert label("P", parameter) == "CloudMart/DbEndpointParameter"
