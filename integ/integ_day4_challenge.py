"""Day 4 Challenge - 고가용성 아키텍처: the web tier answers from both AZs; one request to the
ApiUrl crosses web -> internal ALB -> app -> database, and app instances in both AZs answer;
both groups reach their size with healthy targets; the database has a standby in the other AZ."""

from promises import LabPromise, camel

lab = LabPromise("Day4Challenge")
alb_url = lab.output("AlbUrl")
api_url = lab.output("ApiUrl")
lab.page("WebTierAnswers", alb_url, shows="Hello from i-")
lab.azs_answer("WebTierServedFrom", alb_url, before="<b>", after="</b>")
lab.json("ApiCrossesAllTiers", api_url, {"tier": "app", "database": {"reachable": True}})
for az in lab.stack.availability_zones:
    lab.json(f"AppTierServedFrom{camel(az)}", api_url, {"tier": "app", "az": az})
lab.group_at_size("WebGroupAtSize", lab.stack.web)
lab.group_at_size("AppGroupAtSize", lab.stack.app)
database = lab.physical_id(lab.stack.database.instance, "Database")
lab.at_path(
    "DatabaseHasStandby", "RDS", "describeDBInstances", {"DBInstanceIdentifier": database},
    "DBInstances.0.SecondaryAvailabilityZone", f"^{lab.stack.region}[a-z]$",
)
lab.synth()
