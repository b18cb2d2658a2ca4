"""Boot scripts for lab hosts, as the console's "User Data" box would hold them.

Each function returns shell lines; hosts add them to their ``ec2.UserData``. Values that are CDK
tokens (a secret's ARN, another host's address) are resolved by CloudFormation at deploy time.
"""

from __future__ import annotations

import base64
import gzip
import re
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, List, Mapping, Optional, Tuple, Union

from week5.core.errors import CourseInputError
from week5.core.secret_scan import scan_text

if TYPE_CHECKING:  # annotations only: boot lines need no jsii module
    from aws_cdk import aws_s3_assets as s3_assets

#: Docker Compose v2 plugin: Amazon Linux 2023's ``docker`` package does not ship it.
DOCKER_COMPOSE_VERSION = "v2.29.7"
#: The SHA-256 that release publishes for each Linux build (``docker-compose-linux-<arch>.sha256``),
#: keyed by ``uname -m``: a host runs the plugin as root only if the download matches. Change it
#: with the version.
DOCKER_COMPOSE_SHA256 = {
    "x86_64": "383ce6698cd5d5bbf958d2c8489ed75094e34a77d340404d9f32c4ae9e12baf0",
    "aarch64": "6e9fbd5daa20dca5d7d89145081ae8155d68ef2928b497d9f85b54fe0f9dbb2c",
}
_COMPOSE_PLUGIN = "/usr/local/lib/docker/cli-plugins/docker-compose"
#: Where a host keeps its compose project (compose file and the ``.env`` made at boot).
APP_DIR = "/opt/week5/app"

_ENV_NAME_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_HEREDOC_END = "WEEK5_EOF"
_PARAMETER_NAME_RE = re.compile(r"^/[A-Za-z0-9_.\-/]+$")


#: How often, and how far apart, a boot tries its first download: a host behind a NAT instance
#: can start once the NAT's route exists, before the NAT instance's own boot forwards anything.
NETWORK_TRIES = 30
NETWORK_RETRY_SECONDS = 10


def retried(command: str) -> str:
    """``command`` again every ``NETWORK_RETRY_SECONDS`` until it succeeds, ``NETWORK_TRIES``
    times at most (5 minutes); the last failure ends the boot as set -e would."""
    return (
        f"for try in $(seq {NETWORK_TRIES}); do {command} && break; "
        f"[ $try -lt {NETWORK_TRIES} ] || exit 1; sleep {NETWORK_RETRY_SECONDS}; done"
    )


def install_docker() -> List[str]:
    """Course Day 1 Lab 1, step 3, on Amazon Linux 2023 (``dnf`` is AL2023's ``yum``)."""
    return [
        retried("dnf install -y docker"),
        "systemctl enable --now docker",
        "usermod -aG docker ec2-user",
        "mkdir -p /usr/local/lib/docker/cli-plugins",
        "case $(uname -m) in "
        + " ".join(f"{arch}) compose_sha256={digest} ;;" for arch, digest in DOCKER_COMPOSE_SHA256.items())
        + ' *) echo "no Docker Compose checksum for $(uname -m)" >&2; exit 1 ;; esac',
        f"curl -fsSL --retry 5 -o {_COMPOSE_PLUGIN} "
        "https://github.com/docker/compose/releases/download/"
        f"{DOCKER_COMPOSE_VERSION}/docker-compose-linux-$(uname -m)",
        # The boot runs under set -e: a mismatch stops it before root runs the file.
        f'echo "$compose_sha256  {_COMPOSE_PLUGIN}" | sha256sum -c -',
        f"chmod +x {_COMPOSE_PLUGIN}",
        # Two lines: set -e does not stop on the first command of an && list.
        "docker --version",
        "docker compose version",
    ]


def write_file(path: str, content: str, mode: str = "0644") -> List[str]:
    """Write ``content`` verbatim (quoted heredoc: no shell expansion)."""
    if _HEREDOC_END in content:
        raise CourseInputError(f"{path}: content must not contain the line {_HEREDOC_END}")
    return [
        f"mkdir -p $(dirname {path})",
        f"cat > {path} <<'{_HEREDOC_END}'\n{content.rstrip()}\n{_HEREDOC_END}",
        f"chmod {mode} {path}",
    ]


