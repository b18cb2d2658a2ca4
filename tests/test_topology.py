"""Topology extraction on hand-written templates: what sits where, and what talks to what."""

from week5.analysis.topology import INTERNET, extract


def tagged(name):
    return [{"Key": "Name", "Value": name}]


def two_az_vpc():
    """A VPC with two AZs and four subnets: public through an IGW, private through a NAT."""
    r = {
        "Vpc": {
            "Type": "AWS::EC2::VPC",
            "Properties": {"CidrBlock": "10.0.0.0/16", "Tags": tagged("lab-vpc")},
        },
        "Igw": {"Type": "AWS::EC2::InternetGateway"},
        "Attach": {
            "Type": "AWS::EC2::VPCGatewayAttachment",
            "Properties": {"VpcId": {"Ref": "Vpc"}, "InternetGatewayId": {"Ref": "Igw"}},
        },
        "PublicRt": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
        "PrivateRt": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
        "PublicDefault": {
            "Type": "AWS::EC2::Route",
            "Properties": {
                "RouteTableId": {"Ref": "PublicRt"},
                "DestinationCidrBlock": "0.0.0.0/0",
                "GatewayId": {"Ref": "Igw"},
            },
        },
        "PrivateDefault": {
            "Type": "AWS::EC2::Route",
            "Properties": {
                "RouteTableId": {"Ref": "PrivateRt"},
                "DestinationCidrBlock": "0.0.0.0/0",
                "NatGatewayId": {"Ref": "Nat"},
            },
        },
        "Nat": {"Type": "AWS::EC2::NatGateway", "Properties": {"SubnetId": {"Ref": "PublicA"}}},
    }
    for name, cidr, az, table in (
        ("PublicA", "10.0.1.0/24", "ap-northeast-2a", "PublicRt"),
        ("PublicB", "10.0.2.0/24", "ap-northeast-2b", "PublicRt"),
        ("PrivateA", "10.0.11.0/24", "ap-northeast-2a", "PrivateRt"),
        ("PrivateB", "10.0.12.0/24", "ap-northeast-2b", "PrivateRt"),
    ):
        r[name] = {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": cidr, "AvailabilityZone": az},
        }
        r[f"{name}Assoc"] = {
            "Type": "AWS::EC2::SubnetRouteTableAssociation",
            "Properties": {"SubnetId": {"Ref": name}, "RouteTableId": {"Ref": table}},
        }
    return r


def test_subnets_by_az_public_or_private_by_their_routes():
    topo = extract({"Resources": two_az_vpc()})
    (vpc,) = topo.vpcs
    assert (vpc.name, vpc.cidr, vpc.internet_gateway) == ("lab-vpc", "10.0.0.0/16", True)
    assert vpc.azs == ["ap-northeast-2a", "ap-northeast-2b"]
    assert [(s.tier, s.cidr, s.az) for s in vpc.subnets] == [
        ("Public", "10.0.1.0/24", "ap-northeast-2a"),
        ("Public", "10.0.2.0/24", "ap-northeast-2b"),
        ("Private", "10.0.11.0/24", "ap-northeast-2a"),
        ("Private", "10.0.12.0/24", "ap-northeast-2b"),
    ]
    public_a = vpc.subnets[0]
    assert [n.kind for n in public_a.nodes] == ["NAT Gateway"]


def test_an_alb_forwards_to_its_asg_and_the_internet_reaches_the_alb():
    r = two_az_vpc()
    r.update(
        {
            "AlbSg": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "SecurityGroupIngress": [
                        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0"}
                    ]
                },
            },
            "WebSg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {}},
            "WebFromAlb": {
                "Type": "AWS::EC2::SecurityGroupIngress",
                "Properties": {
                    "GroupId": {"Fn::GetAtt": ["WebSg", "GroupId"]},
                    "SourceSecurityGroupId": {"Fn::GetAtt": ["AlbSg", "GroupId"]},
                    "IpProtocol": "tcp",
                    "FromPort": 80,
                    "ToPort": 80,
                },
            },
            "Alb": {
                "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "Properties": {
                    "Scheme": "internet-facing",
                    "Subnets": [{"Ref": "PublicA"}, {"Ref": "PublicB"}],
                    "SecurityGroups": [{"Fn::GetAtt": ["AlbSg", "GroupId"]}],
                },
            },
            "Tg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Port": 80}},
            "Listener": {
                "Type": "AWS::ElasticLoadBalancingV2::Listener",
                "Properties": {
                    "LoadBalancerArn": {"Ref": "Alb"},
                    "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}],
                },
            },
            "Lt": {
                "Type": "AWS::EC2::LaunchTemplate",
                "Properties": {
                    "LaunchTemplateData": {
                        "InstanceType": "t3.micro",
                        "SecurityGroupIds": [{"Fn::GetAtt": ["WebSg", "GroupId"]}],
                    }
                },
            },
            "Asg": {
                "Type": "AWS::AutoScaling::AutoScalingGroup",
                "Properties": {
                    "MinSize": "2",
                    "MaxSize": "4",
                    "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Lt"}},
                    "VPCZoneIdentifier": [{"Ref": "PrivateA"}, {"Ref": "PrivateB"}],
                    "TargetGroupARNs": [{"Ref": "Tg"}],
                },
            },
        }
    )
    topo = extract({"Resources": r})
    subnets = {s.cidr: [n.id for n in s.nodes] for s in topo.vpcs[0].subnets}
    assert subnets["10.0.2.0/24"] == ["Alb"] and "Alb" in subnets["10.0.1.0/24"]
    assert subnets["10.0.11.0/24"] == ["Asg"] and subnets["10.0.12.0/24"] == ["Asg"]
    assert topo.node("Asg").detail == "2-4 × t3.micro"
    assert set(topo.edges) == {(INTERNET, "Alb", "80"), ("Alb", "Asg", "80")}


def test_cloudfront_with_two_origins_sits_outside_the_vpc():
    r = two_az_vpc()
    r.update(
        {
            "Bucket": {"Type": "AWS::S3::Bucket"},
            "Alb": {
                "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
                "Properties": {"Subnets": [{"Ref": "PublicA"}, {"Ref": "PublicB"}]},
            },
            "Cdn": {
                "Type": "AWS::CloudFront::Distribution",
                "Properties": {
                    "DistributionConfig": {
                        "Origins": [
                            {
                                "Id": "s3",
                                "DomainName": {"Fn::GetAtt": ["Bucket", "RegionalDomainName"]},
                            },
                            {"Id": "api", "DomainName": {"Fn::GetAtt": ["Alb", "DNSName"]}},
                        ]
                    }
                },
            },
        }
    )
    topo = extract({"Resources": r})
    assert [(n.kind, n.id) for n in topo.outside] == [("S3", "Bucket"), ("CloudFront", "Cdn")]
    assert topo.edges == [
        (INTERNET, "Cdn", "443"),
        ("Cdn", "Bucket", "origin"),
        ("Cdn", "Alb", "origin"),
    ]


def test_a_website_bucket_is_reached_from_the_internet_over_http():
    """Day 2 Lab 2's step 1 opens the bucket's website endpoint itself, beside CloudFront."""
    r = {
        "Site": {
            "Type": "AWS::S3::Bucket",
            "Properties": {"WebsiteConfiguration": {"IndexDocument": "index.html"}},
        },
        "Private": {"Type": "AWS::S3::Bucket"},
    }
    assert extract({"Resources": r}).edges == [(INTERNET, "Site", "80")]
