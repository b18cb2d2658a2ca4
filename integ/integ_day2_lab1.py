"""Day 2 Lab 1 - EBS & 데이터 영속성: the encrypted data volume is attached and mounted at /data
with hello.txt on it (step 1), the EFS file system has a mount target in each AZ, and host B
sees both hosts' files under /mnt/efs (step 3: shared storage)."""

from promises import LabPromise, exactly

lab = LabPromise("Day2Lab1")
lab.at_path(
    "DataVolumeAttached", "EC2", "describeVolumes", {"VolumeIds": [lab.output("DataVolumeId")]},
    "Volumes.0.Attachments.0.State", exactly("attached"),
)
lab.sdk_like(
    "EfsMountTargetPerAz", "EFS", "describeMountTargets",
    {"FileSystemId": lab.output("EfsFileSystemId")},
    {"MountTargets": [{"LifeCycleState": "available"}] * len(lab.stack.availability_zones)},
)
host_a, host_b = (lab.physical_id(h.instance, f"Host{x}") for h, x in zip(lab.stack.hosts, "AB"))
lab.runs("HostAKeepsDataOnEbs", host_a, "mountpoint -q /data && grep -q . /data/hello.txt")
lab.runs(
    "HostBSeesBothHostsOnEfs",
    host_b,
    'for i in $(seq 60); do [ "$(ls /mnt/efs/*.txt | wc -l)" -ge 2 ] && exit 0; sleep 10; done; '
    "exit 1",
)
lab.synth()
