"""Delete found resources in their order, retrying what fails on a dependency after bounded
waits; report what went and what did not, with the reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Sequence, Tuple

from week5.operations.cleanup.scope import Found, error_code

#: AWS error codes that mean "not yet": something still depends on it, or it is still busy.
RETRYABLE = {
    "DependencyViolation",
    "ResourceInUse",
    "ResourceInUseException",
    "InvalidDBInstanceState",
    "InvalidDBInstanceStateFault",
    "InvalidReplicationGroupState",
    "InvalidParameterValue",
    "IncorrectState",
    "DistributionNotDisabled",
    "BucketNotEmpty",
    "InvalidIPAddress.InUse",
    "AuthFailure.AddressNotReleasable",
}
#: Seconds to wait before each retry round: about five minutes in all, enough for instances to
#: terminate and NAT gateways to go; an RDS instance may take longer and is then reported.
DEFAULT_WAITS = (10, 20, 40, 60, 90, 90)


@dataclass
class Report:
    deleted: List[Found] = field(default_factory=list)
    failed: List[Tuple[Found, str]] = field(default_factory=list)


def delete_in_order(
    found: Sequence[Found],
    waits: Sequence[float],
    sleep: Callable[[float], None],
    say: Callable[[str], None],
) -> Report:
    """Delete ``found`` in order; what fails with a :data:`RETRYABLE` code is tried again after
    each wait of ``waits``, anything else is reported at once."""
    pending = list(found)
    report = Report()
    last_error: Dict[str, str] = {}
    for round_number in range(len(waits) + 1):
        retry = []
        for item in pending:
            try:
                item.delete()
            except Exception as error:
                code = error_code(error)
                last_error[item.id] = f"{code}: {error}"
                if code in RETRYABLE:
                    retry.append(item)
                else:
                    report.failed.append((item, last_error[item.id]))
                continue
            report.deleted.append(item)
            say(f"  deleted {item}")
        pending = retry
        if not pending or round_number == len(waits):
            break
        wait = waits[round_number]
        say(f"  {len(pending)} not deletable yet (dependencies); retrying in {wait:.0f} s")
        sleep(wait)
    report.failed += [(item, last_error[item.id]) for item in pending]
    return report
