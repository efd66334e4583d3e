"""Issue 16, the frame of a form in the document's language: labels, status, stamp,
signatures, remarks and the revision table in English, Chinese, or both; names from the
configuration's English names; the language chosen per customer."""

from __future__ import annotations

from qmsdoc.config import Config
from qmsdoc.doclang import has_cjk, pick
from qmsdoc.history.revision import RecordState, Revision, Signature
from qmsdoc.render.frame import frame

CONFIG = Config({
    "company": {"name": "明远精密制造有限公司", "name_en": "Mingyuan Precision Co., Ltd."},
    "forms": {"8d": {"title": "8D报告", "title_en": "8D Report", "number": "QR-047-04",
                     "retention": "3年"}},
    "departments": [{"key": "quality", "name": "品质部", "name_en": "Quality"}],
    "customers": [{"code": "HX", "name": "华信", "name_en": "Huaxin", "language": "en"},
                  {"code": "LD", "name": "蓝德"}],
    "language": {"forms": "zh-en"},
}, roster={})


def _sig(role: str, name: str) -> Signature:
    return Signature(role, name, name, "品质部", "2026-11-10T10:00:00+08:00", "c" * 40)


def _state(draft: bool) -> RecordState:
    rev = Revision("A", "2026-11-10T10:00:00+08:00", "首次发布", "a" * 40, "1" * 40,
                   _sig("prepared", "李明"), _sig("reviewed", "王芳"), _sig("approved", "孙立"))
    return RecordState("8D-2026-0001", "draft" if draft else "released", "A", True, "1" * 40,
                       "a" * 40, (rev,))


def test_the_english_frame_has_no_chinese_but_the_names_it_has_only_in_chinese() -> None:
    form = frame("8d", CONFIG, _state(False), lang="en")
    assert form["company"]["name"] == "Mingyuan Precision Co., Ltd."
    assert form["title"] == "8D Report" and form["retention"] == "3 years"
    assert form["revision"] == "A Controlled · current" and form["stamp"] == ""
    assert form["label"]["signatures"] == "Signatures"
    assert form["signatures"]["approved"]["meaning"] == "Approved: released for use"
    assert form["signatures"]["approved"]["department"] == "Quality"
    assert form["revisions"][0]["summary"] == "[zh] 首次发布"
    for key in ("label", "company", "title", "copy", "revision", "stamp", "retention"):
        assert not has_cjk(str(form[key])), key


def test_the_chinese_frame_is_as_before_and_the_bilingual_carries_both() -> None:
    zh = frame("8d", CONFIG, _state(True), lang="zh")
    assert zh["revision"] == "A 草稿" and zh["stamp"] == "草稿 未经批准 不得使用"
    assert zh["label"]["signatures"] == "审批签署  Signatures"
    assert zh["signatures"]["approved"]["meaning"] == "批准：批准发布生效"
    both = frame("8d", CONFIG, _state(True), lang="zh-en")
    assert both["revision"] == "A 草稿 Draft"
    assert both["label"]["number"] == "表单编号 Form No."


def test_the_language_of_a_form_comes_from_the_customer_then_the_configuration() -> None:
    assert CONFIG.form_language("HX") == "en"
    assert CONFIG.form_language("LD") == "zh-en"
    assert Config({}).form_language("HX") == "zh"


def test_a_bilingual_text_falls_back_to_chinese_marked() -> None:
    assert pick({"zh": "开裂", "en": "Cracked"}, "en").text == "Cracked"
    assert pick("开裂", "en").text == "[zh] 开裂" and pick("开裂", "en").fallback
    assert pick("HX-0087", "en").text == "HX-0087"
    assert pick({"zh": "开裂", "en": "Cracked"}, "zh-en").text == "开裂\nCracked"
    assert pick({"en": "Cracked"}, "zh").text == "Cracked"


def test_a_label_is_fitted_into_its_cell_in_any_language() -> None:
    from qmsdoc.render.fit import MARK, fit, lines, split_paragraphs

    narrow = round(17.5 * 56.6929)
    assert lines("客户确认人", narrow) == ["客户确", "认人"]
    assert lines("什么问题(What)", round(25 * 56.6929)) == ["什么问题", "(What)"]
    assert lines("Customer's complaint no.", narrow) == ["Customer's", "complaint", "no."]
    assert lines("Effectiveness", round(10 * 56.6929)) == ["Effectiveness"]  # never inside
    assert str(fit("A&B C", 5)) == f"A&amp;B{MARK}C"
    xml = ('<w:tc><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr>'
           f'<w:t xml:space="preserve">客户确{MARK}认人</w:t></w:r></w:p></w:tc>')
    assert split_paragraphs(xml) == (
        '<w:tc><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr>'
        '<w:t xml:space="preserve">客户确</w:t></w:r></w:p>'
        '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr>'
        '<w:t xml:space="preserve">认人</w:t></w:r></w:p></w:tc>')
