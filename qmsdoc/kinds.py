"""The four record kinds: CLI name, folder under records/, id scheme and schema file."""

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

    def id_pattern(self, prefix: str | None = None) -> str:
        p = prefix or self.prefix
        if self.yearly:
            return rf"^{p}-(?P<year>[0-9]{{4}})-(?P<serial>[0-9]{{4,}})$"
        return rf"^{p}-(?P<customer>[A-Z0-9][A-Z0-9_-]*)$"


KINDS: tuple[Kind, ...] = (
    Kind(
        "complaint", "complaints", "CC", True, "complaint.schema.json",
        "客户抱怨单", "Customer complaint",
    ),
    Kind(
        "contract-review", "contract-reviews", "CR", True, "contract-review.schema.json",
        "订单评审表", "Contract review",
    ),
    Kind(
        "special-requirements", "special-requirements", "CSR", False,
        "special-requirements.schema.json", "顾客特殊要求清单", "Customer-specific requirements",
    ),
    Kind("8d", "8d", "8D", True, "8d.schema.json", "8D报告", "8D report"),
)

BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}
BY_FOLDER: dict[str, Kind] = {k.folder: k for k in KINDS}
NAMES: tuple[str, ...] = tuple(k.name for k in KINDS)
