"""The fixed texts of the controlled-document frame in both languages: header, footer,
signature block, revision table, the copy's status, its stamps and remarks.

Pure data and lookups. ``frame_labels(lang)`` is what a template reads as ``form.label``;
``reason`` puts a status reason git and the history give in Chinese into English.
"""

from __future__ import annotations

import re

from ..doclang import EN, ZH, Lang, Wording, bilingual
from ..history.revision import APPROVED, PREPARED, REVIEWED
from ..history.status import CONTROLLED, DRAFT, OBSOLETE, UNCONTROLLED

W = Wording

# form.label.<key>: the frame's labels (the header's information row, footer, signature
# block and revision table). The Chinese forms print today's bilingual labels.
FRAME: dict[str, Wording] = {
    "number": W("表单编号", "Form No."),
    "record_id": W("记录编号", "Record No."),
    "revision": W("版次", "Rev."),
    "pages": W("页次", "Page"),
    "page_before": W("第 ", "", "第 "),
    "page_between": W(" 页 共 ", " of ", " 页 共 "),
    "page_after": W(" 页", "", " 页"),
    "retention": bilingual("保存期限", "Retention:"),
    "printed": bilingual("打印日期", "Printed:"),
    "letter": W("版次", "Rev."),
    "template": bilingual("模板", "Template:"),
    "signatures": bilingual("审批签署", "Signatures", "  "),
    "prepared": bilingual("编制", "Prepared"),
    "reviewed": bilingual("审核", "Reviewed"),
    "approved": bilingual("批准", "Approved"),
    "name": bilingual("姓名", "Name"),
    "position": bilingual("职务", "Position"),
    "department": bilingual("部门", "Department"),
    "at": bilingual("日期时间", "Date/time"),
    "meaning": bilingual("签名含义", "Meaning"),
    "commit": bilingual("审批提交", "Commit"),
    "signed": bilingual("电子签名", "Signature"),
    "revisions": bilingual("修订履历", "Revision history", "  "),
    "rev_letter": W("版次", "Rev."),
    "rev_date": W("日期", "Date"),
    "rev_summary": W("修订内容", "Change"),
    "rev_prepared": W("编制", "Prepared"),
    "rev_reviewed": W("审核", "Reviewed"),
    "rev_approved": W("批准", "Approved"),
    "none": bilingual("无", "None"),
}

ROLES_SAID: dict[str, Wording] = {
    PREPARED: W("编制", "Prepared"),
    REVIEWED: W("审核", "Reviewed"),
    APPROVED: W("批准", "Approved"),
}
# What the signer states by signing (21 CFR 11.50: the meaning of the signature).
STATEMENTS: dict[str, Wording] = {
    PREPARED: W("确认内容如实编制", "content prepared as found"),
    REVIEWED: W("确认内容正确、完整", "content correct and complete"),
    APPROVED: W("批准发布生效", "released for use"),
}
PENDING = W("待批准", "pending approval")
UNSIGNED = W("未签名", "not signed")
SIGNED = W("已签名", "signed")
DRAFTING = W("起草中", "being drafted")
# A signature that proves nothing, by what git found (history/policy.py's evidence values).
NOT_PROVEN: dict[str, Wording] = {
    "unknown-key": W("签名密钥未登记", "signing key not registered"),
    "bad": W("签名无效", "invalid signature"),
}

STATUS: dict[str, Wording] = {
    CONTROLLED: W("受控·现行", "Controlled · current"),
    DRAFT: W("草稿", "Draft"),
    OBSOLETE: W("作废", "Obsolete"),
    UNCONTROLLED: W("非受控", "Uncontrolled"),
}
STAMPS: dict[str, Wording] = {
    CONTROLLED: W("", ""),
    DRAFT: W("草稿 未经批准 不得使用", "DRAFT · not approved · not for use"),
    OBSOLETE: W("作废 已被新版次替代 不得使用", "OBSOLETE · superseded · not for use"),
    UNCONTROLLED: W("非受控 仅供参考", "UNCONTROLLED · for reference only"),
}

LIST_SEP = {ZH: "、", EN: ", "}
NOTE_SEP = {ZH: "；", EN: "; "}


def frame_labels(lang: Lang) -> dict[str, str]:
    return {key: wording(lang) for key, wording in FRAME.items()}


def sep(lang: Lang, table: dict[Lang, str]) -> str:
    return table.get(lang, table[ZH])


# The status reasons the history and git give (history/status.py, history/states.py,
# git/backing.py), in English: whole phrases first, then the phrases with a revision.
REASONS: dict[str, str] = {
    "无 git 历史": "no git history",
    "未纳入 git": "not in git",
    "有未提交的修改": "has uncommitted changes",
    "标记为 assume-unchanged": "marked assume-unchanged",
    "标记为 skip-worktree": "marked skip-worktree",
    "文件不存在": "missing",
    "记录有未提交的修改": "the record has uncommitted changes",
    "浅克隆：历史不完整，无法确认审批": "shallow clone: the history is incomplete, "
                                       "approvals cannot be confirmed",
    "待批准": "pending approval",
    "、": ", ",
}
_REVISION = (
    (re.compile(r"版次 (\S+) 待批准"), r"revision \1 pending approval"),
    (re.compile(r"已被版次 (\S+) 替代"), r"superseded by revision \1"),
)


def reason(text: str, lang: Lang) -> str:
    """A status reason in the form's language (Chinese as given; bilingual: both)."""
    if lang == ZH:
        return text
    english = text
    for pattern, replacement in _REVISION:
        english = pattern.sub(replacement, english)
    for zh in sorted(REASONS, key=len, reverse=True):
        english = english.replace(zh, REASONS[zh])
    return english if lang == EN else f"{text} {english}"
