"""The example records repository: the sample records with a scripted git history.

Commits by the people of the sample roster at fixed dates (so that the commit ids are the
same on every run), and reviews and approvals made through the approval policy. Each commit
holds only what was known at its time (``asof``), so no released revision states a fact
dated after its release:

  * CC-2026-0001 released as A (investigated), B (with its 8D), C (actions verified);
  * 8D-2026-0001 D1–D4 released as A, D5–D6 reviewed, D7 added: a draft of B whose
    review is stale;
  * CC-2026-0002 released as A; CSR-HXAUTO as A and B; CR-2026-0002 as A (reviewed before
    the feedback to the customer), B (confirmed) and C (amended); CR-2026-0001 released as
    A, then the customer's confirmation: a draft of B, reviewed, waiting for its approval;
  * CC-2026-0003 and CSR-LDEV never approved (drafts); one refusal on purpose
    (self-approval).

Used by ``qmsdoc init --example`` and ``scripts/demo_history.py`` (``make demo``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from .. import atomic, config
from ..checks.dates import Dated
from ..errors import ApprovalRefused, QmsdocError
from ..git import cmd as gitcmd
from ..history.approve import Done, approve
from ..i18n import _
from ..records.files import folder_kind
from ..records.yamlload import dump, parse
from ..resources import example, sample_config
from ..schema import SchemaStore
from .asof import as_known_at
from .repo import SCHEMAS_DIR, git_init

CC1 = "records/complaints/2026/CC-2026-0001.yaml"
CC2 = "records/complaints/2026/CC-2026-0002.yaml"
CC3 = "records/complaints/2026/CC-2026-0003.yaml"
D8 = "records/8d/2026/8D-2026-0001.yaml"
CR1 = "records/contract-reviews/2026/CR-2026-0001.yaml"
CR2 = "records/contract-reviews/2026/CR-2026-0002.yaml"
CSR_HX = "records/special-requirements/CSR-HXAUTO.yaml"
CSR_LD = "records/special-requirements/CSR-LDEV.yaml"
RECORDS = (CC1, CC2, CC3, D8, CR1, CR2, CSR_HX, CSR_LD)
ATTACHMENTS = "records/attachments"

_MODELINE = re.compile(r"^(# yaml-language-server: \$schema=(?:\.\./)*)(schemas/)", re.M)


@dataclass(frozen=True)
class Approval:
    """One review or approval of the script: made (``done``) or refused on purpose."""

    record_id: str
    action: str
    done: Done | None = None
    refused: str = ""


def sample(rel: str, editor_modelines: bool = False) -> str:
    """A sample file (``records/…`` or ``qmsdoc.yaml``). With ``editor_modelines``, its
    ``$schema`` modeline names the editor schemas of an initialised repository."""
    text = sample_config() if rel == config.CONFIG_FILE else _resource(rel).read_text("utf-8")
    if editor_modelines:
        text = _MODELINE.sub(lambda m: m.group(1) + SCHEMAS_DIR + "/", text, count=1)
    return text


def files() -> list[str]:
    """Every path the example history writes: the records and their attachments."""
    paths = list(RECORDS)
    for rel in RECORDS:
        paths.extend(rel_path for rel_path, _ in _attachments(Path(rel).stem))
    return paths


def _resource(rel: str) -> Traversable:
    first, *rest = rel.split("/")
    node = example(first)
    for part in rest:  # one at a time: an installed namespace package's joinpath takes one
        node = node.joinpath(part)
    return node


def _attachments(record_id: str) -> Iterator[tuple[str, Traversable]]:
    """The sample attachments of a record: (repository path, resource), depth first."""
    folder = f"{ATTACHMENTS}/{record_id}"
    pending = [(folder, _resource(folder))]
    while pending:
        rel, node = pending.pop()
        if not node.is_dir():
            continue
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.is_dir():
                pending.append((f"{rel}/{child.name}", child))
            elif child.is_file():
                yield f"{rel}/{child.name}", child


class _Script:
    """Commits and approvals as named roster people at given times."""

    def __init__(self, repo: Path, editor_modelines: bool) -> None:
        override = repo / "schemas"
        self.repo = repo
        self.modelines = editor_modelines
        self.store = SchemaStore(override if override.is_dir() else None)
        self.config = config.load(repo, self.store)
        self.outcomes: list[Approval] = []

    def sample(self, rel: str) -> str:
        return sample(rel, self.modelines)

    def stage(self, rel: str, moment: str, *edits: Edit) -> str:
        """The sample record as it was known at ``moment`` (facts dated later left out),
        with ``edits`` for what was said differently then."""
        text = self.sample(rel)
        head = text.splitlines(keepends=True)[0] if text.startswith("# ") else ""
        data = parse(text.encode("utf-8")).data
        for edit in edits:
            edit(data)
        kind = folder_kind(rel)
        assert kind is not None
        return head + dump(as_known_at(self.store.for_kind(kind), data, moment))

    def env(self, who: str, at: str) -> dict[str, str]:
        person = self.config.roster[who]
        return {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
                "GIT_AUTHOR_NAME": person.name, "GIT_AUTHOR_EMAIL": person.email,
                "GIT_AUTHOR_DATE": at, "GIT_COMMITTER_NAME": person.name,
                "GIT_COMMITTER_EMAIL": person.email, "GIT_COMMITTER_DATE": at}

    def commit(self, who: str, at: str, message: str,
               changed: dict[str, str] | Sequence[str]) -> None:
        """Commit ``changed`` (written first when given with their text), with the sample
        attachments of the records among them."""
        paths = list(changed)
        if isinstance(changed, dict):
            for rel, text in changed.items():
                atomic.replace(self.repo / rel, text.encode("utf-8"))
                for att_rel, resource in _attachments(Path(rel).stem):
                    atomic.replace(self.repo / att_rel, resource.read_bytes())
                    paths.append(att_rel)
        env = self.env(who, at)
        gitcmd.run(self.repo, "add", "--", *paths, env=env)
        gitcmd.run(self.repo, "commit", "-q", "-m", message, env=env)

    def approve(self, who: str, at: str, record_id: str, action: str,
                refused: bool = False) -> None:
        try:
            done = approve(self.repo, self.config, self.store, record_id, action,
                           env=self.env(who, at))
        except ApprovalRefused as exc:
            if not refused:
                raise QmsdocError(_("example history: {who} could not {action} {record_id}: "
                                    "{problem}").format(who=who, action=action,
                                                        record_id=record_id,
                                                        problem=exc)) from None
            self.outcomes.append(Approval(record_id, action, refused=str(exc)))
            return
        if refused:
            raise QmsdocError(_("example history: {who} could {action} {record_id}, which the "
                                "policy should have refused (self-approval)").format(
                                  who=who, action=action, record_id=record_id))
        self.outcomes.append(Approval(record_id, action, done=done))


def build(repo: Path, first: Sequence[str], editor_modelines: bool = False) -> list[Approval]:
    """Write the sample records into ``repo`` (a git repository without commits whose
    ``qmsdoc.yaml`` is the sample one) and commit them with their scripted history. ``first``:
    the files already in ``repo`` that the first commit records (the configuration)."""
    script = _Script(repo, editor_modelines)
    script.commit("li.ming", "2026-09-01T09:00:00+08:00", "质量记录库: 配置与人员名册", first)
    _closed_complaint_and_requirements(script)
    _contract_reviews(script)
    _complaint_with_8d(script)
    return script.outcomes


def _closed_complaint_and_requirements(s: _Script) -> None:
    # A complaint of June, entered in September and closed after the return visit: A.
    at = "2026-09-02T14:40:00+08:00"
    s.commit("zhao.lei", at, "登记客户抱怨 CC-2026-0002 (自提亏载)",
             {CC2: s.stage(CC2, at, _closed_internally)})
    s.commit("zhao.lei", "2026-09-15T11:00:00+08:00", "CC-2026-0002 三个月回访，客户确认结案",
             {CC2: s.sample(CC2)})
    s.approve("wang.fang", "2026-09-15T16:00:00+08:00", "CC-2026-0002", "review")
    s.approve("sun.li", "2026-09-16T09:00:00+08:00", "CC-2026-0002", "approve")
    # Customer-specific requirements: HXAUTO released as A, then its second review (the
    # supplier quality manual Rev.E of 10-27) released as B; LDEV written by the quality
    # manager, who may then not review it herself.
    at = "2026-10-10T09:30:00+08:00"
    s.commit("li.ming", at, "顾客特殊要求清单 CSR-HXAUTO", {CSR_HX: s.stage(CSR_HX, at)})
    s.approve("wang.fang", "2026-10-10T16:00:00+08:00", "CSR-HXAUTO", "review")
    s.approve("sun.li", "2026-10-11T08:45:00+08:00", "CSR-HXAUTO", "approve")
    s.commit("wang.fang", "2026-11-01T11:00:00+08:00", "顾客特殊要求清单 CSR-LDEV",
             {CSR_LD: s.sample(CSR_LD)})
    s.approve("wang.fang", "2026-11-01T11:10:00+08:00", "CSR-LDEV", "review", refused=True)
    s.commit("li.ming", "2026-11-05T17:00:00+08:00",
             "CSR-HXAUTO 评审华信供应商质量手册 Rev.E (HX-07 二维码追溯)",
             {CSR_HX: s.sample(CSR_HX)})
    s.approve("wang.fang", "2026-11-06T09:00:00+08:00", "CSR-HXAUTO", "review")
    s.approve("sun.li", "2026-11-06T10:00:00+08:00", "CSR-HXAUTO", "approve")


def _contract_reviews(s: _Script) -> None:
    # The new-product order: reviewed and approved before the feedback to the customer (A,
    # IATF 16949 8.2.3.1); the customer's answers and confirmation (B); the amendment (C).
    at = "2026-10-13T18:00:00+08:00"
    s.commit("zhao.lei", at, "订单评审 CR-2026-0002 新品 HX5802107",
             {CR2: s.stage(CR2, at, _before_amendment, _open_questions(at), _decided)})
    s.approve("chen.jun", "2026-10-13T19:00:00+08:00", "CR-2026-0002", "review")
    s.approve("sun.li", "2026-10-14T08:30:00+08:00", "CR-2026-0002", "approve")
    at = "2026-10-19T15:00:00+08:00"
    s.commit("zhao.lei", at, "CR-2026-0002 顾客答复评审问题并确认订单",
             {CR2: s.stage(CR2, at, _before_amendment)})
    s.approve("chen.jun", "2026-10-20T09:00:00+08:00", "CR-2026-0002", "review")
    s.approve("sun.li", "2026-10-20T10:00:00+08:00", "CR-2026-0002", "approve")
    s.commit("zhao.lei", "2026-11-10T17:00:00+08:00", "CR-2026-0002 订单修正 XG-2026-031 及再评审",
             {CR2: s.sample(CR2)})
    s.approve("chen.jun", "2026-11-11T09:00:00+08:00", "CR-2026-0002", "review")
    s.approve("sun.li", "2026-11-11T10:00:00+08:00", "CR-2026-0002", "approve")
    # The repeat order: reviewed and approved (A) before the customer's confirmation, which
    # is a draft of B, reviewed and waiting for its approval (待批准).
    at = "2026-11-02T15:00:00+08:00"
    s.commit("zhao.lei", at, "订单评审 CR-2026-0001 LD-3310 返单",
             {CR1: s.stage(CR1, at, _decided)})
    s.approve("liu.yang", "2026-11-02T17:00:00+08:00", "CR-2026-0001", "review")
    s.approve("sun.li", "2026-11-03T09:00:00+08:00", "CR-2026-0001", "approve")
    s.commit("zhao.lei", "2026-11-03T16:00:00+08:00", "CR-2026-0001 顾客书面确认订单",
             {CR1: s.sample(CR1)})
    s.approve("liu.yang", "2026-11-04T09:00:00+08:00", "CR-2026-0001", "review")


def _complaint_with_8d(s: _Script) -> None:
    # CC-2026-0001: registered, investigated, released (A); with its 8D and the actions under
    # way (B); actions verified and the customer informed (C).
    at = "2026-11-03T10:30:00+08:00"
    s.commit("zhao.lei", at, "登记客户抱怨 CC-2026-0001 (电话通知)",
             {CC1: s.stage(CC1, at, _no_8d, _status("registered"), _first_report)})
    at = "2026-11-04T17:05:00+08:00"
    s.commit("li.ming", at, "补充不良确认、围堵措施与原因分析",
             {CC1: s.stage(CC1, at, _no_8d, _status("investigating"))})
    s.approve("wang.fang", "2026-11-05T09:20:00+08:00", "CC-2026-0001", "review")
    s.approve("sun.li", "2026-11-05T11:00:00+08:00", "CC-2026-0001", "approve")
    # 8D-2026-0001: D1–D4 released as A; D5–D6 reviewed; changed again: a draft of B.
    at = "2026-11-07T08:00:00+08:00"
    s.commit("li.ming", at, "8D报告 D1–D4: 小组、问题描述、围堵、根本原因",
             {D8: s.stage(D8, at, _steps_up_to(4), _retitled("(D1–D4)"))})
    s.approve("zhao.lei", "2026-11-07T09:00:00+08:00", "8D-2026-0001", "review")
    s.approve("sun.li", "2026-11-07T10:30:00+08:00", "8D-2026-0001", "approve")
    at = "2026-11-12T14:30:00+08:00"
    s.commit("li.ming", at, "关联8D报告，纠正措施实施中", {CC1: s.stage(CC1, at)})
    s.approve("wang.fang", "2026-11-13T08:50:00+08:00", "CC-2026-0001", "review")
    s.approve("sun.li", "2026-11-13T10:15:00+08:00", "CC-2026-0001", "approve")
    at = "2026-11-14T15:20:00+08:00"
    s.commit("li.ming", at, "8D报告 D5–D6: 纠正措施及验证",
             {D8: s.stage(D8, at, _steps_up_to(6), _retitled("(D1–D6)"))})
    s.approve("wang.fang", "2026-11-16T09:40:00+08:00", "8D-2026-0001", "review")
    # A complaint received later, not yet reviewed.
    s.commit("zhao.lei", "2026-11-19T15:00:00+08:00", "登记客户抱怨 CC-2026-0003 (延迟交货)",
             {CC3: s.sample(CC3)})
    s.commit("li.ming", "2026-11-19T16:00:00+08:00", "纠正措施效果验证，通报客户",
             {CC1: s.sample(CC1)})
    s.approve("wang.fang", "2026-11-20T09:00:00+08:00", "CC-2026-0001", "review")
    s.approve("sun.li", "2026-11-20T11:00:00+08:00", "CC-2026-0001", "approve")
    s.commit("li.ming", "2026-11-20T16:00:00+08:00", "8D报告 D7: 预防再发生措施",
             {D8: s.sample(D8)})


# --- what each stage of a record leaves out or says differently --------------------------

Edit = Callable[[dict[str, Any]], None]


def _status(value: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        data["status"] = value
    return edit


def _no_8d(data: dict[str, Any]) -> None:
    data.pop("eightd", None)


def _first_report(data: dict[str, Any]) -> None:
    data["title"] = "(初报)" + str(data.get("title", ""))


def _retitled(suffix: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        title = data.get("title", "")
        if isinstance(title, dict):  # {zh: …, en: …}: the suffix in each language
            data["title"] = {lang: f"{text} {suffix}" if lang == "en" else f"{text}{suffix}"
                             for lang, text in title.items()}
        else:
            data["title"] = str(title) + suffix
    return edit


def _steps_up_to(last: int) -> Edit:
    """An 8D report written up to step D<last>: the later steps are not there yet."""
    def edit(data: dict[str, Any]) -> None:
        for step in range(last + 1, 9):
            data.pop(f"d{step}", None)
    return edit


def _closed_internally(data: dict[str, Any]) -> None:
    """Before the return visit: closed inside the company, not yet with the customer."""
    closure = data.get("closure")
    if isinstance(closure, dict):
        closure.pop("customer", None)
    data["status"] = "closed_internal"


def _decided(data: dict[str, Any]) -> None:
    """The review decided, the customer not yet told."""
    data["status"] = "decided"
    for key in ("customer_feedback_at", "customer_confirmed_at", "written_confirmation"):
        data.pop(key, None)
    conclusion = data.get("conclusion")
    if isinstance(conclusion, dict) and isinstance(conclusion.get("summary"), str):
        conclusion["summary"] = conclusion["summary"].replace("(已于10-15确认)", "")


def _open_questions(moment: str) -> Edit:
    """Questions raised but answered only later keep the question, not the answer."""
    def edit(data: dict[str, Any]) -> None:
        for question in data.get("questions") or []:
            resolved = question.get("resolved")
            if isinstance(resolved, str) and Dated("", resolved).later_than(moment):
                question.pop("answer", None)
                question.pop("resolved", None)
    return edit


def _before_amendment(data: dict[str, Any]) -> None:
    """The order as first placed: 3000 pieces a side for 12-28, without the HX-07 marking."""
    for item in data.get("items") or []:
        item["qty"], item["delivery_date"] = 3000, "2026-12-28"
    for ref in data.get("csr_refs") or []:
        ref["items"] = [i for i in ref.get("items", []) if i != "HX-07"]
    requirements = data.get("requirements")
    if isinstance(requirements, dict) and isinstance(requirements.get("labelling_traceability"),
                                                     str):
        text = requirements["labelling_traceability"]
        requirements["labelling_traceability"] = text.split(";自2026-12起")[0] + "。"
    remarks = data.get("production_plan_remarks")
    if isinstance(remarks, str):
        data["production_plan_remarks"] = remarks.replace(
            ";每件激光二维码追溯(HX-07,打标机到厂前用批次标签)", "")


def demo_repository(out: Path) -> list[Approval]:
    """The demo of ``make demo``: the sample configuration and records in ``out`` (a new,
    empty folder) with their scripted history."""
    base = {config.CONFIG_FILE: sample_config(), ".gitignore": "out/\n"}
    for rel, text in base.items():
        atomic.replace(out / rel, text.encode("utf-8"))
    git_init(out)
    return build(out, list(base))
