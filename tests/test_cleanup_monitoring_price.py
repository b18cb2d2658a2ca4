"""`week5 cleanup`'s hourly figure for an instance with detailed monitoring, beside `week5
cost`'s: the instructor trial (T19-D, Day4Lab1 on the emulator) read $0.1245/h for each stack in
cleanup, $0.138 in `week5 status`; $0.0080 of that is the ALB's LCU (use, which cleanup does not
count, as its note says), but $0.0058 was the detailed monitoring of the group's 2 instances
(`week5 cost Day4Lab1`'s `[cloudwatch:detailed-monitoring]`; the instances say
Monitoring.State=enabled): a fixed charge, not use. Cleanup prices it where an instance's
Monitoring.State is enabled, with pricing.py's key, one per instance. On in-process moto with the
emulator's models (`week5 local`'s: its instances take the launch template's monitoring), as
tests/test_cleanup_live_asg.py."""

import json

import pytest
import test_cleanup_live_asg
from test_cleanup_live_asg import COMMAND, cleaner, deployed_web_tier, tags, volumes_of

from week5.analysis import pricing
from week5.cli import main
from week5.cli.cleanup import PRICED
from week5.operations.price_table import PriceTable

#: test_cleanup_live_asg's account (moto with the emulator's models), by the name the tests use.
aws = test_cleanup_live_asg.aws

PRICES = PriceTable()
KEY = "cloudwatch:detailed-monitoring"  # pricing.py's, for an instance or a group


@pytest.mark.parametrize("monitoring", [True, False], ids=["detailed", "basic"])
def test_the_groups_detailed_monitoring_is_priced_as_week5_cost_prices_it(aws, capsys, monitoring):
    """The trial's stack: its two instances' type and volumes, and, with detailed monitoring,
    what `week5 cost` lists for it ([cloudwatch:detailed-monitoring] x2, $0.0058/h): the one
    difference between the two figures, not counted as use."""
    template, instances = deployed_web_tier(aws, monitoring=monitoring)
    state = "enabled" if monitoring else "disabled"
    assert [i["Monitoring"]["State"] for i in instances] == [state, state]

    (stack,) = cleaner(aws).find()
    assert stack.kind == "CloudFormation stack" and stack.held is None
    volumes = sum(
        PRICES.hourly(f"ebs:{v['VolumeType']}", v["Size"]) for v in volumes_of(aws, instances)
    )
    compute = 2 * PRICES.hourly("ec2:t3.micro")
    watched = [i for i in pricing.estimate(template).items if i.price_key == KEY]
    if monitoring:
        (item,) = watched
        assert item.count == 2 and round(item.hourly, 4) == 0.0058  # the trial's figure
        assert stack.hourly == pytest.approx(compute + volumes + item.hourly)
        assert stack.hourly == pytest.approx(compute + volumes + 2 * PRICES.hourly(KEY))
    else:
        assert watched == []
        assert stack.hourly == pytest.approx(compute + volumes)

    assert main(COMMAND + ["--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["found"][0]["usd_per_hour"] == round(stack.hourly, 6) == body["usd_per_hour"]
    assert body["priced"] == PRICED
    # the note stays true: the use it names is still not counted, monitoring is no use
    assert "use (ALB LCUs, NAT gateway data) is not counted" in PRICED
    assert "monitoring" not in PRICED


def test_a_stand_alone_instance_with_detailed_monitoring(aws):
    """An instance launched by hand with detailed monitoring: its type and one instance's
    monitoring while it runs; neither while it is stopped (metrics are billed only while an
    instance sends them); one with basic monitoring its type alone."""
    ec2 = aws.client("ec2")
    image = ec2.register_image(Name="base", RootDeviceName="/dev/xvda")["ImageId"]

    def launch(name, monitoring):
        (instance,) = ec2.run_instances(
            ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1,
            Monitoring={"Enabled": monitoring},
            TagSpecifications=[{"ResourceType": "instance", "Tags": tags(name)}],
        )["Instances"]  # fmt: skip
        return instance["InstanceId"]

    watched, basic = launch("watched", True), launch("basic", False)
    described = {
        i["InstanceId"]: i for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]
    }
    assert {k: i["Monitoring"]["State"] for k, i in described.items()} == {
        watched: "enabled",
        basic: "disabled",
    }
    # the public IPv4 address moto's default subnet gives each, priced as cleanup prices it
    public = {
        k: PRICES.hourly("public-ipv4") if i.get("PublicIpAddress") else 0.0
        for k, i in described.items()
    }

    def hourly():
        return {f.id: f.hourly for f in cleaner(aws).find() if f.kind == "EC2 instance"}

    type_hour = PRICES.hourly("ec2:t3.micro")
    monitoring = PRICES.hourly(KEY)
    assert monitoring == pytest.approx(2.1 / 730)  # prices.json: per instance-month
    assert hourly() == pytest.approx(
        {watched: type_hour + public[watched] + monitoring, basic: type_hour + public[basic]}
    )

    ec2.stop_instances(InstanceIds=[watched])
    assert hourly()[watched] == 0.0
