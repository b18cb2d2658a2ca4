"""What a day's labs also make by hand in the console, each with how to delete it: EFS file
systems (mount targets first), Secrets Manager secrets, CloudWatch log groups, WAF web ACLs,
API Gateway APIs (REST, HTTP and WebSocket) and ECR repositories."""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

from week5.operations.cleanup import stacks
from week5.operations.cleanup.scope import (
    Found,
    Scope,
    denied,
    not_checked,
    tagged,
    unless_vanished,
)
from week5.operations.cleanup.ties import Relations

#: Days a deleted secret can still be restored (``aws secretsmanager restore-secret``): the
#: shortest window Secrets Manager allows. Nothing is billed for it meanwhile.
SECRET_RECOVERY_DAYS = 7
#: WAF's regional resource kinds a web ACL can protect (ListResourcesForWebACL asks by kind).
WAF_RESOURCE_TYPES = (
    "APPLICATION_LOAD_BALANCER",
    "API_GATEWAY",
    "APPSYNC",
    "COGNITO_USER_POOL",
    "APP_RUNNER_SERVICE",
    "VERIFIED_ACCESS_INSTANCE",
    "AMPLIFY",
)


def _bytes_to_gb(size: Optional[Dict[str, Any]]) -> float:
    return float((size or {}).get("Value", 0)) / 1024**3


def file_systems(scope: Scope) -> List[Found]:
    efs = scope.client("efs")

    def delete(file_system_id: str) -> None:
        targets = list(
            scope.each("efs", "describe_mount_targets", "MountTargets", FileSystemId=file_system_id)
        )
        for target in targets:
            if target.get("LifeCycleState") not in ("deleting", "deleted"):
                efs.delete_mount_target(MountTargetId=target["MountTargetId"])
        efs.delete_file_system(FileSystemId=file_system_id)  # FileSystemInUse until they go

    found = []
    for fs in scope.each("efs", "describe_file_systems", "FileSystems"):
        if fs.get("LifeCycleState") in ("deleting", "deleted") or not scope.ours(fs.get("Tags")):
            continue
        found.append(
            Found(
                "EFS file system",
                fs["FileSystemId"],
                fs.get("Name", ""),
                scope.price("efs:standard", _bytes_to_gb(fs.get("SizeInBytes"))),
                delete=lambda f=fs["FileSystemId"]: delete(f),
                **tagged(fs.get("Tags")),
                refs=(fs.get("FileSystemArn", ""),),
            )
        )
    return found


def secrets(scope: Scope) -> List[Found]:
    """Secrets scheduled for deletion are not listed; a secret a service manages (an RDS
    master password) goes with that service's resource."""
    client = scope.client("secretsmanager")
    return [
        Found(
            "secret",
            s["Name"],
            hourly=scope.price("secretsmanager:secret"),
            delete=lambda arn=s["ARN"]: client.delete_secret(
                SecretId=arn, RecoveryWindowInDays=SECRET_RECOVERY_DAYS
            ),
            **tagged(s.get("Tags")),
            refs=(s["ARN"],),
        )
        for s in scope.each("secretsmanager", "list_secrets", "SecretList")
        if not s.get("DeletedDate") and not s.get("OwningService") and scope.ours(s.get("Tags"))
    ]


def log_groups(scope: Scope) -> List[Found]:
    logs = scope.client("logs")
    found = []
    for group in scope.each("logs", "describe_log_groups", "logGroups"):
        arn = group.get("logGroupArn") or str(group.get("arn", "")).removesuffix(":*")
        reply = unless_vanished(lambda a=arn: logs.list_tags_for_resource(resourceArn=a))
        tags = (reply or {}).get("tags")
        if reply is None or not scope.ours(tags):
            continue
        found.append(
            Found(
                "log group",
                group["logGroupName"],
                hourly=0.0,  # billed per GB ingested and stored: rounds to $0 in a lab
                delete=lambda n=group["logGroupName"]: logs.delete_log_group(logGroupName=n),
                **tagged(tags),
                refs=(arn,),
            )
        )
    return found


