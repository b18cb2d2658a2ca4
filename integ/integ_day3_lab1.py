"""Day 3 Lab 1 - RDS PostgreSQL 구성: the database is available with a standby in the other AZ
(Multi-AZ, step 1), and from the client host `sudo lab-psql` connects, creates a table, inserts
a row and reads it back (step 2)."""

from promises import LabPromise, exactly

lab = LabPromise("Day3Lab1")
database = lab.physical_id(lab.stack.database.instance, "Database")
lookup = {"DBInstanceIdentifier": database}
lab.at_path(
    "DatabaseAvailable", "RDS", "describeDBInstances", lookup,
    "DBInstances.0.DBInstanceStatus", exactly("available"),
)
lab.at_path(
    "DatabaseHasStandby", "RDS", "describeDBInstances", lookup,
    "DBInstances.0.SecondaryAvailabilityZone", f"^{lab.stack.region}[a-z]$",
)
client = lab.physical_id(lab.stack.client.instance, "Client")
lab.runs(
    "PsqlFromClient",
    client,
    "sudo /usr/local/bin/lab-psql -v ON_ERROR_STOP=1 -tAc "
    "'CREATE TABLE IF NOT EXISTS integ_check (id int); INSERT INTO integ_check VALUES (1); "
    "SELECT count(*) > 0 FROM integ_check' | grep -qx t",
)
lab.synth()
