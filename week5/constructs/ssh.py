"""The SSH and Session Manager command lines a lab host prints: straight to a host, over Session
Manager (no port 22), and through a jump host (a bastion), hop by hop or by a local tunnel.
"""

from __future__ import annotations

SSH_PORT = 22
#: Amazon Linux 2023's login user (course step: ``ssh ec2-user@<public-ip>``).
SSH_USER = "ec2-user"
#: The local port ``tunnel_via_command`` forwards to a host behind a jump host.
DEFAULT_TUNNEL_PORT = 2222


def ssm_proxy(target: str, port: str, region: str) -> str:
    """The command ssh runs to reach ``target``'s port over Session Manager."""
    return (
        f"aws ssm start-session --target {target} --document-name AWS-StartSSHSession "
        f"--parameters portNumber={port} --region {region}"
    )


def ssm_session(instance_id: str, region: str) -> str:
    """A shell on the instance with Session Manager: no key, no port."""
    return f"aws ssm start-session --region {region} --target {instance_id}"


def ssh_over_ssm(key: str, instance_id: str, region: str) -> str:
    """``ssh -i <key> ec2-user@<instance-id>`` over Session Manager (``AWS-StartSSHSession``)."""
    proxy = ssm_proxy("%h", "%p", region)
    return f'ssh -i {key} -o ProxyCommand="{proxy}" {SSH_USER}@{instance_id}'


def ssh_direct(key: str, public_ip: str) -> str:
    """``ssh -i <key> ec2-user@<public-ip>``: the course's own command."""
    return f"ssh -i {key} {SSH_USER}@{public_ip}"


def ssh_via_ssm_jump(key: str, jump_key: str, jump_id: str, private_ip: str, region: str) -> str:
    """SSH to ``private_ip`` through the jump host ``jump_id``, itself reached over Session
    Manager (``ssh -W`` on the jump host, the key given to both hops; POSIX shells only)."""
    proxy = ssm_proxy(jump_id, str(SSH_PORT), region)
    return (
        f"ssh -i {key} -o ProxyCommand=\"ssh -i {jump_key} -W %h:%p -o 'ProxyCommand={proxy}' "
        f'{SSH_USER}@{jump_id}" {SSH_USER}@{private_ip}'
    )


def ssh_via_direct_jump(key: str, jump_key: str, jump_public_ip: str, private_ip: str) -> str:
    """SSH to ``private_ip`` through a jump host's public IP: the course's classic bastion hop."""
    return (
        f'ssh -i {key} -o ProxyCommand="ssh -i {jump_key} -W %h:%p {SSH_USER}@{jump_public_ip}" '
        f"{SSH_USER}@{private_ip}"
    )


def tunnel_via(jump_id: str, private_ip: str, local_port: int, region: str) -> str:
    """Forward ``localhost:<local_port>`` through the jump host ``jump_id`` (Session Manager,
    from its SSM agent) to ``private_ip``'s port 22."""
    return (
        f"aws ssm start-session --region {region} --target {jump_id} "
        "--document-name AWS-StartPortForwardingSessionToRemoteHost --parameters "
        f'"host={private_ip},portNumber={SSH_PORT},localPortNumber={local_port}"'
    )


def tunnel_ssh(key: str, local_port: int) -> str:
    """SSH into the host at the far end of a ``tunnel_via`` tunnel."""
    return f"ssh -i {key} -p {local_port} {SSH_USER}@localhost"
