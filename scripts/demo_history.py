"""Build a demo records repository whose git history carries reviews and approvals.

    python scripts/demo_history.py [--out out/demo-repo] [--quiet]

Recreates OUT (default out/demo-repo) from the sample records and qmsdoc.yaml of this
repository, with scripted commits by roster people at fixed dates (so the commit ids are
the same on every run) and reviews and approvals made by `qmsdoc approve`:

  * CC-2026-0001 released as A, changed, re-approved: revision B (a table of 2 revisions);
  * 8D-2026-0001 released as A, then changed twice: a DRAFT of B whose review is stale;
  * CC-2026-0002, CR-2026-0002, CSR-HXAUTO released as A; CR-2026-0001 reviewed only;
    CC-2026-0003 and CSR-LDEV never approved (drafts);
  * one refusal shown on purpose (self-approval).

Then prints `qmsdoc history` for the first two and `qmsdoc verify`. Render the forms from it
with `qmsdoc --repo out/demo-repo render --all`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
QMSDOC = str(BIN / "qmsdoc") if (BIN / "qmsdoc").exists() else "qmsdoc"

CC1 = "records/complaints/2026/CC-2026-0001.yaml"
CC2 = "records/complaints/2026/CC-2026-0002.yaml"
CC3 = "records/complaints/2026/CC-2026-0003.yaml"
D8 = "records/8d/2026/8D-2026-0001.yaml"
CR1 = "records/contract-reviews/2026/CR-2026-0001.yaml"
CR2 = "records/contract-reviews/2026/CR-2026-0002.yaml"
CSR_HX = "records/special-requirements/CSR-HXAUTO.yaml"
CSR_LD = "records/special-requirements/CSR-LDEV.yaml"


class Demo:
    def __init__(self, out: Path, quiet: bool) -> None:
        self.out, self.quiet = out, quiet
        self.roster = self._roster()

    def _roster(self) -> dict[str, tuple[str, str]]:
        import yaml

        config = yaml.safe_load((ROOT / "qmsdoc.yaml").read_text(encoding="utf-8"))
        return {p["key"]: (p["name"], p["email"]) for p in config["roster"]}

    def env(self, who: str, at: str) -> dict[str, str]:
        name, email = self.roster[who]
        return {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
                "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": at,
                "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email,
                "GIT_COMMITTER_DATE": at, "QMSDOC_REPO": str(self.out)}

    def git(self, *args: str, who: str = "li.ming", at: str = "2026-09-01T09:00:00+08:00") -> None:
        subprocess.run(["git", "-C", str(self.out), *args], env=self.env(who, at), check=True,
                       capture_output=True)

    def write(self, rel: str, text: str) -> None:
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def commit(self, who: str, at: str, message: str, files: dict[str, str]) -> None:
        """Commit ``files`` (and the sample attachments of the records among them)."""
        paths = list(files)
        for rel, text in files.items():
            self.write(rel, text)
            attachments = ROOT / "records" / "attachments" / Path(rel).stem
            if attachments.is_dir():
                target = self.out / attachments.relative_to(ROOT)
                shutil.copytree(attachments, target, dirs_exist_ok=True)
                paths.append(str(target.relative_to(self.out)))
        self.git("add", "--", *paths, who=who, at=at)
        self.git("commit", "-q", "-m", message, who=who, at=at)

    def approve(self, who: str, at: str, record_id: str, action: str, expect: int = 0) -> None:
        proc = subprocess.run([QMSDOC, "approve", record_id, "--as", action],
                              env=self.env(who, at), capture_output=True, text=True)
        if proc.returncode != expect:
            sys.exit(f"demo: `qmsdoc approve {record_id} --as {action}` as {who} exited "
                     f"{proc.returncode}, expected {expect}:\n{proc.stdout}{proc.stderr}")
        if not self.quiet:
            prefix = "  refused as expected: " if expect else "  "
            print(prefix + (proc.stdout + proc.stderr).strip().replace("\n", "\n  "))

    def run(self, *args: str) -> None:
        proc = subprocess.run([QMSDOC, *args], env=self.env("li.ming", "2026-11-30T09:00:00+08:00"),
                              capture_output=True, text=True)
        print(f"$ qmsdoc {' '.join(args)}\n{proc.stdout}{proc.stderr}", end="")


def sample(rel: str) -> str:
    return (ROOT / rel).read_text(encoding="utf-8")


def retitle(rel: str, suffix: str) -> str:
    """The sample record with a suffix on its title line: an earlier version of it."""
    lines = sample(rel).splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("title: "):
            lines[i] = line.rstrip("\n") + suffix + "\n"
            break
    return "".join(lines)


def build(demo: Demo) -> None:
    out = demo.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    demo.git("init", "-q", "-b", "main")
    demo.git("config", "commit.gpgsign", "false")
    demo.commit("li.ming", "2026-09-01T09:00:00+08:00", "质量记录库: 配置与人员名册",
                {"qmsdoc.yaml": sample("qmsdoc.yaml"), ".gitignore": "out/\n"})

    # A complaint closed in September: released as A.
    demo.commit("zhao.lei", "2026-09-02T14:40:00+08:00", "登记客户抱怨 CC-2026-0002 (自提亏载)",
                {CC2: sample(CC2)})
    demo.approve("wang.fang", "2026-09-03T10:00:00+08:00", "CC-2026-0002", "review")
    demo.approve("sun.li", "2026-09-04T16:30:00+08:00", "CC-2026-0002", "approve")

    # Customer-specific requirements: HXAUTO released; LDEV written by the quality manager,
    # who may then not review it herself.
    demo.commit("li.ming", "2026-10-10T09:30:00+08:00", "顾客特殊要求清单 CSR-HXAUTO",
                {CSR_HX: sample(CSR_HX)})
    demo.approve("wang.fang", "2026-10-10T16:00:00+08:00", "CSR-HXAUTO", "review")
    demo.approve("sun.li", "2026-10-11T08:45:00+08:00", "CSR-HXAUTO", "approve")
    demo.commit("wang.fang", "2026-11-01T11:00:00+08:00", "顾客特殊要求清单 CSR-LDEV",
                {CSR_LD: sample(CSR_LD)})
    demo.approve("wang.fang", "2026-11-01T11:10:00+08:00", "CSR-LDEV", "review", expect=1)

    # Contract reviews: the new-product order approved, the repeat order only reviewed.
    demo.commit("zhao.lei", "2026-10-12T11:00:00+08:00", "订单评审 CR-2026-0002 新品 HX5802107",
                {CR2: sample(CR2)})
    demo.approve("chen.jun", "2026-10-14T09:15:00+08:00", "CR-2026-0002", "review")
    demo.approve("sun.li", "2026-10-15T17:20:00+08:00", "CR-2026-0002", "approve")
    demo.commit("zhao.lei", "2026-11-02T15:00:00+08:00", "订单评审 CR-2026-0001 LD-3310 返单",
                {CR1: sample(CR1)})
    demo.approve("liu.yang", "2026-11-03T09:00:00+08:00", "CR-2026-0001", "review")

    # CC-2026-0001: registered, completed, reviewed, approved (A); once its 8D exists,
    # updated and re-approved (B).
    early = sample(CC1).replace("status: actions", "status: investigating")
    early = "".join(line for line in early.splitlines(keepends=True)
                    if not line.startswith("eightd:"))
    first = early.replace("title: ", "title: (初报)", 1)
    demo.commit("zhao.lei", "2026-11-03T10:30:00+08:00", "登记客户抱怨 CC-2026-0001 (电话通知)",
                {CC1: first})
    demo.commit("li.ming", "2026-11-04T17:05:00+08:00", "补充不良确认、围堵措施与原因分析",
                {CC1: early})
    demo.approve("wang.fang", "2026-11-05T09:20:00+08:00", "CC-2026-0001", "review")
    demo.approve("sun.li", "2026-11-05T11:00:00+08:00", "CC-2026-0001", "approve")

    # 8D-2026-0001: D1–D4 released as A; D5–D6 reviewed; changed again: a draft of B.
    demo.commit("li.ming", "2026-11-06T16:00:00+08:00", "8D报告 D1–D4: 小组、问题描述、围堵、根本原因",
                {D8: retitle(D8, "(D1–D4)")})
    demo.approve("zhao.lei", "2026-11-07T09:00:00+08:00", "8D-2026-0001", "review")
    demo.approve("sun.li", "2026-11-07T10:30:00+08:00", "8D-2026-0001", "approve")

    demo.commit("li.ming", "2026-11-12T14:30:00+08:00", "关联8D报告，纠正措施实施中",
                {CC1: sample(CC1)})
    demo.approve("wang.fang", "2026-11-13T08:50:00+08:00", "CC-2026-0001", "review")
    demo.approve("sun.li", "2026-11-13T10:15:00+08:00", "CC-2026-0001", "approve")

    demo.commit("li.ming", "2026-11-14T15:20:00+08:00", "8D报告 D5–D6: 纠正措施及验证",
                {D8: retitle(D8, "(D1–D6)")})
    demo.approve("wang.fang", "2026-11-16T09:40:00+08:00", "8D-2026-0001", "review")
    # A complaint received later, not yet reviewed.
    demo.commit("zhao.lei", "2026-11-18T16:30:00+08:00", "登记客户抱怨 CC-2026-0003 (延迟交货)",
                {CC3: sample(CC3)})
    demo.commit("li.ming", "2026-11-19T11:00:00+08:00", "8D报告 D7: 预防再发生措施",
                {D8: sample(D8)})


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "demo-repo")
    parser.add_argument("--quiet", action="store_true", help="print only the histories")
    args = parser.parse_args(argv)
    demo = Demo(args.out.resolve(), args.quiet)
    if not args.quiet:
        print(f"building {demo.out} ...")
    build(demo)
    demo.run("history", "CC-2026-0001")
    demo.run("history", "8D-2026-0001")
    demo.run("verify")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
