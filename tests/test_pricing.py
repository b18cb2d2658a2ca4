"""week5.analysis.pricing and `week5 cost`: each priced type, the labs against the course's figures, a
hand cross-check, unpriced types reported, and one lab's table as golden output."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT

from stacks.catalog import CATALOG
from week5.analysis import pricing, timing, verdict
from week5.cli import cost as cost_command

GOLDEN = Path(__file__).parent / "golden" / "day1_lab1_cost.txt"
PRICES = pricing.load_prices()
P = {k: v["usd"] for k, v in PRICES["prices"].items()}
MONTH = PRICES["hours_per_month"]


def price(resources):
    return pricing.estimate({"Resources": resources})


def keyed(est):
    return {(i.price_key, i.count) for i in est.items}


def test_instance_with_a_public_ip_and_its_root_volume():
    est = price(
        {
            "Host": {
                "Type": "AWS::EC2::Instance",
                "Properties": {
                    "InstanceType": "t3.micro",
                    "BlockDeviceMappings": [{"Ebs": {"VolumeSize": 8, "VolumeType": "gp3"}}],
                    "NetworkInterfaces": [{"AssociatePublicIpAddress": True}],
                },
            }
        }
    )
    assert keyed(est) == {("ec2:t3.micro", 1), ("ebs:gp3", 8), ("public-ipv4", 1)}
    assert est.hourly == pytest.approx(
        P["ec2:t3.micro"] + 8 * P["ebs:gp3"] / MONTH + P["public-ipv4"]
    )


def test_auto_scaling_group_prices_its_desired_or_minimum_size():
    template = {
        "Lt": {
            "Type": "AWS::EC2::LaunchTemplate",
            "Properties": {
                "LaunchTemplateData": {
                    "InstanceType": "t4g.micro",
                    "BlockDeviceMappings": [{"Ebs": {"VolumeSize": 8, "VolumeType": "gp3"}}],
                }
            },
        },
        "Asg": {
            "Type": "AWS::AutoScaling::AutoScalingGroup",
            "Properties": {
                "MinSize": "2",
                "MaxSize": "4",
                "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Lt"}},
            },
        },
    }
    assert keyed(price(template)) == {("ec2:t4g.micro", 2), ("ebs:gp3", 16)}
    template["Asg"]["Properties"]["DesiredCapacity"] = "3"
    assert ("ec2:t4g.micro", 3) in keyed(price(template))


def test_detailed_monitoring_is_priced_per_instance():
    """Day4Lab1's group turns on 1-minute metrics (so CPU target tracking scales within the
    load test): 7 metrics an instance, billed, which `week5 cost` did not count."""
    group = {
        "Lt": {
            "Type": "AWS::EC2::LaunchTemplate",
            "Properties": {
                "LaunchTemplateData": {"InstanceType": "t3.micro", "Monitoring": {"Enabled": True}}
            },
        },
        "Asg": {
            "Type": "AWS::AutoScaling::AutoScalingGroup",
            "Properties": {
                "MinSize": "2", "MaxSize": "4",
                "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Lt"}},
            },
        },
    }  # fmt: skip
    est = price(group)
    assert keyed(est) == {("ec2:t3.micro", 2), ("cloudwatch:detailed-monitoring", 2)}
    assert est.hourly == pytest.approx(
        2 * P["ec2:t3.micro"] + 2 * P["cloudwatch:detailed-monitoring"] / MONTH
    )
    host = {"Type": "AWS::EC2::Instance", "Properties": {"InstanceType": "t3.micro"}}
    assert keyed(price({"Host": host})) == {("ec2:t3.micro", 1)}
    host["Properties"]["Monitoring"] = True
    assert ("cloudwatch:detailed-monitoring", 1) in keyed(price({"Host": host}))


def test_nat_gateway_elastic_ip_and_volume():
    est = price(
        {
            "Nat": {"Type": "AWS::EC2::NatGateway", "Properties": {}},
            "Eip": {"Type": "AWS::EC2::EIP", "Properties": {}},
            "Data": {"Type": "AWS::EC2::Volume", "Properties": {"Size": 1, "VolumeType": "gp3"}},
        }
    )
    assert keyed(est) == {("nat-gateway", 1), ("public-ipv4", 1), ("ebs:gp3", 1)}


@pytest.mark.parametrize("scheme, addresses", [("internet-facing", 2), ("internal", None)])
def test_alb_with_one_public_address_per_node(scheme, addresses):
    est = price(
        {
            "Alb": {
                "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "Properties": {"Scheme": scheme, "Subnets": [{"Ref": "A"}, {"Ref": "B"}]},
            }
        }
    )
    expected = {("alb", 1), ("alb-lcu", 1)} | ({("public-ipv4", addresses)} if addresses else set())
    assert keyed(est) == expected


def test_rds_class_multi_az_storage_and_a_replica_of_its_source():
    est = price(
        {
            "Db": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {
                    "Engine": "postgres",
                    "DBInstanceClass": "db.t4g.micro",
                    "MultiAZ": True,
                    "AllocatedStorage": "20",
                },
            },
            "Replica": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {
                    "DBInstanceClass": "db.t4g.micro",
                    "SourceDBInstanceIdentifier": {"Fn::Join": ["", ["arn:", {"Ref": "Db"}]]},
                },
            },
        }
    )
    assert keyed(est) == {
        ("rds:postgres:db.t4g.micro:multi-az", 1),
        ("rds-gp3:multi-az", 20),
        ("rds:postgres:db.t4g.micro:single-az", 1),
        ("rds-gp3:single-az", 20),
    }


def test_elasticache_counts_every_node():
    est = price(
        {
            "Cache": {
                "Type": "AWS::ElastiCache::ReplicationGroup",
                "Properties": {
                    "Engine": "valkey",
                    "CacheNodeType": "cache.t4g.micro",
                    "NumCacheClusters": 2,
                },
            }
        }
    )
    assert keyed(est) == {("elasticache:valkey:cache.t4g.micro", 2)}
    assert est.hourly == pytest.approx(2 * P["elasticache:valkey:cache.t4g.micro"])


def test_a_replica_is_priced_with_its_sources_storage():
    """A read replica has no AllocatedStorage of its own: it has its source's (100 GB here, not
    the 20 GB default a replica's own missing property would give)."""
    est = price(
        {
            "Db": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {"Engine": "mysql", "DBInstanceClass": "db.t3.micro",
                               "AllocatedStorage": "100"},
            },
            "Replica": {
                "Type": "AWS::RDS::DBInstance",
                "Properties": {"DBInstanceClass": "db.t3.micro",
                               "SourceDBInstanceIdentifier": {"Ref": "Db"}},
            },
        }
    )
    replica = {(i.price_key, i.count) for i in est.items if i.resource == "Replica"}
    assert replica == {("rds:mysql:db.t3.micro:single-az", 1), ("rds-gp3:single-az", 100)}