def write_file_gzipped(path: str, source: Path, mode: str = "0644") -> List[str]:
    """Write the file ``source`` to ``path`` from gzip and base64: an app's source that as plain
    text would not fit EC2's 16 KB of user data (compressed it takes about a third). The same
    file gives the same lines (``mtime=0``)."""
    blob = base64.b64encode(gzip.compress(Path(source).read_bytes(), compresslevel=9, mtime=0))
    body = "\n".join(textwrap.wrap(blob.decode("ascii"), 76))
    return [
        f"mkdir -p $(dirname {path})",
        f"base64 -d <<'{_HEREDOC_END}' | gunzip > {path}\n{body}\n{_HEREDOC_END}",
        f"chmod {mode} {path}",
    ]


def download_asset(asset: "s3_assets.Asset", destination: str, region: str) -> List[str]:
    """Put an S3 asset (what ``cdk deploy`` uploaded) on the host, for files too large for EC2's
    16 KB of user data: a file asset becomes the file ``destination``; a folder asset (a zip) is
    unpacked into the folder ``destination``. The host's role needs
    :func:`week5.constructs.access.grant_asset_read` on the asset."""
    if not asset.is_zip_archive:
        return [
            f"mkdir -p $(dirname {destination})",
            f"aws s3 cp --region {region} --no-progress {asset.s3_object_url} {destination}",
        ]
    return [
        f"mkdir -p {destination}",
        f"aws s3 cp --region {region} --no-progress {asset.s3_object_url} /tmp/week5-asset.zip",
        f"python3 -m zipfile -e /tmp/week5-asset.zip {destination}",
        "rm -f /tmp/week5-asset.zip",
    ]


def compose_up(
    compose_file: Path,
    *,
    region: str,
    env: Mapping[str, str],
    secret_env: Mapping[str, Union[str, Tuple[str, str]]],
    files: Optional[Mapping[str, Path]] = None,
    app_dir: str = APP_DIR,
) -> List[str]:
    """Copy ``compose_file`` to the host, fill ``.env`` and start it.

    ``files`` maps a name to a local file copied beside the compose file (an app's source).
    ``env`` holds plain values (names, addresses); ``secret_env`` maps a variable to a Secrets
    Manager secret ARN, or to ``(ARN, field)`` for one field of a JSON secret, read at boot with
    the instance role, so no password is in the user data, the template or the compose file.
    ``.env`` is readable by root only.
    """
    _check_variables(env, secret_env)
    for name, value in env.items():
        if "'" in value or "\n" in value:
            raise CourseInputError(
                f"compose variable {name}: a value cannot hold a quote or newline"
            )
    reads = {}
    for name, source in secret_env.items():
        secret_arn, field = (source, None) if isinstance(source, str) else source
        reads[name] = _read_secret(region, f"'{secret_arn}'", field)
    return _compose_with_env(compose_file, files, app_dir, env, reads)


def compose_up_from_parameters(
    compose_file: Path,
    *,
    region: str,
    parameter_env: Mapping[str, str],
    secret_env: Mapping[str, Tuple[str, Optional[str]]],
    files: Optional[Mapping[str, Path]] = None,
    app_dir: str = APP_DIR,
) -> List[str]:
    """Like :func:`compose_up`, but the boot script holds only Parameter Store names.

    ``parameter_env`` maps a variable to the SSM parameter holding its value (an endpoint);
    ``secret_env`` maps a variable to ``(parameter, field)``: the SSM parameter that holds a
    Secrets Manager secret's ARN, and the JSON field to read (``None`` for a plain secret).
    Endpoints, secret names and passwords are read at boot with the instance role, so changing
    them needs no new launch template, and the user data names no resource.
    """
    _check_variables(parameter_env, secret_env)
    for parameter in list(parameter_env.values()) + [p for p, _ in secret_env.values()]:
        if not _PARAMETER_NAME_RE.match(parameter):
            raise CourseInputError(
                f"SSM parameter {parameter!r} must be a path like /week5/app/name"
            )
    get = f"aws ssm get-parameter --region {region} --query Parameter.Value --output text --name"
    reads = {name: f"{get} '{parameter}'" for name, parameter in parameter_env.items()}
    for name, (parameter, field) in secret_env.items():
        reads[name] = _read_secret(region, f"\"$({get} '{parameter}')\"", field)
    return _compose_with_env(compose_file, files, app_dir, {}, reads)


