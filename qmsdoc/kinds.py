"""The four record kinds: CLI name, folder under records/, id scheme, schema file, and the
workflow states of their status in order (``tests/test_schemas.py`` holds them equal to the
schemas' enumerations)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    folder: str
    prefix: str
    yearly: bool  # ids PREFIX-YYYY-NNNN in year folders; else PREFIX-<CUSTOMER-CODE>
    schema_file: str
    title: str
    title_en: str
    states: tuple[str, ...] = ()  # workflow states in order (requirement items, for CSR)
    ends: tuple[str, ...] = ()  # other final states, at the rank of the last one

    def rank(self, state: str) -> int | None:
        """The position of ``state`` in the workflow (None: not one of its states)."""
        if state in self.states:
            return self.states.index(state)
        return len(self.states) - 1 if state in self.ends else None

    def id_pattern(self, prefix: str | None = None) -> str:
        p = prefix or self.prefix
        if self.yearly:
            return rf"^{p}-(?P<year>[0-9]{{4}})-(?P<serial>[0-9]{{4,}})$"
        return rf"^{p}-(?P<customer>[A-Z0-9][A-Z0-9_-]*)$"


KINDS: tuple[Kind, ...] = (
    Kind(
        "complaint", "complaints", "CC", True, "complaint.schema.json",
        "客户抱怨单", "Customer complaint",
        ("registered", "investigating", "actions", "verifying", "closed_internal", "closed"),
        ("rejected",),
    ),
    Kind(
        "contract-review", "contract-reviews", "CR", True, "contract-review.schema.json",
        "订单评审表", "Contract review",
        ("received", "in_review", "decided", "customer_confirmed"),
    ),
    Kind(
        "special-requirements", "special-requirements", "CSR", False,
        "special-requirements.schema.json", "顾客特殊要求清单", "Customer-specific requirements",
        ("open", "in_progress", "done"),
    ),
    Kind("8d", "8d", "8D", True, "8d.schema.json", "8D报告", "8D report", ("open", "closed")),
)

BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}
BY_FOLDER: dict[str, Kind] = {k.folder: k for k in KINDS}
NAMES: tuple[str, ...] = tuple(k.name for k in KINDS)
STATISTICS = "complaint-statistics"  # the statistics report's template (not a record kind)
FORMS = (*NAMES, STATISTICS)  # every built-in template
