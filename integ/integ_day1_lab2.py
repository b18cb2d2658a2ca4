"""Day 1 Lab 2 - 멀티 AZ 네트워크: each public subnet's web server answers and names its AZ
(AZ-A, AZ-B); the bastion path works through Session Manager: the bastion and the private host
(through the NAT gateway) are Online, and from the bastion the private host's SSH port answers."""

from promises import LabPromise

lab = LabPromise("Day1Lab2")
for index, az in enumerate(lab.stack.availability_zones, start=1):
    lab.page(f"Web{index}ShowsItsAz", lab.output(f"Web{index}Url"), shows=f"<b>{az}</b>")
pair = lab.stack.bastion_pair
bastion = lab.physical_id(pair.bastion.instance, "Bastion")
private_host = lab.physical_id(pair.private_host.instance, "PrivateHost")
lab.online("PrivateHostOnlineThroughNat", private_host)
address = lab.private_ip(private_host, "PrivateHost")
lab.runs("BastionReachesPrivateSsh", bastion, f"timeout 5 bash -c '</dev/tcp/{address}/22'")
lab.synth()