def _web_acls(scope: Scope, waf: Any, web_acl_scope: str) -> Iterator[Dict[str, Any]]:
    """Every web ACL of a scope. ListWebACLs has no boto3 paginator: NextMarker by hand."""
    marker = None
    while True:
        reply = waf.list_web_acls(Scope=web_acl_scope, **({"NextMarker": marker} if marker else {}))
        yield from reply.get("WebACLs") or []
        marker = reply.get("NextMarker")
        if not marker or not reply.get("WebACLs"):
            return


def _deleted_later(scope: Scope) -> Set[str]:
    """Ids and ARNs of what this run has found so far (and so deletes)."""
    return scope.cached("found-refs", set)


def _covered(arn: str, refs: Set[str]) -> bool:
    """Whether this run deletes ``arn``: it is found, or under a found prefix (an API's
    stages are under the API: ``.../restapis/<id>/stages/prod``)."""
    return arn in refs or any(arn.startswith(r) for r in refs if r.endswith("/"))


def _arn_ids(arn: str) -> List[str]:
    """What a protected resource's ARN is known by in a stack: the ARN (a load balancer's
    physical id), and an API stage's API id (``.../restapis/<id>/stages/prod``)."""
    parts = arn.split("/")
    if "restapis" in parts[:-1]:
        return [arn, parts[parts.index("restapis") + 1]]
    return [arn]


def web_acls(scope: Scope) -> List[Found]:
    """Regional web ACLs in the region and CloudFront's in us-east-1; an ACL that protects
    something this run does not delete is left, with the protected resource. A policy that
    refuses us-east-1 (an organization's region-deny SCP) leaves CloudFront's "not checked"
    (``scope.warnings``), the regional ones found all the same."""
    found = _web_acls_of(scope, "REGIONAL", None)
    try:
        found += _web_acls_of(scope, "CLOUDFRONT", stacks.GLOBAL_REGION)
    except Exception as error:
        if not denied(error):
            raise
        scope.warn(not_checked("WAF web ACLs of CloudFront's scope", stacks.GLOBAL_REGION, error))
    return found


def _web_acls_of(scope: Scope, web_acl_scope: str, region: Optional[str]) -> List[Found]:
    """The day's web ACLs of one WAF scope (REGIONAL in the run's region, CLOUDFRONT in
    ``region``, us-east-1)."""
    found = []
    waf = scope.client("wafv2", region)
    for acl in _web_acls(scope, waf, web_acl_scope):
        read = unless_vanished(lambda a=acl, w=waf, s=web_acl_scope: _read_acl(scope, w, s, a))
        if read is None:
            continue  # deleted since it was listed
        tag_list, protected, hourly = read
        if not scope.ours(tag_list):
            continue
        later = _deleted_later(scope)
        rel = Relations(scope)
        for resource in protected:
            if not _covered(resource, later):
                rel.tie(resource, "is protected by it", *_arn_ids(resource))
        found.append(
            Found(
                "WAF web ACL",
                acl["Id"],
                acl.get("Name", ""),
                hourly=hourly,
                delete=lambda a=acl, w=waf, s=web_acl_scope: _delete_acl(w, s, a),
                **rel.fields(),
                **tagged(tag_list),
                # CloudFormation's physical id of a web ACL: name|id|scope
                refs=(acl["ARN"], f"{acl.get('Name')}|{acl['Id']}|{web_acl_scope}"),
            )
        )
    return found


