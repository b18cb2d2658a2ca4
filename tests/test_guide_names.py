"""docs/labs/: the names a guide gives are the ones the console lists, and its time table adds up.

A student trial looked in the console for what Day5Lab1's guide named: the parameter
`CloudMart/DbEndpointParameter` (the console lists `/week5-<name>-Day5Lab1/cloudmart/db-endpoint`),
the secret `WordpressDbPassword` (listed as `WordpressDbPasswordB5AA1373-Y5EKPLSW0UPA`) and the
ALB `week5-day5-backend-alb` (only its Name tag). And Day1Lab1's time table read 1.2 + 1.2 + 47.5
minutes of a 50-minute lab.

A reviewer (D17) then read that an ALB's or a web ACL's list name is "the physical ID" (an ARN,
``name|id|scope``), that CloudFormation adds its characters right after ``WordpressDbPassword``
(CDK's hash ``B5AA1373`` comes first), and a time table that could print "없음 (-0분 넘침)".
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
    # WordpressDbPasswordB5AA1373-Y5EKPLSW0UPA: the logical id, CDK's hash in it, then `-`
    assert listed.prefix == "WordpressDbPasswordB5AA1373-"
    rds_secret = "Day5Lab1CloudMartDatabaseInstanceSecret16937A0B3fdaad7efa858a3daf9490cf0a702aeb"
    assert console_name(rds_secret, secret).prefix == rds_secret + "-"
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
    assert listed.prefix == "week5-kim-Day5Lab1-CloudMartBackendAsgASG27427BFA-"
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
        "- Secrets Manager `CloudMart/Database/Instance/Secret` (VPC 밖) — 이 이름은 코드의 경로; "
        "콘솔 목록에는 CloudFormation이 지은 이름으로 나옴: "
        "`Day5Lab1CloudMartDatabaseInstanceSecret16937A0B3fdaad7efa858a3daf9490cf0a702aeb-` 뒤에 "
        "임의의 글자 (`16937A0B3fdaad7efa858a3daf9490cf0a702aeb`: CDK가 논리적 ID에 붙인 해시)\n"
    ) in listed
    # An ALB's physical ID is its ARN: ...:loadbalancer/app/<the listed name>/<id>
    alb = next(line for line in listed.splitlines() if line.startswith("- ALB "))
    assert alb.startswith("- ALB week5-day5-backend-alb (internet-facing) — Public")
    assert alb.endswith(
        " — 이 이름은 Name 태그; 콘솔 목록에는 CloudFormation이 지은 이름으로 나옴: 스택의 리소스 "
        "탭에서 논리적 ID `CloudMartBackendAlb59DB33A1`의 물리적 ID(ARN) 중 `loadbalancer/app/`와 "
        "그다음 `/` 사이"
    )
    # stack-LogicalId-RANDOM, CDK's hash in the logical id
    asg = next(line for line in listed.splitlines() if line.startswith("- Auto Scaling "))
    assert asg.endswith(
        " — 이 이름은 Name 태그; 콘솔 목록에는 CloudFormation이 지은 이름으로 나옴: "
        "`week5-<이름>-Day5Lab1-CloudMartBackendAsgASG27427BFA-` 뒤에 임의의 글자 "
        "(`27427BFA`: CDK가 논리적 ID에 붙인 해시)"
    )
    # The output holds the topic's Ref, its ARN: the name is its last part.
    assert (
        "- SNS `CloudMart/AlarmTopic` (VPC 밖) — 이 이름은 코드의 경로; 콘솔 목록에는 "
        "CloudFormation이 지은 이름으로 나옴: 출력 `AlarmTopicArn`의 값(ARN) 중 마지막 `:` 뒤\n"
    ) in listed
    # A database's physical ID is its identifier, the name the console lists.
    assert (
        "콘솔 목록에는 CloudFormation이 지은 이름으로 나옴: 스택의 리소스 탭에서 논리적 ID "
        "`CloudMartDatabaseInstance1AF453B7`의 물리적 ID\n"
    ) in listed
    # The diagram is unchanged; the note under it says which of its names are tags only.
    assert "[Parameter Store] CloudMart/DbEndpointParameter," in text
    assert (
        "그림의 이름 중 Name 태그인 것(`week5-day5-backend-alb`, `week5-day5-backend-asg`)은 "
        "콘솔 목록에 보이는 이름이 아닙니다."
    ) in text


def test_each_guide_says_how_a_secret_without_a_name_is_listed(guides, app):
    for lab_id in ("Day1Lab1", "Day1Case"):
        assert (
            "- Secrets Manager `WordpressDbPassword` (VPC 밖) — 이 이름은 코드의 경로; 콘솔 목록에는 "
            "CloudFormation이 지은 이름으로 나옴: `WordpressDbPasswordB5AA1373-` 뒤에 임의의 글자 "
            "(`B5AA1373`: CDK가 논리적 ID에 붙인 해시)\n"
        ) in builds(guides[f"{lab_id}.md"]), lab_id
    assert "`CatalogDbPasswordC4AAAE38-` 뒤에 임의의 글자" in builds(guides["Day3Lab2.md"])
    assert "출력 `BucketName`에서 확인" in builds(guides["Day2Lab2.md"])
    made_up = 0
    for lab_id, template in app.templates.items():
        unnamed = [
            logical_id
            for logical_id, resource in template["Resources"].items()
            if resource["Type"] == "AWS::SecretsManager::Secret"
            and "Name" not in (resource.get("Properties") or {})
        ]
        said = [line for line in builds(guides[f"{lab_id}.md"]).splitlines()
                if line.startswith("- Secrets Manager ")
                and ": CDK가 논리적 ID에 붙인 해시)" in line]  # fmt: skip
        assert len(said) == len(unnamed), lab_id
        # Each begins with the whole logical id the template has: CDK's hashes are in the name.
        for logical_id in unnamed:
            assert [line for line in said if f"`{logical_id}-` 뒤에 임의의 글자" in line], (
                lab_id, logical_id
            )  # fmt: skip
        made_up += len(unnamed)
    assert made_up


def test_a_web_acls_list_name_is_the_first_part_of_its_physical_id(guides):
    """A web ACL's physical ID is ``name|id|scope``: the guide says which part is the name."""
    (line,) = [line for line in builds(guides["Day3Case.md"]).splitlines()
               if line.startswith("- WAF ")]  # fmt: skip
    assert line == (
        "- WAF `WebAcl` (VPC 밖) — 이 이름은 코드의 경로; 콘솔 목록에는 CloudFormation이 지은 "
        "이름으로 나옴: 스택의 리소스 탭에서 논리적 ID `WebAcl`의 물리적 ID(`이름|ID|범위`) 중 "
        "첫 `|` 앞"
    )
    # No guide leaves an ALB, a web ACL or a topic at "the physical ID", which is more than its name.
    checked = 0
    for lab_id in GUIDES:
        for line in builds(guides[f"{lab_id}.md"]).splitlines():
            if line.startswith(("- ALB ", "- WAF ", "- SNS ")) and "CloudFormation이 지은" in line:
                assert line.endswith((" 사이", " 앞", " 뒤")), (lab_id, line)
                checked += 1
    assert checked >= 10  # Days 2-5's eight ALBs, Day3Case's web ACL, Day 5's topics


