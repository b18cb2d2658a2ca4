"""week5.analysis.timing: a stack takes its longest chain of dependent resources, not the sum."""

from week5.analysis import timing


def res(rtype, properties=None, depends=None):
    resource = {"Type": rtype, "Properties": properties or {}}
    if depends:
        resource["DependsOn"] = depends
    return resource


def test_independent_resources_take_the_longest_not_the_sum():
    template = {
        "Resources": {
            "Nat": res("AWS::EC2::NatGateway"),
            "Db": res("AWS::RDS::DBInstance"),
            "Cache": res("AWS::ElastiCache::ReplicationGroup"),
        }
    }
    took = timing.estimate_duration(template)
    assert took.create_s == 540  # the cache's 9 minutes, not 2 + 6 + 9
    assert took.create_chain == ["Cache"]


def test_a_chain_adds_up_and_deletion_walks_it_backwards():
    template = {
        "Resources": {
            "Subnet": res("AWS::EC2::Subnet"),
            "Nat": res("AWS::EC2::NatGateway", {"SubnetId": {"Ref": "Subnet"}}),
            "Route": res("AWS::EC2::Route", {"NatGatewayId": {"Ref": "Nat"}}),
            "Asg": res("AWS::AutoScaling::AutoScalingGroup", depends=["Route"]),
            "Alb": res(
                "AWS::ElasticLoadBalancingV2::LoadBalancer", {"Subnets": [{"Ref": "Subnet"}]}
            ),
        }
    }
    took = timing.estimate_duration(template)
    assert took.create_chain == ["Subnet", "Nat", "Route", "Asg"]
    assert took.create_s == 5 + 120 + 5 + 120
    assert took.delete_chain == ["Asg", "Route", "Nat", "Subnet"]
    assert took.delete_s == 120 + 5 + 90 + 5


def test_multi_az_rds_takes_its_measured_upper_bound():
    single = timing.resource_times(res("AWS::RDS::DBInstance"))
    multi = timing.resource_times(res("AWS::RDS::DBInstance", {"MultiAZ": True}))
    assert (single[0], multi[0]) == (360, timing.RDS_MULTI_AZ_CREATE)


def test_getatt_and_sub_count_as_dependencies():
    template = {
        "Resources": {
            "Db": res("AWS::RDS::DBInstance"),
            "Param": res(
                "AWS::SSM::Parameter", {"Value": {"Fn::GetAtt": ["Db", "Endpoint.Address"]}}
            ),
            "Out": res("AWS::SSM::Parameter", {"Value": {"Fn::Sub": "${Param}-x"}}),
        }
    }
    assert timing.dependencies(template) == {"Db": [], "Param": ["Db"], "Out": ["Param"]}


def test_every_lab_fits_its_50_minute_slot(app):
    for lab_id, template in app.templates.items():
        took = timing.estimate_duration(template)
        assert took.create_min + took.delete_min <= timing.LAB_SLOT_MINUTES, lab_id