def _read_acl(
    scope: Scope, waf: Any, web_acl_scope: str, acl: Dict[str, Any]
) -> Tuple[Any, List[str], Optional[float]]:
    """A listed web ACL's tags, what it protects and its hour (the last two only for one of
    the day's: three reads a web ACL, any of which finds it gone)."""
    tags = waf.list_tags_for_resource(ResourceARN=acl["ARN"]).get("TagInfoForResource", {})
    tag_list = tags.get("TagList")
    if not scope.ours(tag_list):
        return tag_list, [], None
    protected = _protected(scope, waf, web_acl_scope, acl["ARN"])
    return tag_list, protected, _acl_hourly(scope, waf, web_acl_scope, acl)


def _protected(scope: Scope, waf: Any, web_acl_scope: str, arn: str) -> List[str]:
    if web_acl_scope == "CLOUDFRONT":
        cloudfront = scope.client("cloudfront")
        reply = cloudfront.list_distributions_by_web_acl_id(WebACLId=arn)
        return [d["ARN"] for d in (reply.get("DistributionList") or {}).get("Items") or []]
    resources: List[str] = []
    for kind in WAF_RESOURCE_TYPES:
        resources += waf.list_resources_for_web_acl(WebACLArn=arn, ResourceType=kind).get(
            "ResourceArns", []
        )
    return resources


def _acl_hourly(scope: Scope, waf: Any, web_acl_scope: str, acl: Dict[str, Any]) -> Optional[float]:
    rules = waf.get_web_acl(Name=acl["Name"], Scope=web_acl_scope, Id=acl["Id"])["WebACL"]
    base = scope.price("waf:web-acl")
    per_rule = scope.price("waf:rule", len(rules.get("Rules") or []))
    return None if base is None or per_rule is None else base + per_rule


def _delete_acl(waf: Any, web_acl_scope: str, acl: Dict[str, Any]) -> None:
    token = waf.get_web_acl(Name=acl["Name"], Scope=web_acl_scope, Id=acl["Id"])["LockToken"]
    waf.delete_web_acl(Name=acl["Name"], Scope=web_acl_scope, Id=acl["Id"], LockToken=token)


def apis(scope: Scope) -> List[Found]:
    """REST APIs (API Gateway) and HTTP or WebSocket APIs (API Gateway v2)."""
    rest = scope.client("apigateway")
    v2 = scope.client("apigatewayv2")
    region = scope.region
    found = [
        Found(
            "REST API",
            api["id"],
            api.get("name", ""),
            0.0,  # billed per request
            delete=lambda i=api["id"]: rest.delete_rest_api(restApiId=i),
            **tagged(api.get("tags")),
            refs=(f"arn:aws:apigateway:{region}::/restapis/{api['id']}/",),
        )
        for api in scope.each("apigateway", "get_rest_apis", "items")
        if scope.ours(api.get("tags"))
    ]
    found += [
        Found(
            f"{api.get('ProtocolType', 'HTTP')} API",
            api["ApiId"],
            api.get("Name", ""),
            0.0,  # billed per request
            delete=lambda i=api["ApiId"]: v2.delete_api(ApiId=i),
            **tagged(api.get("Tags")),
            refs=(f"arn:aws:apigateway:{region}::/apis/{api['ApiId']}",),
        )
        for api in scope.each("apigatewayv2", "get_apis", "Items")
        if scope.ours(api.get("Tags"))
    ]
    return found


def repositories(scope: Scope) -> List[Found]:
    ecr = scope.client("ecr")
    found = []
    for repository in scope.each("ecr", "describe_repositories", "repositories"):
        arn = repository["repositoryArn"]
        reply = unless_vanished(lambda a=arn: ecr.list_tags_for_resource(resourceArn=a))
        tags = (reply or {}).get("tags")
        if reply is None or not scope.ours(tags):
            continue
        found.append(
            Found(
                "ECR repository",
                repository["repositoryName"],
                hourly=None,  # storage per GB-month: no verified Seoul price in the table
                delete=lambda n=repository["repositoryName"]: ecr.delete_repository(
                    repositoryName=n,
                    force=True,  # with its images
                ),
                **tagged(tags),
                refs=(repository["repositoryArn"],),
            )
        )
    return found