def _check_variables(plain: Mapping[str, object], secret: Mapping[str, object]) -> None:
    for name in list(plain) + list(secret):
        if not _ENV_NAME_RE.match(name):
            raise CourseInputError(f"compose variable {name!r} must be UPPER_SNAKE_CASE")
    overlap = set(plain) & set(secret)
    if overlap:
        raise CourseInputError(
            f"compose variables {sorted(overlap)} are given both plain and secret"
        )


def _read_secret(region: str, secret_id: str, field: Optional[str]) -> str:
    """A command printing a secret, or one field of a JSON secret (RDS's username/password)."""
    read = (
        f"aws secretsmanager get-secret-value --region {region} "
        f"--secret-id {secret_id} --query SecretString --output text"
    )
    if field is not None:
        if not _ENV_NAME_RE.match(field.upper()):
            raise CourseInputError(f"secret field {field!r} must be a plain JSON key")
        read += f" | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"{field}\"])'"
    return read


def read_compose_file(compose_file: Path) -> str:
    """The compose file's text, refused if it is missing, has no ``services:`` or writes a
    password, token or key in plain text (it is copied onto the instance as it is)."""
    path = Path(compose_file)
    if not path.is_file():
        raise CourseInputError(
            f"compose file {path} does not exist; pass the path of a docker-compose.yml "
            "(e.g. week5/assets/compose/wordpress.yml)"
        )
    text = path.read_text(encoding="utf-8")
    if not re.search(r"^services:", text, re.M):
        raise CourseInputError(
            f"compose file {path} has no top-level 'services:'; pass a docker-compose.yml"
        )
    found = scan_text(text, str(path))
    if found:
        raise CourseInputError(
            f"compose file {found[0]}: move it to Secrets Manager and write "
            f"{found[0].name}: ${{{found[0].name}:?set by Secrets Manager at boot}}, then pass "
            f"compose_secrets={{'{found[0].name}': secret}} (the secret itself)"
        )
    return text


def _compose_with_env(
    compose_file: Path,
    files: Optional[Mapping[str, Path]],
    app_dir: str,
    values: Mapping[str, str],
    reads: Mapping[str, str],
) -> List[str]:
    """Write the compose file and ``files``; fill ``.env`` with ``values``, then with what each
    command of ``reads`` (variable: command) prints at boot."""
    lines = write_file(f"{app_dir}/docker-compose.yml", read_compose_file(compose_file))
    for name, path in (files or {}).items():
        if "/" in name or name.startswith("."):
            raise CourseInputError(
                f"file name {name!r} must be a plain name beside the compose file"
            )
        lines += write_file(f"{app_dir}/{name}", path.read_text(encoding="utf-8"))
    # No tracing while secrets are in play: `set -x` would print them to cloud-init's log.
    lines += ["set +x", "umask 077", f": > {app_dir}/.env"]
    lines += [f"echo '{name}={value}' >> {app_dir}/.env" for name, value in values.items()]
    for name, read in reads.items():
        # An assignment, not `echo "$(...)"`: set -e (with pipefail) stops the boot if the value
        # is unreadable.
        lines += [f"value=$({read})", f"printf '%s=%s\\n' {name} \"$value\" >> {app_dir}/.env"]
    lines += ["unset value", "umask 022", "set -x", f"cd {app_dir} && docker compose up -d"]
    return lines


