"""Build the default form templates under templates/ (python-docx + docxtpl-style Jinja2 tags).

    .venv/bin/python scripts/build_templates.py [OUTDIR]

The templates are ordinary Word documents: a document controller may open them in Word
and change the logo, labels, fonts (the Normal style) or column widths; the tags
(``{{ r.product.part_no }}``, ``{%tr for a in r.containment %}``) are what must stay.
What the tags can use: ``r`` (the record, every field of its schema; enumerations and
yes/no fields have ``.boxes``/``.boxlines`` listing every option ☑/☐), ``form`` (company,
title, number, record_id, revision, copy, commit, blob, retention, notes, signatures,
revisions), ``photos(list)``/``files(list)`` and ``image(attachment, width_mm, height_mm)``.
Labels are data of the form's language, never literal text: a field's label is
``label['product.part_no']`` (its schema's ``title`` / ``x-title-en``), the form's own
words ``label['序号']`` (qmsdoc/render/formwords.py), the frame's ``form.label.number``;
label cells fit them to their width (``|fit(25.0)``). A text left literal, or a word
without its wording, fails the build.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from template_blocks import (  # noqa: E402
    attachments,
    boxes,
    evidence,
    exceptions,
    frame,
    loop_table,
    revisions,
    signatures,
    step_head,
    wide,
)
from templatekit import (  # noqa: E402
    MISSING,
    C,
    Cell,
    Form,
    L,
    Row,
    V,
    X,
    para,
    run,
    tag_row,
    title_row,
)

from qmsdoc.schema import SchemaStore  # noqa: E402

EIGHT = [25.0, 17.5] * 4  # label and value columns (a date fits a value column)


def complaint(f: Form) -> None:
    t = f.title
    f.table(EIGHT, [
        title_row("一、基本信息", "Basic information"),
        Row([L(t("id")), V("r.id", 3), L(t("customer_complaint_no")),
             V("r.customer_complaint_no", 3)]),
        Row([L(t("legacy_no")), V("r.legacy_no", 7)]),
        wide(f, "title"),
        Row([L(t("customer")), V("r.customer", 2), L(t("received_at")), V("r.received_at", 2),
             L(t("received_by")), V("r.received_by")]),
        boxes(f, "channel"),
        *contact(f),
        boxes(f, "category"), boxes(f, "subtype"),
        Row([L(t("severity")), V("r.severity.boxes", 3), L(t("urgency")), V("r.urgency.boxes", 3)]),
        boxes(f, "status"), wide(f, "rejection_reason"),
        Row([L("重复发生"), V("repeat.text", 7)]),
    ])
    f.table(EIGHT, [
        title_row("二、产品信息", "Product"),
        Row([L(t("product.part_no")), V("r.product.part_no"), L(t("product.name")),
             V("r.product.name", 2), L(t("product.spec")), V("r.product.spec", 2)]),
        Row([L(t("product.order_no")), V("r.product.order_no", 2), L(t("product.lot")),
             V("r.product.lot", 2), L(t("product.delivery_date")),
             V("r.product.delivery_date")]),
        Row([L(t("product.qty_delivered")), V("r.product.qty_delivered"),
             L(t("product.qty_defective")), V("r.product.qty_defective"),
             L(t("product.ship_to")), V("r.product.ship_to", 3)]),
        boxes(f, "product.unit"),
    ])
    f.table(EIGHT, [
        title_row("三、投诉内容", "Complaint"),
        wide(f, "description"), wide(f, "customer_request"),
        Row([L(t("impact")), L(t("impact.safety")), V("r.impact.safety.boxes"),
             L(t("impact.function")), V("r.impact.function.boxes"),
             L(t("impact.amount_rmb")), V("r.impact.amount_rmb", 2)]),
        Row([L(t("impact.description")), V("r.impact.description", 7)]),
        Row([L(t("warranty")), L(t("warranty.in_warranty")), V("r.warranty.in_warranty.boxes"),
             L(t("warranty.basis")), V("r.warranty.basis", 4)]),
        Row([L(t("samples_received")), L(t("samples_received.received")),
             V("r.samples_received.received.boxes"), L(t("samples_received.qty")),
             V("r.samples_received.qty"), L(t("samples_received.date")),
             V("r.samples_received.date", 2)]),
        Row([L("样品说明"), V("r.samples_received.note", 7)]),
    ])
    attachments(f, "r.attachments", "四、附件", "Attachments")
    f.table(EIGHT, [
        title_row("五、调查核实", "Verification"),
        Row([L(t("verification.our_product")), V("r.verification.our_product.boxes", 2),
             L(t("verification.method")), V("r.verification.method.boxes", 4)]),
        wide(f, "verification.result"),
        Row([L(t("verification.verified_by")), V("r.verification.verified_by", 3),
             L(t("verification.verified_at")), V("r.verification.verified_at", 3)]),
        Row([L(t("verification.evidence")), X(evidence("r.verification.evidence"), 7)]),
    ])
    loop_table(f, ("部门处理意见", "Department opinions"), [24, 96, 25, 25],
               ["部门", "处理意见", "签署人", "日期"], "o", "r.verification.opinions",
               [C("o.department"), V("o.opinion"), C("o.by"), C("o.date")])
    loop_table(f, ("六、不良品清查处理", "Containment"), [22, 22, 18, 18, 18, 22, 50],
               ["清查地点", "处理方式", "清查数量", "不良数量", "负责人", "日期", "说明"],
               "c", "r.containment",
               [C("c.location"), C("c.action"), C("c.qty_checked"), C("c.qty_nok"),
                C("c.owner"), C("c.date"), V("c.note")])
    f.table(EIGHT, [
        title_row("七、责任判定", "Responsibility"),
        Row([L(t("responsibility.party")), V("r.responsibility.party.boxes", 3),
             L(t("responsibility.department")), V("r.responsibility.department"),
             L(t("responsibility.supplier")), V("r.responsibility.supplier")]),
        Row([L(t("responsibility.code")), V("r.responsibility.code.boxlines", 7)]),
        wide(f, "responsibility.reason"),
    ])
    f.table(EIGHT, [
        title_row("八、原因分析", "Root cause"),
        boxes(f, "root_cause.category"), wide(f, "root_cause.description"),
        wide(f, "root_cause.escape_point"), wide(f, "eightd"),
    ])
    for key, zh, en in (("short_term", "九、纠正措施：短期措施", "Short-term actions"),
                        ("long_term", "纠正措施：长期措施", "Long-term actions")):
        actions(f, (zh, en), f"r.actions.{key}")
    f.table(EIGHT, [
        title_row("十、处理方案", "Disposition"),
        boxes(f, "disposition.type"), wide(f, "disposition.description"),
        wide(f, "disposition.cost_rmb"),
    ])
    loop_table(f, ("费用分摊", "Cost allocation"), [24, 24, 32, 28, 62],
               ["责任方", "责任部门", "供应商", "分摊金额(元)", "说明"], "a",
               "r.disposition.allocation",
               [C("a.party"), C("a.department"), C("a.supplier"), C("a.amount_rmb"),
                V("a.note")])
    loop_table(f, ("十一、客户沟通记录", "Customer communications"), [26, 22, 18, 22, 82],
               ["时间", "沟通类型", "经办人", "客户联系人", "内容摘要"], "m", "r.communications",
               [C("m.at"), C("m.type"), C("m.by"), C("m.contact"), V("m.summary")])
    i, c = "r.closure.internal", "r.closure.customer"
    f.table(EIGHT, [
        title_row("十二、结案", "Closure"),
        Row([L(t("closure.internal")), L(t("closure.internal.date")), V(f"{i}.date"),
             L(t("closure.internal.by")), V(f"{i}.by"), L(t("closure.internal.notes")),
             V(f"{i}.notes", 2)]),
        Row([L(t("closure.internal.evidence")), X(evidence(f"{i}.evidence"), 7)]),
        Row([L(t("closure.customer")), L(t("closure.customer.date")), V(f"{c}.date"),
             L(t("closure.customer.by")), V(f"{c}.by"), L(t("closure.customer.customer_contact")),
             V(f"{c}.customer_contact", 2)]),
        Row([L(t("closure.customer.satisfaction")), V(f"{c}.satisfaction.boxes", 7)]),
        Row([L(t("closure.customer.evidence")), X(evidence(f"{c}.evidence"), 7)]),
        Row([L("回访说明"), V(f"{c}.notes", 7)]),
        wide(f, "notes"),
    ])
    exceptions(f)
    signatures(f)
    revisions(f)


def contact(f: Form) -> list[Row]:
    t = f.title
    return [Row([L(t("contact")), V("r.contact.name"), L(t("contact.title")),
                 V("r.contact.title", 2), L(t("contact.phone")), V("r.contact.phone", 2)]),
            Row([L(t("contact.email")), V("r.contact.email", 7)])]


def actions(f: Form, title: tuple[str, str], expr: str) -> None:
    verification = ("{{ a.verification.result }} {{ a.verification.by }} "
                    "{{ a.verification.date }}\n{{ a.verification.notes }}")
    loop_table(f, title, [9, 48, 14, 20, 20, 20, 39],
               ["序号", "措施内容", "负责人", "责任部门", "完成期限", "完成日期", "效果验证"],
               "a", expr,
               [C("loop.index"), V("a.description"), C("a.owner"), C("a.department"),
                C("a.due"), C("a.done"), X(verification, style="small")])


def contract_review(f: Form) -> None:
    t = f.title
    f.table(EIGHT, [
        title_row("一、基本信息", "Basic information"),
        Row([L(t("id")), V("r.id", 3), L(t("sales_rep")), V("r.sales_rep", 3)]),
        Row([L(t("legacy_no")), V("r.legacy_no", 7)]),
        wide(f, "title"),
        Row([L(t("customer")), V("r.customer", 3), L(t("received_at")), V("r.received_at", 3)]),
        *contact(f),
        Row([L(t("order_no")), V("r.order_no", 3), L(t("contract_no")), V("r.contract_no", 3)]),
        boxes(f, "carrier"), boxes(f, "contract_type"),
        Row([L(t("written_confirmation")), L(t("written_confirmation.date")),
             V("r.written_confirmation.date"), L(t("written_confirmation.reference")),
             V("r.written_confirmation.reference", 4)]),
        boxes(f, "status"),
    ])
    loop_table(f, ("二、订货明细", "Order items"), [22, 22, 24, 34, 16, 10, 18, 24],
               ["料号", "客户料号", "品名", "规格", "数量", "单位", "单价(元)", "要求交期"],
               "i", "r.items",
               [C("i.part_no"), C("i.customer_part_no"), V("i.name"), V("i.spec"), C("i.qty"),
                C("i.unit"), C("i.unit_price_rmb"), C("i.delivery_date")])
    q, d, p = "requirements", "requirements.delivery", "requirements.ppap"
    f.table(EIGHT, [
        title_row("三、与产品有关的要求", "Product-related requirements"),
        *[wide(f, f"{q}.{k}") for k in ("quality_assurance", "product_standard", "price",
                                        "packaging", "labelling_traceability",
                                        "legal_regulatory", "scrap_return")],
        *group(f, d, ["method", "freight", "premium_freight"]),
        wide(f, f"{q}.after_sales"),
        Row([Cell(t(p), 1, "label", "restart"), L(t(f"{p}.first_samples_date")),
             V(f"r.{p}.first_samples_date", 2), L(t(f"{p}.submission_date")),
             V(f"r.{p}.submission_date", 3)], keep=True),
        Row([Cell("", 1, "label", "continue"), L(t(f"{p}.level")), V(f"r.{p}.level.boxes", 6)],
            keep=True),
        Row([Cell("", 1, "label", "continue"), L(t(f"{p}.notes")), V(f"r.{p}.notes", 6)]),
        wide(f, f"{q}.additional"),
    ])
    loop_table(f, ("顾客指定的特殊特性", "Special characteristics"), [40, 30, 100],
               ["特性", "顾客符号", "要求"], "s", "r.requirements.special_characteristics",
               [V("s.characteristic"), C("s.symbol"), V("s.requirement")])
    loop_table(f, ("四、适用的顾客特殊要求", "Applicable customer-specific requirements"),
               [50, 120], ["顾客特殊要求清单", "条目编号"], "c", "r.csr_refs",
               [C("c.list"), V("c.items|join(label['、'])")])
    review_table(f, ("五、部门评审", "Department reviews"), "r.reviews")
    loop_table(f, ("六、评审问题及解决", "Questions and resolution"), [20, 16, 50, 16, 48, 20],
               ["提出日期", "提出人", "问题或修改建议", "需顾客答复", "答复/解决", "解决日期"],
               "q", "r.questions",
               [C("q.raised"), C("q.raised_by"), V("q.question"), C("q.to_customer"),
                V("q.answer"), C("q.resolved")])
    f.table(EIGHT, [
        title_row("七、评审结论", "Review conclusion"),
        boxes(f, "conclusion.result"), wide(f, "conclusion.summary"),
        Row([L(t("customer_feedback_at")), V("r.customer_feedback_at", 3),
             L(t("customer_confirmed_at")), V("r.customer_confirmed_at", 3)]),
        Row([L(t("customer_waiver")), L(t("customer_waiver.reference")),
             V("r.customer_waiver.reference", 2), L(t("customer_waiver.date")),
             V("r.customer_waiver.date"), L(t("customer_waiver.note")),
             V("r.customer_waiver.note")]),
        wide(f, "production_plan_remarks"),
    ])
    amendments(f)
    attachments(f, "r.attachments", "九、附件", "Attachments")
    exceptions(f)
    signatures(f)
    revisions(f)


def group(f: Form, path: str, keys: list[str]) -> list[Row]:
    """A group label merged down beside one labelled row per field of the group."""
    rows = []
    for i, key in enumerate(keys):
        label = Cell(f.title(path) if i == 0 else "", 1, "label", "restart" if i == 0 else
                     "continue")
        rows.append(Row([label, L(f.title(f"{path}.{key}")), V(f"r.{path}.{key}", 6)]))
    return rows


def review_table(f: Form, title: tuple[str, str], expr: str) -> None:
    loop_table(f, title, [18, 32, 46, 18, 18, 16, 22],
               ["评审部门", "评审内容", "评审意见", "结论", "条件", "评审人", "评审日期"],
               "v", expr,
               [C("v.department"), V("v.aspects"), V("v.opinion"), C("v.conclusion"),
                V("v.conditions"), C("v.reviewer"), C("v.date")])


def amendments(f: Form) -> None:
    t = f.title
    a = "amendments.[]"
    f.table(EIGHT, [
        title_row("八、订单修正", "Amendments"),
        tag_row("for m in r.amendments"),
        Row([L(t(f"{a}.date")), V("m.date"), L(t(f"{a}.notice_no")), V("m.notice_no", 2),
             L(t(f"{a}.re_reviewed")), V("m.re_reviewed.boxes", 2)]),
        Row([L(t(f"{a}.notified")), V("m.notified|join(label['、'])", 7)]),
        Row([L(t(f"{a}.reason")), V("m.reason", 7)]),
        Row([L(t(f"{a}.content")), V("m.content", 7)]),
        tag_row("for v in m.reviews"),
        Row([L(t(f"{a}.reviews")), X("{{ v.department }}{{ label['：'] }}{{ v.conclusion }}  "
                                     "{{ v.aspects }}  {{ v.opinion }}  {{ v.conditions }}"
                                     "{{ label['（'] }}{{ v.reviewer }} {{ v.date }}"
                                     "{{ label['）'] }}", 7)]),
        tag_row("endfor"),
        tag_row("endfor"),
        tag_row("if not r.amendments"),
        Row([X("{{ label['无'] }}", 8, "center")]),
        tag_row("endif"),
    ])


def special_requirements(f: Form) -> None:
    csr_list(f)
    exceptions(f)
    signatures(f)
    # Each paper form numbers its own pages: 共 N 页 is the page of a bookmark at the form's
    # end (SECTIONPAGES is not computed by LibreOffice); the review record starts again at 1.
    f.paragraph(bookmark(1, LIST_END))
    f.new_section(landscape=False, restart=True)
    frame(f, "review_form", f"PAGEREF {REVIEW_END} \\h")
    csr_reviews(f)
    signatures(f, "review_form")
    revisions(f, "review_form")
    f.paragraph(bookmark(2, REVIEW_END))


LIST_END, REVIEW_END = "qmsdoc_csr_list_end", "qmsdoc_csr_review_end"


def bookmark(number: int, name: str) -> str:
    """An empty paragraph carrying the bookmark ``name`` (a form's last page)."""
    return (f'<w:p><w:pPr><w:spacing w:before="0" w:after="0"/><w:rPr><w:sz w:val="2"/></w:rPr>'
            f'</w:pPr><w:bookmarkStart w:id="{number}" w:name="{name}"/>'
            f'<w:bookmarkEnd w:id="{number}"/></w:p>')


def csr_list(f: Form) -> None:
    f.landscape()
    frame(f, pages=f"PAGEREF {LIST_END} \\h")
    t = f.title
    f.table(EIGHT, [
        title_row("一、基本信息", "Basic information"),
        wide(f, "title"),
        Row([L(t("id")), V("r.id", 2), L(t("customer")), V("r.customer", 2),
             L(t("responsible_department")), V("r.responsible_department")]),
    ])
    loop_table(f, ("二、要求来源文件", "Source documents"), [40, 100, 45, 30, 42],
               ["来源类别", "文件名称", "文件编号", "版本", "接收日期"], "s", "r.sources",
               [C("s.type"), V("s.name"), C("s.number"), C("s.revision"), C("s.received")])
    f.table([16, 22, 24, 65, 24, 16, 24, 16, 13, 21, 16], [
        title_row("三、特殊要求条目", "Requirement items"),
        Row([Cell(x, 1, "head") for x in ("条目编号", "类别", "来源文件/条款", "要求内容",
                                          "适用产品", "责任部门", "传达方式", "传递供方",
                                          "优先级", "完成期限\n完成日期", "处理状态")],
            header=True),
        tag_row("for i in r.items"),
        Row([C("i.item_id"), V("i.category"), X("{{ i.source }}\n{{ i.clause }}", style="center"),
             V("i.requirement"), V("i.products"), C("i.department"), V("i.deployment"),
             C("i.flow_down"), C("i.priority"),
             X("{{ i.due }}\n{{ i.completed }}", style="center"), C("i.status")]),
        tag_row("if i.remarks"),
        Row([L("备注"), V("i.remarks", 10)]),
        tag_row("endif"),
        tag_row("endfor"),
        tag_row("if not r.items"),
        Row([X("—", 11, "center")]),
        tag_row("endif"),
    ])
    attachments(f, "r.attachments", "四、附件", "Attachments")


def csr_reviews(f: Form) -> None:
    t = f.title
    v = "reviews.[]"
    f.paragraph(para(run("{%p for v in r.reviews %}")))
    f.table(EIGHT, [
        Row([Cell("{{ label['顾客特殊要求评审记录 #']|replace('#', loop.index|string) }}", 99,
                  "title")], header=True, keep=True),
        Row([L(t(f"{v}.identifying_department")), V("v.identifying_department", 2),
             L(t(f"{v}.identified_at")), V("v.identified_at"), L(t(f"{v}.received_at")),
             V("v.received_at", 2)]),
        Row([L(t(f"{v}.trigger")), V("v.trigger.boxes", 7)]),
        Row([L(t(f"{v}.sources")), V("v.sources|join(label['、'])", 7)]),
        Row([L(t(f"{v}.items")), V("v.items|join(label['、'])", 7)]),
    ])
    loop_table(f, ("评审部门意见", "Department reviews"), [20, 34, 78, 16, 22],
               ["评审部门", "评审结论", "评审意见", "评审人", "评审日期"], "d", "v.reviewers",
               [C("d.department"), X("{{ d.conclusion.boxlines }}"), V("d.opinion"),
                C("d.by"), C("d.date")])
    loop_table(f, ("传达文件", "Deployment documents"), [90, 50, 30],
               ["文件名称", "文件编号", "版本"], "doc", "v.deployment_documents",
               [V("doc.name"), C("doc.number"), C("doc.revision")])
    # the last review's conclusion is kept with the signatures that follow it
    f.table(EIGHT, [Row([L(t(f"{v}.conclusion")), V("v.conclusion", 7)], keep=True)])
    f.paragraph(para(run("{%p endfor %}")))
    f.paragraph(para(run("{%p if not r.reviews %}")))
    f.paragraph(para(run("{{ label['尚无评审记录'] }}"), align="center", keep_next=True))
    f.paragraph(para(run("{%p endif %}")))


def eightd(f: Form) -> None:
    t = f.title
    f.table(EIGHT, [
        title_row("基本信息", "Basic information"),
        Row([L(t("id")), V("r.id", 3), L(t("customer_complaint_no")),
             V("r.customer_complaint_no", 3)]),
        wide(f, "title"),
        Row([L(t("customer")), V("r.customer", 3), L(t("complaints")),
             V("r.complaints|join(label['、'])", 3)]),
        Row([L(t("part.part_no")), V("r.part.part_no"), L(t("part.name")), V("r.part.name", 2),
             L(t("part.spec")), V("r.part.spec", 2)]),
        Row([L(t("format")), V("r.format.boxes", 3), L(t("opened_at")), V("r.opened_at"),
             L(t("status")), V("r.status.boxes")]),
    ])
    d0(f)
    d1(f)
    d2(f)
    d3(f)
    d4(f)
    d5_d6(f)
    d7_d8(f)
    # Only when the report has attachments of its own: each step lists (and shows) its own.
    attachments(f, "r.attachments", "附件", "Attachments", optional=True)
    f.table(EIGHT, [wide(f, "notes")])
    exceptions(f)
    signatures(f)
    revisions(f)


def step_end(f: Form, key: str) -> None:
    attachments(f, f"r.{key}.attachments", f"{key.upper()} 附件", "Attachments", optional=True)


def d0(f: Form) -> None:
    f.table(EIGHT, [*step_head(f, "d0", "紧急反应", "Emergency response"),
                    wide(f, "d0.symptom"), wide(f, "d0.criteria"), wide(f, "d0.notes")])
    loop_table(f, ("紧急反应措施", "Emergency response actions"), [10, 80, 20, 22, 18, 20],
               ["序号", "措施", "负责人", "实施日期", "有效性(%)", "验证人"], "e",
               "r.d0.emergency_actions",
               [C("loop.index"), V("e.action"), C("e.owner"), C("e.date"),
                C("e.effectiveness_pct"), C("e.verified_by")])
    step_end(f, "d0")


def d1(f: Form) -> None:
    f.table(EIGHT, [*step_head(f, "d1", "成立小组", "Team"),
                    Row([L(f.title("d1.champion")), V("r.d1.champion", 3),
                         L(f.title("d1.leader")), V("r.d1.leader", 3)]),
                    wide(f, "d1.notes")])
    loop_table(f, ("组员", "Members"), [30, 30, 80, 30], ["姓名", "部门", "职责", "电话"], "m",
               "r.d1.members", [C("m.person"), C("m.department"), V("m.role"), C("m.phone")])
    step_end(f, "d1")


def d2(f: Form) -> None:
    w = [wide(f, f"d2.{k}") for k in ("what", "where", "when", "who", "why", "how", "how_many")]
    f.table(EIGHT, [*step_head(f, "d2", "问题描述", "Problem description"),
                    wide(f, "d2.statement"), *w, wide(f, "d2.notes")])
    loop_table(f, ("是/不是分析", "Is / is-not"), [20, 55, 55, 40],
               ["维度", "是 IS", "不是 IS NOT", "区别/变化点"], "i", "r.d2.is_is_not",
               [C("i.aspect"), V("i.is"), V("i.is_not"), V("i.distinction")])
    step_end(f, "d2")


def d3(f: Form) -> None:
    f.table(EIGHT, [*step_head(f, "d3", "临时围堵措施", "Containment"),
                    wide(f, "d3.clean_part_marking"), wide(f, "d3.notes")])
    loop_table(f, ("围堵措施", "Containment actions"), [16, 17, 37, 14, 20, 20, 16, 16, 14],
               ["地点", "措施", "说明", "负责人", "开始日期", "结束日期", "检查数量", "不良数量",
                "有效性(%)"], "c", "r.d3.actions",
               [C("c.location"), C("c.action"), V("c.description"), C("c.owner"), C("c.start"),
                C("c.end"), C("c.qty_checked"), C("c.qty_nok"), C("c.effectiveness_pct")])
    step_end(f, "d3")


def d4(f: Form) -> None:
    f.table(EIGHT, [*step_head(f, "d4", "根本原因分析", "Root cause"),
                    wide(f, "d4.escape_point"), wide(f, "d4.systemic"), wide(f, "d4.notes")])
    for key, zh, en in (("occurrence", "发生原因", "Occurrence root causes"),
                        ("non_detection", "流出原因", "Non-detection root causes")):
        causes(f, (zh, en), f"r.d4.{key}")
    step_end(f, "d4")


def causes(f: Form, title: tuple[str, str], expr: str) -> None:
    t = f.title
    c = "d4.occurrence.[]"
    f.table(EIGHT, [
        title_row(*title),
        tag_row(f"for c in {expr}"),
        Row([L(t(f"{c}.id")), C("c.id"), L(t(f"{c}.description")), V("c.description", 5)],
            keep=True),
        tag_row("for w in c.five_why"),
        Row([X("{{ label['为什么'] }} {{ loop.index }}", 1, "label"), V("w", 7)], keep=True),
        tag_row("endfor"),
        Row([L(t(f"{c}.ishikawa")), V("c.ishikawa.boxes", 5), L(t(f"{c}.contribution_pct")),
             C("c.contribution_pct")]),
        Row([L(t(f"{c}.verification.method")), V("c.verification.method", 7)]),
        Row([L(t(f"{c}.verification.result")), V("c.verification.result.boxes", 3),
             L(t(f"{c}.verification.by")), C("c.verification.by"),
             L(t(f"{c}.verification.date")), C("c.verification.date")]),
        Row([L(t(f"{c}.verification.evidence")), X(evidence("c.verification.evidence"), 7)]),
        tag_row("endfor"),
        tag_row(f"if not {expr}"),
        Row([X("—", 8, "center")]),
        tag_row("endif"),
    ])


def d5_d6(f: Form) -> None:
    f.table(EIGHT, [*step_head(f, "d5", "永久纠正措施", "Permanent corrective actions"),
                    wide(f, "d5.notes")])
    verification = ("{{ a.verification.result }} {{ a.verification.by }} "
                    "{{ a.verification.date }}\n{{ a.verification.notes }}")
    loop_table(f, ("永久纠正措施", "Permanent actions"), [12, 14, 46, 14, 20, 20, 44],
               ["措施编号", "针对原因", "措施内容", "负责人", "责任部门", "完成期限",
                "实施前验证"], "a", "r.d5.actions",
               [C("a.id"), C("a.root_causes|join(label['、'])"), V("a.description"), C("a.owner"),
                C("a.department"), C("a.due"), X(verification, style="small")])
    step_end(f, "d5")
    f.table(EIGHT, [*step_head(f, "d6", "实施与确认", "Implementation and validation"),
                    wide(f, "d6.validation"), wide(f, "d6.containment_removed_on"),
                    wide(f, "d6.notes")])
    validation = ("{{ m.validation.result }} {{ m.validation.by }} {{ m.validation.date }}\n"
                  "{{ m.validation.notes }}")
    loop_table(f, ("措施实施", "Implementations"), [18, 22, 62, 68],
               ["措施编号", "实施日期", "实施说明", "效果确认"], "m", "r.d6.implementations",
               [C("m.action"), C("m.implemented_on"), V("m.description"),
                X(validation, style="small")])
    step_end(f, "d6")


def d7_d8(f: Form) -> None:
    f.table(EIGHT, [*step_head(f, "d7", "预防再发", "Prevent recurrence"),
                    wide(f, "d7.lessons_learned"), wide(f, "d7.notes")])
    loop_table(f, ("文件更新", "Documents updated"), [22, 26, 50, 16, 16, 20, 20],
               ["文件类型", "文件编号", "文件名称", "原版本", "新版本", "发布日期", "负责人"],
               "d", "r.d7.documents",
               [C("d.type"), C("d.number"), V("d.name"), C("d.old_revision"),
                C("d.new_revision"), C("d.date"), C("d.owner")])
    loop_table(f, ("横向展开", "Lateral deployment"), [30, 30, 56, 18, 18, 18],
               ["产品", "产线/工序", "措施", "负责人", "完成期限", "完成日期"], "x",
               "r.d7.lateral_deployment",
               [V("x.product"), V("x.line"), V("x.action"), C("x.owner"), C("x.due"),
                C("x.done")])
    step_end(f, "d7")
    a = "r.d8.customer_acceptance"
    f.table(EIGHT, [*step_head(f, "d8", "结案与表彰", "Closure and recognition"),
                    wide(f, "d8.summary"),
                    Row([L(f.title("d8.customer_acceptance")), V(f"{a}.accepted.boxes", 2),
                         L(f.title("d8.customer_acceptance.date")), V(f"{a}.date"),
                         L(f.title("d8.customer_acceptance.customer_contact")),
                         V(f"{a}.customer_contact", 2)]),
                    Row([L(f.title("d8.customer_acceptance.note")), V(f"{a}.note", 7)]),
                    wide(f, "d8.recognition"), wide(f, "d8.notes")])
    step_end(f, "d8")


FORMS: dict[str, tuple[str, Callable[[Form], None]]] = {
    "complaint": ("complaint", complaint),
    "contract-review": ("contract-review", contract_review),
    "special-requirements": ("special-requirements", special_requirements),
    "8d": ("8d", eightd),
}


def build(name: str, out: Path) -> Path:
    kind, make = FORMS[name]
    form = Form(SchemaStore().for_kind(kind))
    frame(form)
    make(form)
    path = out / f"{name}.docx"
    form.save(path, f"qmsdoc {name} form template")
    return path


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else HERE.parent / "templates"
    out.mkdir(parents=True, exist_ok=True)
    for name in FORMS:
        path = build(name, out)
        print(f"{path}: {path.stat().st_size:,} bytes")
    if MISSING:  # every text of a form is a label of its language (render/formwords.py)
        print("\n".join(["texts without a wording in qmsdoc/render/formwords.py:",
                         *dict.fromkeys(MISSING)]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
