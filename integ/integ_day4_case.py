"""Day 4 case - News & Media (Ghost): CloudFront serves the static front page from S3 and Ghost
at /news/ through the ALB, the news servers' group reaches its size with healthy targets, and
the RDS read replica is available."""

from promises import SLOW_APP_WAIT, LabPromise, exactly, title_of
from stacks.day4 import NEWS_STATIC_SITE

lab = LabPromise("Day4Case")
lab.page("FrontPageFromS3", lab.output("SiteUrl"), shows=title_of(NEWS_STATIC_SITE / "index.html"))
lab.page("NewsThroughCloudFront", lab.output("NewsUrl"), head=True, wait=SLOW_APP_WAIT)
lab.group_at_size("NewsGroupAtSize", lab.stack.news, wait=SLOW_APP_WAIT)
replica = lab.physical_id(lab.stack.database.read_replicas[0], "ReadReplica")
lab.at_path(
    "ReadReplicaAvailable", "RDS", "describeDBInstances", {"DBInstanceIdentifier": replica},
    "DBInstances.0.DBInstanceStatus", exactly("available"),
)
lab.synth()
