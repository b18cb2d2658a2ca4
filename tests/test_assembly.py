"""week5.analysis.assembly.referenced_ids: the logical ids a template value names."""

from week5.analysis.assembly import referenced_ids


def test_ref_getatt_and_sub_in_nested_values():
    value = {
        "A": {"Ref": "Bucket"},
        "B": [{"Fn::GetAtt": ["Db", "Endpoint.Address"]}, {"Fn::GetAtt": "Cache.RedisEndpoint"}],
        "C": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Site}/*"},
        "D": {"Fn::Sub": ["${Host}:${Port}", {"Host": {"Ref": "Alb"}, "Port": "80"}]},
        "E": "plain",
    }
    assert referenced_ids(value) == [
        "Bucket",
        "Db",
        "Cache",
        "AWS::Partition",
        "Site",
        "Alb",
    ]