def web_page(extra_html: str = "") -> List[str]:
    """An nginx page naming the instance and its AZ, so a student sees which host answered.

    ``extra_html`` is added under the instance's line (static HTML; ``$`` is not expanded).
    """
    if _HEREDOC_END in extra_html or "EOF" in extra_html:
        raise CourseInputError("extra_html must not hold a heredoc end marker")
    extra = extra_html.replace("\\", "\\\\").replace("$", "\\$").replace("`", "\\`")
    return [
        "dnf install -y nginx",
        "TOKEN=$(curl -s -X PUT http://169.254.169.254/latest/api/token "
        '-H "X-aws-ec2-metadata-token-ttl-seconds: 300")',
        'meta() { curl -s -H "X-aws-ec2-metadata-token: $TOKEN" '
        "http://169.254.169.254/latest/meta-data/$1; }",
        "cat > /usr/share/nginx/html/index.html <<EOF\n"
        # An empty icon: else the browser asks for /favicon.ico (a 404 in its console, and
        # behind the ALB a round-robin turn, so a reload would not show the other instance).
        '<!doctype html><html><head><meta charset="utf-8"><title>Week 5</title>'
        '<link rel="icon" href="data:,"></head><body>\n'
        "<h1>Hello from $(meta instance-id)</h1>\n"
        "<p>Availability zone: <b>$(meta placement/availability-zone)</b>, "
        "private IP $(meta local-ipv4)</p>\n" + (f"{extra}\n" if extra else "") + "</body></html>\n"
        "EOF",
        "systemctl enable --now nginx",
    ]


#: The VPC's DNS resolver, reachable from every instance (the VPC base address + 2 also works).
VPC_RESOLVER = "169.254.169.253"


def nginx_proxy(prefix: str, upstream_host: str) -> List[str]:
    """Proxy ``prefix`` (e.g. ``/api/``) of the host's nginx to ``http://<upstream_host>``.

    The upstream is re-resolved every 30 s through the VPC resolver: an ALB's addresses change
    as it scales, and nginx otherwise resolves a name once at start. Goes after
    :func:`web_page` (Amazon Linux's nginx includes ``default.d`` in its default server).
    """
    if not (prefix.startswith("/") and prefix.endswith("/")):
        raise CourseInputError(f"nginx prefix {prefix!r} must start and end with /")
    conf = (
        f"location {prefix} {{\n"
        f"    resolver {VPC_RESOLVER} valid=30s;\n"
        f"    set $upstream http://{upstream_host};\n"
        "    proxy_pass $upstream;\n"
        "    proxy_connect_timeout 5s;\n"
        "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
        "}"
    )
    return write_file("/etc/nginx/default.d/week5-proxy.conf", conf) + [
        "nginx -t",
        "systemctl reload nginx",
    ]


def python_service(name: str, source: Path, env: Mapping[str, str]) -> List[str]:
    """Run ``source`` (standard library only) as the systemd service ``name``, restarted on exit.

    The script goes to ``/opt/week5/<name>.py``; ``env`` becomes the unit's ``Environment=``
    (plain values such as addresses; secrets belong in Secrets Manager). The service runs as
    a throw-away user (``DynamicUser``), not root.
    """
    if not re.match(r"^[a-z][a-z0-9-]*$", name):
        raise CourseInputError(f"service name {name!r} must be lowercase letters, digits and -")
    for key, value in env.items():
        if not _ENV_NAME_RE.match(key):
            raise CourseInputError(f"service variable {key!r} must be UPPER_SNAKE_CASE")
        if any(c in value for c in '"\n\\'):
            raise CourseInputError(
                f"service variable {key}: a value cannot hold a quote or newline"
            )
    environment = "".join(f'Environment="{k}={v}"\n' for k, v in env.items())
    unit = (
        "[Unit]\n"
        f"Description=Week 5 {name}\n"
        "After=network-online.target\n"
        "Wants=network-online.target\n\n"
        "[Service]\n"
        f"ExecStart=/usr/bin/python3 /opt/week5/{name}.py\n"
        f"{environment}"
        "DynamicUser=yes\n"
        "Restart=always\n\n"
        "[Install]\n"
        "WantedBy=multi-user.target\n"
    )
    return (
        write_file(f"/opt/week5/{name}.py", source.read_text(encoding="utf-8"))
        + write_file(f"/etc/systemd/system/{name}.service", unit)
        + ["systemctl daemon-reload", f"systemctl enable --now {name}"]
    )


