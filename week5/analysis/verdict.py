"""Each lab's estimated cost and time against the course's figure and its 50-minute slot.

The verdict ``week5 labs`` prints (and gives as JSON): "ok", or every reason the lab is not:
above the course's $/hour, creation plus deletion longer than the slot, resources without a
price (said, never counted as zero).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from week5.analysis import pricing, timing
from week5.analysis.assembly import SynthesizedLab

OK = "ok"


def problems(
    est: pricing.Estimate, took: timing.Duration, course_usd: Optional[float]
) -> List[str]:
    """Why a lab misses the course's figure or slot; empty when it does not."""
    found = []
    if course_usd is not None and est.hourly > course_usd:
        found.append(f"over the course's ${course_usd:.2f}/h")
    if took.create_min + took.delete_min > timing.LAB_SLOT_MINUTES:
        found.append(f"create + delete over {timing.LAB_SLOT_MINUTES} min")
    if est.not_priced:
        found.append(f"{len(est.not_priced)} resource(s) not priced")
    return found


def lab_row(lab: SynthesizedLab) -> Dict[str, Any]:
    """One lab's cost and time estimates and its verdict, as ``week5 labs --json`` gives it."""
    est = pricing.estimate(lab.template)
    took = timing.estimate_duration(lab.template)
    missed = problems(est, took, lab.course_cost_usd)
    return {
        "lab": lab.lab_id,
        "day": lab.day,
        "title": lab.title_ko,
        "resources": lab.resource_count,
        "estimated_usd_per_hour": round(est.hourly, 4),
        "course_usd_per_hour": lab.course_cost_usd,
        "create_minutes": round(took.create_min, 1),
        "delete_minutes": round(took.delete_min, 1),
        "verdict": OK if not missed else "; ".join(missed),
    }


def lab_rows(labs: Sequence[SynthesizedLab]) -> List[Dict[str, Any]]:
    """Per lab: cost and time estimates, and the verdict against the course's figure and slot."""
    return [lab_row(lab) for lab in labs]
