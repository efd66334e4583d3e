"""The example records repository: the sample records with a scripted git history.

Commits by the people of the sample roster at fixed dates (so that the commit ids are the
same on every run), and reviews and approvals made through the approval policy:

  * CC-2026-0001 released as A, changed, re-approved: revision B (a table of 2 revisions);
  * 8D-2026-0001 released as A, then changed twice: a DRAFT of B whose review is stale;
  * CC-2026-0002, CR-2026-0002, CSR-HXAUTO released as A; CR-2026-0001 reviewed only;
    CC-2026-0003 and CSR-LDEV never approved (drafts);
  * one refusal on purpose (self-approval).

Used by ``qmsdoc init --example`` and ``scripts/demo_history.py`` (``make demo``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

from .. import atomic, config
from ..errors import ApprovalRefused, QmsdocError
from ..git import cmd as gitcmd
from ..history.approve import Done, approve
from ..resources import example, sample_config
from ..schema import SchemaStore
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


def retitle(rel: str, suffix: str, editor_modelines: bool) -> str:
    """The sample record with a suffix on its title line: an earlier version of it."""
    lines = sample(rel, editor_modelines).splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("title: "):
            lines[i] = line.rstrip("\n") + suffix + "\n"
            break
    return "".join(lines)


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
                raise QmsdocError(f"example history: {who} could not {action} {record_id}: "
                                  f"{exc}") from None
            self.outcomes.append(Approval(record_id, action, refused=str(exc)))
            return
        if refused:
            raise QmsdocError(f"example history: {who} could {action} {record_id}, which the "
                              "policy should have refused (self-approval)")
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
    # A complaint closed in September: released as A.
    s.commit("zhao.lei", "2026-09-02T14:40:00+08:00", "登记客户抱怨 CC-2026-0002 (自提亏载)",
             {CC2: s.sample(CC2)})
    s.approve("wang.fang", "2026-09-03T10:00:00+08:00", "CC-2026-0002", "review")
    s.approve("sun.li", "2026-09-04T16:30:00+08:00", "CC-2026-0002", "approve")
    # Customer-specific requirements: HXAUTO released; LDEV written by the quality manager,
    # who may then not review it herself.
    s.commit("li.ming", "2026-10-10T09:30:00+08:00", "顾客特殊要求清单 CSR-HXAUTO",
             {CSR_HX: s.sample(CSR_HX)})
    s.approve("wang.fang", "2026-10-10T16:00:00+08:00", "CSR-HXAUTO", "review")
    s.approve("sun.li", "2026-10-11T08:45:00+08:00", "CSR-HXAUTO", "approve")
    s.commit("wang.fang", "2026-11-01T11:00:00+08:00", "顾客特殊要求清单 CSR-LDEV",
             {CSR_LD: s.sample(CSR_LD)})
    s.approve("wang.fang", "2026-11-01T11:10:00+08:00", "CSR-LDEV", "review", refused=True)


def _contract_reviews(s: _Script) -> None:
    # The new-product order approved, the repeat order only reviewed.
    s.commit("zhao.lei", "2026-10-12T11:00:00+08:00", "订单评审 CR-2026-0002 新品 HX5802107",
             {CR2: s.sample(CR2)})
    s.approve("chen.jun", "2026-10-14T09:15:00+08:00", "CR-2026-0002", "review")
    s.approve("sun.li", "2026-10-15T17:20:00+08:00", "CR-2026-0002", "approve")
    s.commit("zhao.lei", "2026-11-02T15:00:00+08:00", "订单评审 CR-2026-0001 LD-3310 返单",
             {CR1: s.sample(CR1)})
    s.approve("liu.yang", "2026-11-03T09:00:00+08:00", "CR-2026-0001", "review")


def _complaint_with_8d(s: _Script) -> None:
    # CC-2026-0001: registered, completed, reviewed, approved (A); once its 8D exists,
    # updated and re-approved (B).
    early = s.sample(CC1).replace("status: actions", "status: investigating")
    early = "".join(line for line in early.splitlines(keepends=True)
                    if not line.startswith("eightd:"))
    first = early.replace("title: ", "title: (初报)", 1)
    s.commit("zhao.lei", "2026-11-03T10:30:00+08:00", "登记客户抱怨 CC-2026-0001 (电话通知)",
             {CC1: first})
    s.commit("li.ming", "2026-11-04T17:05:00+08:00", "补充不良确认、围堵措施与原因分析",
             {CC1: early})
    s.approve("wang.fang", "2026-11-05T09:20:00+08:00", "CC-2026-0001", "review")
    s.approve("sun.li", "2026-11-05T11:00:00+08:00", "CC-2026-0001", "approve")
    # 8D-2026-0001: D1–D4 released as A; D5–D6 reviewed; changed again: a draft of B.
    s.commit("li.ming", "2026-11-06T16:00:00+08:00", "8D报告 D1–D4: 小组、问题描述、围堵、根本原因",
             {D8: retitle(D8, "(D1–D4)", s.modelines)})
    s.approve("zhao.lei", "2026-11-07T09:00:00+08:00", "8D-2026-0001", "review")
    s.approve("sun.li", "2026-11-07T10:30:00+08:00", "8D-2026-0001", "approve")
    s.commit("li.ming", "2026-11-12T14:30:00+08:00", "关联8D报告，纠正措施实施中",
             {CC1: s.sample(CC1)})
    s.approve("wang.fang", "2026-11-13T08:50:00+08:00", "CC-2026-0001", "review")
    s.approve("sun.li", "2026-11-13T10:15:00+08:00", "CC-2026-0001", "approve")
    s.commit("li.ming", "2026-11-14T15:20:00+08:00", "8D报告 D5–D6: 纠正措施及验证",
             {D8: retitle(D8, "(D1–D6)", s.modelines)})
    s.approve("wang.fang", "2026-11-16T09:40:00+08:00", "8D-2026-0001", "review")
    # A complaint received later, not yet reviewed.
    s.commit("zhao.lei", "2026-11-18T16:30:00+08:00", "登记客户抱怨 CC-2026-0003 (延迟交货)",
             {CC3: s.sample(CC3)})
    s.commit("li.ming", "2026-11-19T11:00:00+08:00", "8D报告 D7: 预防再发生措施",
             {D8: s.sample(D8)})


def demo_repository(out: Path) -> list[Approval]:
    """The demo of ``make demo``: the sample configuration and records in ``out`` (a new,
    empty folder) with their scripted history."""
    base = {config.CONFIG_FILE: sample_config(), ".gitignore": "out/\n"}
    for rel, text in base.items():
        atomic.replace(out / rel, text.encode("utf-8"))
    git_init(out)
    return build(out, list(base))
