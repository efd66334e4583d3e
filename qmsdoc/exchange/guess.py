"""``--init-map``: a commented mapping written from the sheet's headings, guessing the
obvious columns from the Chinese titles of the kind's fields, for the user to correct."""

from __future__ import annotations

import difflib
from typing import Any

from ..kinds import Kind
from ..records.yamlload import dump
from . import cells
from .fields import Field, leaves, lookup, parse_path
from .mapping import LEGACY_NO, Column, Mapping
from .sheet import Sheet, column_letter, guess_header_rows

# headings that factories use for a field, beyond the field's own Chinese title
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "complaint": {
        LEGACY_NO: ("序号", "编号", "投诉编号", "单号", "登记号", "NO", "No.", "No"),
        "received_at": ("投诉日期", "日期", "受理日期", "接收日期", "抱怨日期", "反馈日期"),
        "customer": ("客户名称", "客户", "顾客", "顾客名称"),
        "product.part_no": ("料号", "型号", "产品编号", "零件号", "物料编码", "品号"),
        "product.name": ("品名", "产品名称", "零件名称", "产品"),
        "product.lot": ("批号", "生产批号", "批次"),
        "product.qty_defective": ("不良数", "不良数量", "不良品数"),
        "product.qty_delivered": ("交货数", "交货数量", "批量", "出货数量"),
        "description": ("不良描述", "投诉内容", "问题描述", "异常描述", "抱怨内容", "不良现象"),
        "category": ("投诉类别", "类别", "抱怨类别", "投诉类型"),
        "severity": ("严重程度", "等级", "严重度", "缺陷等级"),
        "responsibility.department": ("责任部门", "责任单位"),
        "impact.amount_rmb": ("索赔金额", "金额", "损失金额", "涉及金额"),
        "status": ("状态", "结案状态", "处理状态"),
        "customer_complaint_no": ("客户单号", "客户投诉单号", "客诉单号"),
    },
    "contract-review": {
        LEGACY_NO: ("序号", "编号", "评审编号", "单号"),
        "received_at": ("接单日期", "日期", "接收日期", "下单日期"),
        "customer": ("客户名称", "客户", "顾客"),
        "order_no": ("订单号", "订单编号"),
        "contract_no": ("合同号", "合同编号"),
        "items.0.part_no": ("料号", "产品编号", "品号"),
        "items.0.name": ("品名", "产品名称"),
        "items.0.qty": ("数量", "订单数量", "订货数量"),
        "items.0.unit": ("单位",),
        "items.0.unit_price_rmb": ("单价", "单价(元)"),
        "items.0.delivery_date": ("交期", "交货日期", "要求交期"),
        "sales_rep": ("业务员", "业务"),
        "conclusion.result": ("评审结论", "结论"),
        "status": ("状态",),
    },
    "special-requirements": {
        "items.0.item_id": ("条目编号", "编号", "序号", "要求编号"),
        "customer": ("客户名称", "客户", "顾客"),
        "sources.0.type": ("来源类别", "文件类别"),
        "sources.0.name": ("来源文件", "文件名称", "来源文件名称"),
        "sources.0.number": ("文件编号", "来源文件编号"),
        "sources.0.received": ("接收日期", "收到日期"),
        "items.0.clause": ("条款", "条款号"),
        "items.0.requirement": ("要求内容", "特殊要求", "要求", "内容"),
        "items.0.products": ("适用产品", "适用料号"),
        "items.0.department": ("责任部门", "负责部门"),
        "items.0.status": ("处理状态", "状态"),
        "items.0.category": ("类别", "要求类别"),
    },
}
# words logs use for a code, beyond the code's own label
WORDS: dict[str, dict[str, str]] = {
    "category": {"品质": "quality", "质量": "quality", "交期": "delivery", "交货": "delivery",
                 "延迟交货": "delivery", "服务": "service", "价格": "price"},
    "severity": {"严重": "major", "重大": "major", "一般": "general", "轻微": "minor"},
    "status": {"已结案": "closed_internal", "结案": "closed_internal", "处理中": "investigating",
               "未结案": "investigating", "不成立": "rejected"},
}
# a column that also fills a second field the log has no column for: the subject is the
# first line of the description; a requirement names its source document by its number
ALSO: dict[str, tuple[tuple[str, str], ...]] = {
    "complaint": (("description", "title"),),
    "contract-review": (("items.0.name", "title"),),
    "special-requirements": (("sources.0.number", "items.0.source"),),
}
# what every record of the kind must have and a log rarely holds
DEFAULTS: dict[str, dict[str, Any]] = {
    "complaint": {"status": "registered", "category": "quality", "severity": "general"},
    "contract-review": {"status": "received", "contract_type": "regular",
                        "carrier": "written_contract", "reviews": []},
    "special-requirements": {"title": "顾客特殊要求清单"},
}