def test_elasticache_without_num_cache_clusters_counts_the_primary_and_its_replicas():
    est = price(
        {
            "Cache": {
                "Type": "AWS::ElastiCache::ReplicationGroup",
                "Properties": {"Engine": "valkey", "CacheNodeType": "cache.t4g.micro",
                               "ReplicasPerNodeGroup": 2},
            }
        }
    )
    assert keyed(est) == {("elasticache:valkey:cache.t4g.micro", 3)}


def test_a_resource_whose_properties_cannot_be_read_is_one_unpriced_item():
    """An instance type that is a token, or a root volume size that is one (the handler fails
    after the instance's own item): not priced, hourly None (not 0.0, which would read as free
    and drop it from the NOT PRICED list), and no half of the resource's items left."""
    est = price(
        {
            "Typed": {"Type": "AWS::EC2::Instance", "Properties": {"InstanceType": {"Ref": "T"}}},
            "Sized": {
                "Type": "AWS::EC2::Instance",
                "Properties": {
                    "InstanceType": "t3.micro",
                    "BlockDeviceMappings": [{"Ebs": {"VolumeSize": {"Ref": "Size"}}}],
                },
            },
        }
    )
    assert [(i.resource, i.hourly) for i in est.items] == [("Typed", None), ("Sized", None)]
    assert [i.resource for i in est.not_priced] == ["Typed", "Sized"]
    (sized,) = [i for i in est.items if i.resource == "Sized"]
    assert sized.note == "not priced: properties not readable"
    assert est.hourly == 0


def test_usage_priced_storage_and_delivery_state_their_assumption():
    est = price(
        {
            "Fs": {"Type": "AWS::EFS::FileSystem", "Properties": {}},
            "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
            "Cdn": {"Type": "AWS::CloudFront::Distribution", "Properties": {}},
        }
    )
    assert all("assumed" in i.note for i in est.items)
    assert keyed(est) == {("efs:standard", 1), ("s3:standard", 1), ("cloudfront:transfer", 0.1)}


