"""What counts as a course day's resource in one region, and one resource found there."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional

from week5.analysis.assembly import tag_dict
from week5.core.catalog import COURSE_DAYS
from week5.core.errors import CourseInputError
from week5.core.tags import tag_filter
from week5.operations.price_table import PriceTable


def parse_day(value: str) -> str:
    days = [f"Day{d}" for d in COURSE_DAYS]
    if value not in days:
        raise CourseInputError(f"--day {value!r}: pass one of {', '.join(days)}, e.g. --day Day1")
    return value


@dataclass
class Found:
    """One tagged resource: what it is, its id, its Name tag, what it costs an hour."""

    kind: str
    id: str
    name: str = ""
    hourly: Optional[float] = None
    delete: Callable[[], None] = field(default=lambda: None, repr=False, compare=False)

    def __str__(self) -> str:
        return f"{self.kind} {self.id}" + (f" ({self.name})" if self.name else "")


@dataclass
class Scope:
    """One course day's resources (one student's, when given) in one region: how to tell them
    by their tags, reach them (``clients(service)``: a boto3 client) and price them."""

    clients: Callable[[str], Any]
    region: str
    day: str
    student: Optional[str]
    prices: PriceTable

    def wanted(self) -> Dict[str, str]:
        return tag_filter(self.day, student=self.student)

    def ours(self, tags: Mapping[str, str]) -> bool:
        return all(tags.get(k) == v for k, v in self.wanted().items())

    def ours_by_tags(self, tag_list: Optional[List[Dict[str, str]]]) -> bool:
        """``ours`` for a Key/Value tag list as the AWS APIs return it."""
        return self.ours(tag_dict(tag_list))

    def ec2_filters(self) -> List[Dict[str, Any]]:
        return [{"Name": f"tag:{k}", "Values": [v]} for k, v in self.wanted().items()]

    def price(self, key: str, count: float = 1.0) -> Optional[float]:
        return self.prices.hourly(key, count)


def name_tag(item: Mapping[str, Any]) -> str:
    return tag_dict(item.get("Tags")).get("Name", "")


def error_code(error: Exception) -> str:
    """The AWS error code of a botocore ClientError, else the exception's type name."""
    return getattr(error, "response", {}).get("Error", {}).get("Code", type(error).__name__)