def _norm(text: str) -> str:
    return "".join(text.split()).strip("：:").lower()


def guess_columns(kind: Kind, schema: dict[str, Any], headings: dict[int, str]
                  ) -> dict[int, tuple[Field, ...]]:
    """Column → the fields its heading names; each field once, the best heading first."""
    fields = [f for f in leaves(schema) if f.path != ("deadline_exceptions",)]
    synonyms = SYNONYMS.get(kind.name, {})
    by_title: dict[str, list[Field]] = {}
    for f in fields:
        by_title.setdefault(_norm(f.title), []).append(f)
    taken: set[str] = set()
    found: dict[int, tuple[Field, ...]] = {}
    for column, heading in headings.items():
        names = [_norm(heading), _norm(heading.rsplit("/", 1)[-1])]
        choice: Field | None = None
        for dotted, words in synonyms.items():
            if dotted not in taken and any(_norm(w) in names for w in words):
                choice = lookup(schema, parse_path(dotted))
                break
        if choice is None:
            for name in names:
                unique = [f for f in by_title.get(name, []) if f.dotted not in taken]
                if len(unique) == 1:
                    choice = unique[0]
                    break
        if choice is not None:
            taken.add(choice.dotted)
            found[column] = (choice,)
    for source, extra in ALSO.get(kind.name, ()):
        wanted = lookup(schema, parse_path(extra))
        for column, chosen in found.items():
            if extra not in taken and wanted and chosen[0].dotted == source:
                found[column] = (wanted, chosen[0]) if extra == "title" else (chosen[0], wanted)
                taken.add(extra)
    return found


# a column that fills one of these makes its group required fields the log rarely has
GROUP_DEFAULTS: dict[str, dict[str, Any]] = {
    "responsibility": {"responsibility.party": "internal"},
    "impact": {"impact.safety": False, "impact.function": False},
}


Names = dict[str, dict[str, str]]  # customer / department / person: name → code


def guessed_mapping(kind: Kind, schema: dict[str, Any], sheet: Sheet,
                    names: Names | None = None) -> Mapping:
    rows = guess_header_rows(sheet)
    headings = {c: sheet.heading(c, rows) for c in range(1, sheet.max_column + 1)}
    columns = guess_columns(kind, schema, headings)
    chosen = tuple(Column(column_letter(c), f) for c, f in sorted(columns.items()))
    filled = {f.dotted for c in chosen for f in c.fields}
    defaults = {k: v for k, v in DEFAULTS.get(kind.name, {}).items() if k not in filled}
    for group, values in GROUP_DEFAULTS.items():
        if any(name.startswith(group + ".") for name in filled):
            defaults.update({k: v for k, v in values.items() if k not in filled})
    words = guess_values(chosen, sheet, max(rows) + 1, names or {})
    values = {name: {w: c for w, c in found.items() if c} for name, found in words.items()}
    return Mapping(kind, "the mapping guessed from the headings", sheet.name, tuple(rows),
                   chosen, {k: v for k, v in values.items() if v}, defaults)


def guess_values(columns: tuple[Column, ...], sheet: Sheet, first: int, names: Names
                 ) -> dict[str, dict[str, str | None]]:
    """Per field with codes (an enumeration; a configured customer, department or person):
    each word of the log that is neither a code nor its name → the code whose name is
    closest (None when none is)."""
    from .sheet import column_number

    result: dict[str, dict[str, str | None]] = {}
    for column in columns:
        for f in column.fields:
            labels = choices(f, names)
            if not labels:
                continue
            number = column_number(column.key)
            words = sorted({" ".join(cells.text(v).split())
                            for r in range(first, sheet.max_row + 1)
                            if (v := sheet.value(r, number)) is not None and str(v).strip()})
            unknown = [w for w in words if w not in labels and w not in labels.values()]
            if unknown:
                usual = WORDS.get(f.dotted, {})
                result[f.dotted] = {w: usual.get(w) or _closest(w, labels) for w in unknown}
    return result


def choices(f: Field, names: Names) -> dict[str, str]:
    """The codes a field takes → their Chinese names."""
    if f.enum:
        return {code: f.labels.get(code, code) for code in f.enum}
    return {code: name for name, code in names.get(f.semantic, {}).items()}