def s3_sync_timer(
    name: str,
    source_dir: str,
    target: str,
    *,
    region: str,
    description: str,
    timer_description: str,
) -> List[str]:
    """A systemd timer ``<name>.timer``: two minutes after boot, then every minute,
    ``aws s3 sync`` copies ``source_dir``'s new files to ``target`` (``s3://bucket/prefix/``),
    with the instance role (it needs ``s3:ListBucket`` and ``s3:PutObject`` there:
    :func:`week5.constructs.access.grant_put_only` with ``list_bucket=True``). A run is skipped
    while ``source_dir`` does not exist yet.

    :param description: the service's ``Description=``; ``timer_description`` the timer's.
    """
    if not re.match(r"^[a-z][a-z0-9-]*$", name):
        raise CourseInputError(f"timer name {name!r} must be lowercase letters, digits and -")
    if not target.startswith("s3://"):
        raise CourseInputError(f"sync target {target!r} must be an s3://bucket/prefix/ URL")
    service = (
        "[Unit]\n"
        f"Description={description}\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"ExecCondition=/usr/bin/test -d {source_dir}\n"
        f"ExecStart=/usr/bin/aws s3 sync {source_dir} {target} --region {region} "
        "--only-show-errors\n"
    )
    timer = (
        "[Unit]\n"
        f"Description={timer_description}\n\n"
        "[Timer]\n"
        "OnBootSec=2min\n"
        "OnUnitActiveSec=1min\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return (
        write_file(f"/etc/systemd/system/{name}.service", service)
        + write_file(f"/etc/systemd/system/{name}.timer", timer)
        + ["systemctl daemon-reload", f"systemctl enable --now {name}.timer"]
    )


#: ``sudo lab-psql`` on the client host: psql with the credentials from Secrets Manager.
PSQL_SCRIPT = "/usr/local/bin/lab-psql"


def libpq_env_from_secret(
    *, region: str, secret_arn: str, sslmode: str = "require", sslrootcert: Optional[str] = None
) -> List[str]:
    """Script lines that read an RDS secret (``host``, ``port``, ``dbname``, ``username``,
    ``password``) from Secrets Manager into libpq's ``PG*`` variables and export them, so that
    ``psql`` or any libpq client (psycopg) connects with no argument.

    The secret is read at each run, with the host's role: nothing is written to disk, and a
    rotated password needs no new script. The lines need ``set -euo pipefail`` before them (a
    missing field stops the script) and ``jq`` on the host.

    :param sslmode: ``PGSSLMODE``. @default ``require`` (RDS serves TLS by default)
    :param sslrootcert: ``PGSSLROOTCERT``, the CA bundle ``verify-full`` checks the server's
        certificate against (double-quoted: it may hold ``${VAR:-default}``). @default none
    """
    exported = "PGHOST PGPORT PGDATABASE PGUSER PGPASSWORD"
    lines = [
        f"secret=$(aws secretsmanager get-secret-value --region {region} "
        f"--secret-id '{secret_arn}' --query SecretString --output text)",
        'field() { jq -er ".$1" <<<"$secret"; }',
        "PGHOST=$(field host); PGPORT=$(field port); PGDATABASE=$(field dbname)",
        "PGUSER=$(field username); PGPASSWORD=$(field password)",
    ]
    if sslrootcert is not None:
        lines.append(f'PGSSLROOTCERT="{sslrootcert}"')
        exported += " PGSSLROOTCERT"
    return lines + [f"export {exported} PGSSLMODE={sslmode}"]


def psql_client_script(*, region: str, secret_arn: str) -> str:
    """A psql wrapper that reads host, port, database, user and password from an RDS secret.

    Nothing is written to disk; TLS is required (RDS serves it by default).
    """
    return "\n".join(
        [
            "#!/bin/bash",
            "# psql to the lab database; the credentials come from Secrets Manager at each start.",
            "set -euo pipefail",
            *libpq_env_from_secret(region=region, secret_arn=secret_arn),
            'exec psql "$@"',
        ]
    )