def test_monthly_items_are_prorated_per_hour():
    est = price(
        {
            "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {}},
            "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
            "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {}},
            "Waf": {"Type": "AWS::WAFv2::WebACL", "Properties": {"Rules": [{}, {}]}},
        }
    )
    expected = (
        P["secretsmanager:secret"]
        + P["kms:key"]
        + P["cloudwatch:alarm"]
        + P["waf:web-acl"]
        + 2 * P["waf:rule"]
    ) / MONTH
    assert est.hourly == pytest.approx(expected)


def test_a_gateway_endpoint_is_free_and_an_interface_endpoint_bills_per_az():
    """Day3Case's S3 gateway endpoint was "NOT PRICED" (W4): a gateway endpoint costs nothing,
    an interface endpoint 0.013 USD an hour in each AZ it has a subnet in."""
    endpoint = "AWS::EC2::VPCEndpoint"
    est = price(
        {
            "S3": {"Type": endpoint, "Properties": {"VpcEndpointType": "Gateway"}},
            "Default": {"Type": endpoint, "Properties": {"ServiceName": "com.amazonaws.x.s3"}},
            "Ssm": {"Type": endpoint, "Properties": {"VpcEndpointType": "Interface",
                                                      "SubnetIds": ["a", "b"]}},
            "Token": {"Type": endpoint, "Properties": {"VpcEndpointType": "Interface",
                                                        "SubnetIds": {"Ref": "Subnets"}}},
        }
    )
    assert est.free_types == {endpoint: 2}
    assert keyed(est) == {("vpc-endpoint:interface", 2), (None, 1)}  # and Token, not priced
    (ssm,) = [i for i in est.items if i.resource == "Ssm"]
    assert ssm.hourly == pytest.approx(0.026)
    assert [(i.resource, i.note) for i in est.not_priced] == [
        ("Token", "not priced: properties not readable")
    ]


def test_free_and_usage_types_cost_nothing_and_an_unknown_type_is_not_priced():
    est = price(
        {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {}},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {}},
            "Odd": {"Type": "AWS::Neptune::DBCluster", "Properties": {}},
            "Big": {"Type": "AWS::EC2::Instance", "Properties": {"InstanceType": "x2iedn.32xlarge"}},
        }
    )
    assert est.free_types == {"AWS::EC2::VPC": 1}
    (usage,) = [i for i in est.items if i.resource == "Fn"]
    assert usage.hourly == 0 and "per request" in usage.note
    assert sorted(i.resource for i in est.not_priced) == ["Big", "Odd"]
    assert est.hourly == 0
    assert "NOT PRICED: Odd (AWS::Neptune::DBCluster)" in cost_command.format_cost("X", None, est)


def test_day1_lab2_by_hand(app):
    """NAT gateway + its EIP + four t3.micro with 8 GiB gp3 roots + three public IPs."""
    est = pricing.estimate(app.templates["Day1Lab2"])
    by_hand = P["nat-gateway"] + P["public-ipv4"] + 4 * P["ec2:t3.micro"] + 3 * P["public-ipv4"]
    by_hand += 4 * 8 * P["ebs:gp3"] / MONTH
    assert est.hourly == pytest.approx(by_hand)
    assert est.not_priced == []


@pytest.mark.parametrize(
    "lab", [lab for lab in CATALOG if lab.course_cost_usd], ids=lambda lab: lab.lab_id
)
def test_each_lab_is_within_the_courses_figure(app, lab):
    est = pricing.estimate(app.templates[lab.lab_id])
    assert 0 < est.hourly <= lab.course_cost_usd


def test_day1_lab1_table_is_the_golden_one(app):
    lab = CATALOG.get("Day1Lab1")
    text = cost_command.format_cost(
        lab.lab_id, lab.course_cost_usd, pricing.estimate(app.templates[lab.lab_id]), 12
    )
    assert text == GOLDEN.read_text().rstrip("\n")


def _duration(create_min, delete_min):
    return timing.Duration(create_min * 60, delete_min * 60, [], [])