def init_map(kind: Kind, schema: dict[str, Any], sheet: Sheet, command: str,
             names: Names | None = None) -> str:
    """The text of a commented mapping file for ``sheet``."""
    guessed = guessed_mapping(kind, schema, sheet, names)
    rows = list(guessed.header_rows)
    first = max(rows) + 1
    by_letter = {c.key: c.fields for c in guessed.columns}
    out = [
        f"# qmsdoc import mapping: {sheet.file}, sheet {sheet.name} → {kind.name} records",
        f"# Written by `{command}`; the columns were guessed",
        "# from the headings. Check every line, then run the import with --map and this file",
        "# (a dry run that lists each row's problems; --write writes the records).",
        f"kind: {kind.name}",
        f"sheet: {_scalar(sheet.name)}",
        "# the rows holding the column headings; the records start on the row below the last",
        f"header_rows: [{', '.join(map(str, rows))}]",
        "# column → the record's field (dotted for nested fields: product.part_no; several",
        "# fields as a list). A column left out or mapped to ~ is not imported.",
        f"# {LEGACY_NO} is the log's own number: importing the log again skips the rows whose",
        "# number a record already carries.",
        "columns:",
    ]
    for column in range(1, sheet.max_column + 1):
        letter = column_letter(column)
        heading = sheet.heading(column, rows) or "(no heading)"
        hidden = ", hidden" if column in sheet.hidden else ""
        example = _example(sheet, column, first)
        fields = by_letter.get(letter)
        if fields:
            target = fields[0].dotted if len(fields) == 1 else \
                "[" + ", ".join(f.dotted for f in fields) + "]"
            titles = " / ".join(f.title for f in fields)
            note = f"{heading} → {titles}{hidden}{example}"
        else:
            target, note = "~", f"{heading}{hidden}{example} (no field guessed)"
        out.append(f"  {letter}: {target:<26} # {note}")
    out += _values_section(guessed, sheet, first, names or {})
    out += ["# what every record gets when its cell is empty or no column fills the field",
            "defaults:"]
    out += [f"  {line}" for line in dump(guessed.defaults).splitlines()] if guessed.defaults \
        else ["  {}"]
    if kind.yearly:
        out += _prefix_section(guessed, sheet, first)
    return "\n".join(out) + "\n"


def _prefix_section(guessed: Mapping, sheet: Sheet, first: int) -> list[str]:
    """A prefix for log numbers that restart (1, 2, 3 … in every year's sheet), set when
    the number column holds plain counts."""
    from .sheet import column_number

    out = [f"# {LEGACY_NO} must tell the log's cases apart for good: when its numbers restart",
           "# (1, 2, 3 … in every year's sheet), a prefix keeps them apart"]
    number = next((column_number(c.key) for c in guessed.columns
                   if any(f.path == (LEGACY_NO,) for f in c.fields)), None)
    values = [sheet.value(r, number) for r in range(first, sheet.max_row + 1)] if number else []
    texts = [cells.text(v) for v in values if v is not None and str(v).strip()]
    counts = bool(texts) and all(t.isdigit() for t in texts)
    prefix = _scalar(f"{sheet.name}-")
    return out + [f"legacy_prefix: {prefix}" if counts else f"# legacy_prefix: {prefix}"]


def _values_section(guessed: Mapping, sheet: Sheet, first: int, names: Names) -> list[str]:
    out = ["# the log's words → the record's codes, per field. A code's Chinese label (产品质量)",
           "# and the code itself are understood without being listed; configured customer,",
           "# department and person names become their codes too.",
           "values:"]
    fields = {f.dotted: f for c in guessed.columns for f in c.fields}
    found = guess_values(guessed.columns, sheet, first, names)
    for name, words in found.items():
        listed = ", ".join(f"{c} ({label})" for c, label in choices(fields[name], names).items())
        out.append(f"  {name}:   # one of: {listed}")
        for word, code in words.items():
            out.append(f"    {_scalar(word)}: {code}" if code else
                       f"    # {_scalar(word)}: ?   (not guessed)")
    if not found:
        out[-1] = "values: {}"
    return out


def _closest(word: str, labels: dict[str, str]) -> str | None:
    for code, label in labels.items():
        if word in label or label in word:
            return code
    close = difflib.get_close_matches(word, list(labels.values()), n=1, cutoff=0.5)
    return next((c for c, label in labels.items() if close and label == close[0]), None)


def _example(sheet: Sheet, column: int, first: int) -> str:
    for row in range(first, min(sheet.max_row, first + 50) + 1):
        value = sheet.value(row, column)
        if value is not None and str(value).strip():
            text = cells.shown(value)
            return f", e.g. {text[:20]}{'…' if len(text) > 20 else ''}"
    return ""


def _scalar(text: str) -> str:
    return dump(text).strip().removesuffix("...").strip()