def install_psql_client(*, region: str, secret_arn: str) -> List[str]:
    """The PostgreSQL client (the newest Amazon Linux 2023 offers) and ``lab-psql``."""
    return [
        "dnf install -y postgresql17 || dnf install -y postgresql16 || dnf install -y postgresql15",
        "dnf install -y jq",
        *write_file(
            PSQL_SCRIPT, psql_client_script(region=region, secret_arn=secret_arn), mode="0755"
        ),
    ]


#: ``lab-mount-volume``: mounts an attached EBS volume (Day 2 Lab 1), formatting only if empty.
MOUNT_VOLUME_SCRIPT = "/usr/local/bin/lab-mount-volume"

_MOUNT_VOLUME = r"""#!/bin/bash
# lab-mount-volume DEVICE MOUNT_POINT [--format-if-empty | --restored]
#   --format-if-empty  make an XFS file system if DEVICE has none (never on one that has data)
#   --restored         a volume restored from a snapshot: mount read-only with `nouuid` (its
#                      file system has the same UUID as the original's), not in fstab
# Otherwise the mount is added to fstab by UUID, with nofail, so it survives a reboot.
set -euo pipefail
device=$1 mount_point=$2 mode=${3:-}
fstab=${FSTAB:-/etc/fstab}
for _ in $(seq 60); do [ -e "$device" ] && break; sleep "${LAB_WAIT_S:-5}"; done
[ -e "$device" ] || { echo "lab-mount-volume: $device is not attached" >&2; exit 1; }
if ! blkid "$device" >/dev/null 2>&1; then
  if [ "$mode" = --restored ]; then
    echo "lab-mount-volume: $device has no file system: its snapshot was taken before the" \
      "volume was formatted (the schedule's first runs at deploy); restore a later one" >&2
    exit 1
  fi
  if [ "$mode" != --format-if-empty ]; then
    echo "lab-mount-volume: $device has no file system; pass --format-if-empty" >&2; exit 1
  fi
  mkfs -t xfs "$device"
fi
mkdir -p "$mount_point"
if [ "$mode" = --restored ]; then
  mountpoint -q "$mount_point" || mount -o ro,nouuid "$device" "$mount_point"
  exit 0
fi
uuid=$(blkid -s UUID -o value "$device")
grep -q "^UUID=$uuid " "$fstab" || echo "UUID=$uuid $mount_point xfs defaults,nofail 0 2" >> "$fstab"
mountpoint -q "$mount_point" || mount "$mount_point"
"""


def mount_volume_script() -> str:
    return _MOUNT_VOLUME


def mount_data_volume(device: str, mount_point: str) -> List[str]:
    """Install ``lab-mount-volume``, mount the data volume, and leave a file to check later."""
    return [
        *write_file(MOUNT_VOLUME_SCRIPT, mount_volume_script(), mode="0755"),
        f"{MOUNT_VOLUME_SCRIPT} {device} {mount_point} --format-if-empty",
        f"[ -e {mount_point}/hello.txt ] || "
        f'echo "written $(date -u +%FT%TZ) by $(hostname)" > {mount_point}/hello.txt',
    ]


def mount_efs(file_system_id: str, mount_point: str) -> List[str]:
    """Mount EFS with amazon-efs-utils over TLS, in fstab with nofail; retry until DNS resolves.

    ``iam``: the client signs in with the instance role, since a file system whose policy
    refuses anonymous clients (``SharedFileSystem``'s) refuses a mount without it."""
    return [
        "dnf install -y amazon-efs-utils",
        f"mkdir -p {mount_point}",
        f"grep -q '^{file_system_id}:/ ' /etc/fstab || "
        f"echo '{file_system_id}:/ {mount_point} efs _netdev,tls,iam,nofail 0 0' >> /etc/fstab",
        f"for _ in $(seq 30); do mount {mount_point} && break; sleep 10; done",
        f"mountpoint -q {mount_point}",
        f'echo "$(hostname) in $(cat /sys/devices/virtual/dmi/id/board_asset_tag 2>/dev/null)" '
        f"> {mount_point}/$(hostname).txt",
    ]