@pytest.mark.parametrize(
    "hourly, course, minutes, unpriced, expected",
    [
        (0.10, 0.15, (10, 5), 0, []),
        (0.10, None, (10, 5), 0, []),
        (0.20, 0.15, (10, 5), 0, ["over the course's $0.15/h"]),
        (0.10, 0.15, (40, 11), 0, [f"create + delete over {timing.LAB_SLOT_MINUTES} min"]),
        (0.10, 0.15, (40, 10), 0, []),  # exactly the slot fits
        (0.10, 0.15, (10, 5), 2, ["2 resource(s) not priced"]),
        (
            0.20,
            0.15,
            (40, 11),
            1,
            [
                "over the course's $0.15/h",
                f"create + delete over {timing.LAB_SLOT_MINUTES} min",
                "1 resource(s) not priced",
            ],
        ),
    ],
)
def test_the_verdict_names_every_problem(hourly, course, minutes, unpriced, expected):
    items = [pricing.LineItem("A", "t", "k", 1, "u", hourly, hourly)]
    items += [pricing.LineItem(f"N{n}", "t", None, 1, "", None, None) for n in range(unpriced)]
    est = pricing.Estimate(items=items)
    assert verdict.problems(est, _duration(*minutes), course) == expected


def test_a_labs_row_is_its_estimates_and_verdict(app):
    from week5.analysis.assembly import read_labs

    (lab,) = [lab for lab in read_labs(app.outdir) if lab.lab_id == "Day1Lab2"]
    row = verdict.lab_row(lab)
    took = timing.estimate_duration(lab.template)
    assert row == {
        "lab": "Day1Lab2",
        "day": "Day1",
        "title": "멀티 AZ 네트워크",
        "resources": lab.resource_count,
        "estimated_usd_per_hour": round(pricing.estimate(lab.template).hourly, 4),
        "course_usd_per_hour": 0.15,
        "create_minutes": round(took.create_min, 1),
        "delete_minutes": round(took.delete_min, 1),
        "verdict": "ok",
    }


def run_week5(*args):
    return subprocess.run(
        [sys.executable, "-m", "week5", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_cost_command_json_for_a_class(app):
    result = run_week5(
        "cost", "Day4Lab1", "--assembly", str(app.outdir), "--json", "--students", "12"
    )
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    single = pricing.estimate(app.templates["Day4Lab1"]).hourly
    assert body["hourly_usd"] == pytest.approx(single, abs=1e-6)
    assert body["totals_usd"]["hour"] == pytest.approx(12 * single, abs=1e-5)
    assert body["course_usd_per_hour"] == 0.30 and body["students"] == 12


def test_cost_command_names_the_valid_labs_for_a_wrong_one(app):
    wrong = run_week5("cost", "Day9Lab1", "--assembly", str(app.outdir))
    assert wrong.returncode == 2
    assert (
        wrong.stderr.strip()
        == f"week5: unknown lab 'Day9Lab1'; valid labs: {', '.join(CATALOG.ids)}"
    )
    assert "is not a lab id" in run_week5("cost", "day1").stderr


def test_labs_command_rows_and_verdicts(app):
    result = run_week5("labs", "--assembly", str(app.outdir), "--json")
    assert result.returncode == 0, result.stderr
    rows = {r["lab"]: r for r in json.loads(result.stdout)}
    assert list(rows) == list(CATALOG.ids)
    assert rows["Day1Lab2"]["estimated_usd_per_hour"] == pytest.approx(
        pricing.estimate(app.templates["Day1Lab2"]).hourly, abs=1e-4
    )
    assert rows["Day1Lab2"]["verdict"] == "ok" and rows["Day1Lab2"]["course_usd_per_hour"] == 0.15
    # The NAT instance's t4g.nano is priced (a trial found the Case labs' figures without it).
    assert rows["Day1Case"]["verdict"] == "ok"
    nat = [i for i in pricing.estimate(app.templates["Day1Case"]).items if i.price_key == "ec2:t4g.nano"]
    assert len(nat) == 1 and nat[0].hourly == pytest.approx(0.0052)
    text = run_week5("labs", "--assembly", str(app.outdir)).stdout
    assert "\033[" not in text  # no colour codes when stdout is not a terminal
    assert "Day4Lab1" in text and "ALB + ASG 구성" in text


def test_the_readmes_labs_table_is_what_week5_labs_prints(app):
    """A student trial: README's table still said four Case labs cost $0.005/h less and had
    "1 resource(s) not priced", while `week5 labs` and docs/labs/index.md had moved on."""
    result = run_week5("labs", "--assembly", str(app.outdir))
    assert result.returncode == 0, result.stderr
    printed = [line.rstrip() for line in result.stdout.splitlines() if line.startswith("Day")]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("Lab            Day   Title", 1)[1].split("```", 1)[0]
    assert [line.rstrip() for line in block.splitlines() if line.startswith("Day")] == printed