def test_a_logical_id_is_named_without_either_of_cdks_hashes():
    """One function finds CDK's hashes, for the diagrams' names (without them) and the guides'
    notes (which part of a made-up name is CDK's): the 8 upper-case hex digits, and the 32
    lower-case ones after them on a database's secret."""
    from week5.analysis.topology import cdk_hash, label

    rds_secret = "Day5Lab1CloudMartDatabaseInstanceSecret16937A0B3fdaad7efa858a3daf9490cf0a702aeb"
    assert label(rds_secret, {}) == "Day5Lab1CloudMartDatabaseInstanceSecret"
    assert cdk_hash(rds_secret) == "16937A0B3fdaad7efa858a3daf9490cf0a702aeb"
    assert label("WordpressDbPasswordB5AA1373", {}) == "WordpressDbPassword"
    assert cdk_hash("WordpressDbPasswordB5AA1373") == "B5AA1373"
    # No hash, or an id that is all hash: the id as it is.
    assert (label("WebAcl", {}), cdk_hash("WebAcl")) == ("WebAcl", "")
    assert (label("B5AA1373", {}), cdk_hash("B5AA1373")) == ("B5AA1373", "")


def test_a_time_table_with_no_minutes_left_says_0_minutes_not_minus_0(monkeypatch):
    """Create and delete of 24.96 minutes each print as 25 + 25 = the 50-minute slot: what is
    left is 0분, with the advice to deploy before the class; never "없음 (-0분 넘침)"."""
    from stacks.catalog import CATALOG
    from week5.analysis import guide as guide_module

    def took(create, delete):
        monkeypatch.setattr(
            guide_module.timing,
            "estimate_duration",
            lambda template: timing.Duration(round(create * 60), round(delete * 60), [], []),
        )
        text = guide_module.render_guide(
            CATALOG.get("Day1Lab1"), {"Resources": {}}, GUIDES["Day1Lab1"], ("", ""), ""
        )
        return text.split("## 50분 실습 시간")[1].split("\n## ")[0]

    section = took(24.96, 24.96)
    assert "| 생성 (`cdk deploy`) | 25분 |" in section
    assert "| 삭제 (`cdk destroy`) | 25분 |" in section
    assert "| 생성과 삭제를 빼고 남는 시간 | 0분 (수업 전에 배포하고 수업 뒤에 삭제) |" in section
    assert "-0" not in section and "없음" not in section
    section = took(30, 24.96)
    assert "| 생성과 삭제를 빼고 남는 시간 | 없음 (5분 넘침: 수업 전에 배포하고 수업 뒤에 삭제) |" in section
    assert "| 생성과 삭제를 빼고 남는 시간 | 0.1분 |" in took(24.96, 24.9)


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
