"""Conformance checks of the product's own readers and engines against files
written by others (``../shared/corpus``). Pure: each check reads files and returns
a result."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SetResult:
    """The outcome of one corpus set: cases passed out of total, and why others
    failed."""

    name: str
    passed: int = 0
    total: int = 0
    failures: list[str] = field(default_factory=list)
    # The lowest pass count CI accepts for this set; raised as readers improve.
    floor: int = 0
    # Passed cases where the reference or the file itself breaks a rule of the
    # format's standard: what differs and which clause or rule says so.
    findings: list[str] = field(default_factory=list)

    @property
    def meets_floor(self) -> bool:
        return self.passed >= self.floor

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "passed": self.passed,
            "total": self.total,
            "floor": self.floor,
            "failures": self.failures,
            "findings": self.findings,
        }
