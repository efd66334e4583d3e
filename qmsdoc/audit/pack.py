"""``qmsdoc audit-pack`` as one call: the records in scope, what each released, its form,
files, history and approvals, the verify result and the ledger, the index, the manifest,
the verifier, written as one deterministic zip.

Everything comes from git at HEAD (never from the work tree): the record file and its
attachments are the released blobs, the forms are rendered from the released revision
with the configuration and templates of its time. The pack's time is SOURCE_DATE_EPOCH
when set, else the committer time of HEAD: the same repository state and options give the
same bytes (PDF copies included: their conversion time and ids are normalised).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import __version__, atomic
from ..config import Config
from ..doclang import readable
from ..errors import UsageError
from ..git import cmd as gitcmd
from ..git import log as gitlog
from ..git import tags as gittags
from ..git.log import RepoInfo
from ..history import anchors as ledgers
from ..history.anchors import Anchor, Ledger
from ..history.revision import RecordState, Revision, Signature
from ..i18n import _
from ..kinds import BY_NAME
from ..report.tables import Table
from ..schema import SchemaStore
from . import archive, clauses, cover, pdfnorm, scope
from .manifest import FORMAT, manifest_bytes

CHINA_NAME = "+08:00"


@dataclass(frozen=True)
class PackRequest:
    clauses: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    start: str | None = None  # --from: YYYY-MM-DD or YYYY-MM
    end: str | None = None  # --to
    pdf: bool | None = None  # None: when LibreOffice is installed
    out: Path | None = None


@dataclass
class Packed:
    """One record in the pack."""

    candidate: scope.Candidate
    state: RecordState | None
    revision: Revision | None
    anchor: Anchor | None = None
    sources: list[tuple[str, str, str]] = field(default_factory=list)  # pack path, git path, blob
    form: str | None = None
    pdf: str | None = None
    problem: str | None = None

    @property
    def folder(self) -> str:
        return f"records/{self.candidate.record_id}"


STDOUT = Path("-")  # --out -: the zip goes to standard output


@dataclass(frozen=True)
class Pack:
    path: Path  # STDOUT: the zip is ``data``, for the caller to write
    records: list[Packed]
    files: int  # listed in the manifest (MANIFEST.json itself not counted)
    manifest_sha256: str
    commit: str
    at: str
    by: str
    pdf: bool
    verify_ok: bool
    verify_summary: str
    data: bytes | None = None


def make(repo: Path, config: Config, store: SchemaStore, request: PackRequest) -> Pack:
    from ..history.states import record_state
    from ..history.verify import verify
    from ..views.verify import verify_lines

    info = gitlog.probe(repo)
    if not info.git:
        raise UsageError(_("cannot make an audit pack: {reason}").format(reason=info.reason))
    if info.shallow:
        raise UsageError(_("this is a shallow clone: the releases cannot be established (git "
                           "fetch --unshallow)"))
    commit = info.head or ""
    check_target(request.out)
    found = clauses.mapping(config)
    chosen, kinds = clauses.choose(found, request.clauses, request.kinds)
    period = scope.span(request.start, request.end)
    moment = pack_time(info, commit)
    by = generated_by(info)
    pdf = _want_pdf(request.pdf)
    candidates = scope.records(info, commit, kinds, found.dates, period)
    states = {c.record_id: record_state(repo, config, c.path, rev=commit, cache=False)
              for c in candidates}  # from git alone, as verify below: nothing from a cache
    ledger = ledgers.read(info)
    packed = [_packed(info, c, states.get(c.record_id), ledger) for c in candidates]
    report = verify(repo, config, store=store)
    checked = verify_lines(report)
    files: dict[str, bytes] = {}
    git_sources: dict[str, dict[str, str]] = {}
    _files_from_git(info, packed, files, git_sources)
    with tempfile.TemporaryDirectory(prefix="qmsdoc-pack-") as scratch:
        _forms(repo, config, store, packed, Path(scratch), pdf, moment, files)
    for item in packed:
        files.update(_history_files(item))
    files["verify.txt"] = _text("\n".join(checked) + "\n")
    files["verify.json"] = _json(_verify_json(report, checked))
    files["ledger.json"] = _json(_ledger_json(ledger, packed))
    facts = {"commit": commit, "generated_at": moment.isoformat(), "generated_by": by,
             "qmsdoc": __version__}
    span = {"from": period.start.isoformat() if period.start else None,
            "to": period.end.isoformat() if period.end else None, "label": period.label}
    index = _index_json(facts, span, chosen, kinds, packed, report.ok)
    files["index.json"] = _json(index)
    files["index.docx"] = cover.document(repo, config, cover.Cover(
        period.label, moment, _cover_tables(facts, span, chosen, kinds, packed, report.ok,
                                            ledger)))
    files["README.txt"] = _text(_readme(facts, span, chosen))
    files["verify_pack.py"] = _verifier()
    manifest = manifest_bytes(files, git_sources, {
        "format": FORMAT, "repository": facts, "scope": {**span, "clauses": [
            c.number for c in chosen], "kinds": kinds},
        "records": [_record_json(item) for item in packed],
        "ledger": {"anchors": len(ledger.anchors),
                   "heads": [{"tag": a.name, "digest": a.digest} for a in ledger.heads()]},
        "verify": {"ok": report.ok, "summary": _summary(checked)},
    })
    files["MANIFEST.json"] = manifest
    target = request.out or repo / "out" / default_name(request, period)
    data = archive.build(files, moment)
    if target != STDOUT:
        check_target(target)  # (a file may have appeared meanwhile)
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic.replace(target, data)
    import hashlib

    return Pack(target, packed, len(files) - 1, hashlib.sha256(manifest).hexdigest(), commit,
                moment.isoformat(), by, pdf, report.ok, _summary(checked),
                data if target == STDOUT else None)


def check_target(out: Path | None) -> None:
    """An existing file is replaced only when it is a zip (an earlier pack): ``--out
    README.md`` is refused, not overwritten."""
    if out is None or out == STDOUT or not out.is_file():
        return
    try:
        with out.open("rb") as handle:
            start = handle.read(4)
    except OSError as exc:
        raise UsageError(_("--out {out}: cannot be read ({reason})").format(
            out=out, reason=exc.strerror or exc)) from None
    if start not in (b"PK\x03\x04", b"PK\x05\x06"):
        raise UsageError(_("--out {out}: exists and is not a zip file; not overwritten").format(
            out=out))


def default_name(request: PackRequest, period: scope.Span) -> str:
    parts = ["audit-pack", *(request.clauses or ("all",)), *request.kinds]
    if period.start:
        parts.append(period.start.isoformat())
    if period.end:
        parts.append(period.end.isoformat())
    return "-".join(parts) + ".zip"


def pack_time(info: RepoInfo, commit: str) -> datetime:
    """SOURCE_DATE_EPOCH when set, else the committer time of ``commit``; in China time
    (the forms' print date and the zip's entry times show the same wall clock)."""
    from ..render.frame import CHINA

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).astimezone(CHINA)
    return datetime.fromisoformat(gittags.committer(info, commit).date).astimezone(CHINA)


def generated_by(info: RepoInfo) -> str:
    """The git identity that makes the pack (``Name <email>``)."""
    out = gitcmd.run(info.root, "var", "GIT_COMMITTER_IDENT", check=False)
    ident = out.decode("utf-8", "replace").strip()
    if ">" not in ident or ident.startswith("<"):
        raise UsageError(_("cannot tell who makes the audit pack (its index names them): set "
                           "git config user.name and user.email"))
    return ident.rsplit(">", 1)[0] + ">"


def _want_pdf(pdf: bool | None) -> bool:
    from ..render import pdf as lo

    if pdf is False:
        return False
    if pdf is True:
        lo.check_ready()
        return True
    try:
        lo.check_ready()
    except UsageError:
        return False
    return True


def _packed(info: RepoInfo, candidate: scope.Candidate, state: RecordState | None,
            ledger: Ledger) -> Packed:
    revision = state.revisions[-1] if state is not None and state.revisions else None
    if revision is None:
        return Packed(candidate, state, None,
                      problem="草稿：无已发布版次 (no released revision: listed, not packed)")
    anchor = ledger.by_name().get(ledgers.tag_name(candidate.record_id, revision.letter))
    path = state.path if state is not None and state.path else candidate.path
    item = Packed(candidate, state, revision, anchor)
    released = ledgers.of_revision(info, candidate.record_id, path, revision)
    item.sources.append((f"{item.folder}/files/{path}", path, revision.blob))
    item.sources += [(f"{item.folder}/files/{p}", p, b) for p, b in released.files
                     if b != gitlog.ZERO]
    return item


def _files_from_git(info: RepoInfo, packed: list[Packed], files: dict[str, bytes],
                    sources: dict[str, dict[str, str]]) -> None:
    blobs = sorted({blob for item in packed for _, _, blob in item.sources})
    contents = gitlog.read_blobs(info, blobs)
    for item in packed:
        assert item.revision is not None or not item.sources
        for name, path, blob in item.sources:
            files[name] = contents[blob]
            commit = item.revision.commit if item.revision else ""
            sources[name] = {"blob": blob, "path": path, "commit": commit}


@contextmanager
def _epoch(moment: datetime) -> Iterator[None]:
    """The forms' print date is the pack's time (render reads SOURCE_DATE_EPOCH)."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(moment.timestamp()))
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def _forms(repo: Path, config: Config, store: SchemaStore, packed: list[Packed], scratch: Path,
           pdf: bool, moment: datetime, files: dict[str, bytes]) -> None:
    """Each released revision's controlled form (and PDF), rendered as ``render
    --released`` renders it."""
    from ..render.run import RenderRequest, render

    released = [item for item in packed if item.revision is not None]
    if not released:
        return
    by_path = {item.candidate.path: item for item in released}
    by_id = {item.candidate.record_id: item for item in released}
    request = RenderRequest(tuple(item.candidate.record_id for item in released), scratch,
                            released=True, pdf=pdf)
    with _epoch(moment):
        run = render(repo, config, store, request)
        written = list(run.files)
    for finding in run.findings:
        item = by_path.get(finding.location.path)
        if item is not None and item.problem is None:
            item.problem = _("the released revision does not validate: {message}").format(
                               message=finding.message)
    for done in written:
        if done.path is None:
            item = by_path.get(done.record_path)
            if item is not None:
                item.problem = _("the form could not be rendered: {error}").format(
                                   error=done.error)
            continue
        item = by_id.get(done.path.stem)
        if item is None or item.revision is None:
            continue
        letter = item.revision.letter.replace("/", "-")
        name = f"{item.folder}/{item.candidate.record_id}-{letter}{done.path.suffix}"
        data = done.path.read_bytes()
        if done.path.suffix == ".pdf":
            data = pdfnorm.normalized(data, moment)
            item.pdf = name
        else:
            item.form = name
        files[name] = data


def _signature_json(sig: Signature | None, action: str) -> dict[str, Any] | None:
    if sig is None:
        return None
    return {"action": action, "meaning": sig.meaning, "name": sig.name, "person": sig.person,
            "department": sig.department, "position": sig.position, "at": sig.at,
            "commit": sig.commit, "signed": sig.evidence == "trusted",
            "evidence": sig.evidence, "key": sig.key}


def _approvals(revision: Revision) -> list[dict[str, Any]]:
    chain = [_signature_json(s, "review") for s in revision.reviewers]
    chain += [_signature_json(s, "approve") for s in revision.approvers]
    return [c for c in chain if c is not None]


def _record_json(item: Packed) -> dict[str, Any]:
    c = item.candidate
    data: dict[str, Any] = {"id": c.record_id, "kind": c.kind, "path": c.path,
                            "title": c.title, "date": c.day.isoformat() if c.day else None,
                            "undated": c.undated,
                            "state": item.state.state if item.state else None,
                            "problem": item.problem, "release": None}
    revision = item.revision
    if revision is not None:
        anchor = item.anchor
        data["release"] = {
            "revision": revision.letter, "at": revision.at, "commit": revision.commit,
            "blob": revision.blob, "attachments": revision.attachments,
            "summary": revision.summary,
            "prepared": [_signature_json(s, "prepare") for s in revision.preparers],
            "approvals": _approvals(revision),
            "anchor": None if anchor is None else {
                "tag": anchor.name, "object": anchor.tag, "digest": anchor.digest,
                "previous": anchor.previous, "signed": anchor.signed,
                "timestamp": bool(anchor.token)},
            "form": item.form, "pdf": item.pdf,
            "files": [name for name, _, _ in item.sources],
        }
    return data


def _history_files(item: Packed) -> dict[str, bytes]:
    from ..views.history import state_json, state_lines

    if item.state is None:
        return {}
    lines = state_lines(item.state)
    if item.revision is not None:
        lines += ["", f"approval chain of revision {item.revision.letter} (what this pack "
                  "holds):"]
        for approval in _approvals(item.revision):
            signed = "signed" if approval["signed"] else approval["evidence"]
            lines.append(f"  {approval['meaning']}  {approval['name']} ({approval['person']})  "
                         f"{approval['at']}  commit {approval['commit']}  {signed}")
        anchor = item.anchor
        lines.append(f"  anchor: tag {anchor.name} (tag object {anchor.tag}, ledger entry "
                     f"{anchor.digest})" if anchor else
                     "  anchor: none (qmsdoc anchor writes it)")
    data = {**state_json(item.state), "approval_chain": _record_json(item)["release"]}
    return {f"{item.folder}/history.txt": _text("\n".join(lines) + "\n"),
            f"{item.folder}/history.json": _json(data)}


def _verify_json(report: Any, lines: list[str]) -> dict[str, Any]:
    return {"ok": report.ok, "approvals": report.approvals, "records": report.records,
            "signed": report.signed, "unsigned": report.unsigned, "shallow": report.shallow,
            "violations": [str(v) for v in report.violations],
            "content": [str(c) for c in report.content],
            "anchors": [str(a) for a in report.anchors], "lines": lines}


def _ledger_json(ledger: Ledger, packed: list[Packed]) -> dict[str, Any]:
    wanted = {item.anchor.name for item in packed if item.anchor is not None}
    return {"anchors": len(ledger.anchors),
            "heads": [{"tag": a.name, "digest": a.digest} for a in ledger.heads()],
            "in_pack": [{"tag": a.name, "object": a.tag, "digest": a.digest,
                         "previous": a.previous, "message": a.message}
                        for a in ledger.ordered() if a.name in wanted]}


def _index_json(facts: dict[str, str], span: dict[str, Any], chosen: list[clauses.Clause],
                kinds: list[str], packed: list[Packed], ok: bool) -> dict[str, Any]:
    return {"format": FORMAT, "repository": facts, "scope": span,
            "clauses": [{"number": c.number, "title": c.title, "title_en": c.title_en,
                         "kinds": list(c.kinds), "fields": list(c.fields)} for c in chosen],
            "kinds": kinds, "verify_ok": ok,
            "records": [_record_json(item) for item in packed]}


def _cover_tables(facts: dict[str, str], span: dict[str, Any], chosen: list[clauses.Clause],
                  kinds: list[str], packed: list[Packed], ok: bool,
                  ledger: Ledger) -> list[Table]:
    heads = ", ".join(f"{a.digest[:16]} ({a.name})" for a in ledger.heads()) or "无 (none)"
    scope_rows: list[list[str | int | float | None]] = [
        ["条款 Clauses", ", ".join(c.number for c in chosen)],
        ["记录类别 Kinds", ", ".join(f"{BY_NAME[k].title} ({k})" for k in kinds)],
        ["期间 Period", span["label"]],
        ["来源提交 From commit", facts["commit"]],
        ["数据截至 As of", facts["generated_at"]],
        ["生成人 Generated by", facts["generated_by"]],
        ["qmsdoc", facts["qmsdoc"]],
        ["verify 结果 Verify", "通过 passed" if ok else "有问题 problems: see verify.txt"],
        ["台账头 Ledger head", heads],
        ["核对 Check", "python3 verify_pack.py [--repo CLONE]"],
    ]
    clause_rows: list[list[str | int | float | None]] = [
        [c.number, f"{c.title} / {c.title_en}", ", ".join(c.kinds), ", ".join(c.fields)]
        for c in chosen]
    record_rows: list[list[str | int | float | None]] = []
    for item in packed:
        c, r = item.candidate, item.revision
        # the index form prints the names as the pack's text files do (see _text)
        names = {a["action"]: readable(a["name"]) for a in _approvals(r)} if r else {}
        record_rows.append([
            c.record_id, BY_NAME[c.kind].title if c.kind in BY_NAME else c.kind, c.title,
            c.day.isoformat() if c.day else ("日期不明 No date" if c.undated else ""),
            r.letter if r else "草稿",
            r.at[:16].replace("T", " ") if r else "", names.get("review", ""),
            names.get("approve", ""), item.anchor.name if item.anchor else "",
            item.problem or ""])
    return [
        Table("一、范围 Scope", ["项目 Item", "内容 Value"], scope_rows, widths=(1, 3)),
        Table("二、条款 Clauses", ["条款", "标题 Title", "记录类别 Kinds", "字段 Fields"],
              clause_rows, widths=(1, 3, 2, 3)),
        Table("三、记录 Records", ["编号 ID", "类别 Kind", "标题 Title", "日期 Date",
                                 "版次 Rev.", "发布 Released", "审核 Review",
                                 "批准 Approve", "锚点 Anchor", "备注 Note"], record_rows,
              widths=(5, 4, 7, 5, 4, 6, 5, 6, 7, 5)),
    ]


def _readme(facts: dict[str, str], span: dict[str, Any],
            chosen: list[clauses.Clause]) -> str:
    return f"""qmsdoc audit pack / 审核证据包
=============================

Clauses 条款: {', '.join(f'{c.number} {c.title_en}' for c in chosen)}
Period 期间: {span['label']}
From commit 来源提交: {facts['commit']}
As of 数据截至: {facts['generated_at']}
Generated by 生成人: {facts['generated_by']} (qmsdoc {facts['qmsdoc']})

What is here
  index.docx / index.json      the index: scope, clauses, records (cover form)
  records/<ID>/<ID>-<rev>.docx the released revision's controlled form (.pdf: its PDF copy)
  records/<ID>/files/...       the record file and its attachments as released (git blobs)
  records/<ID>/history.txt     revisions and the approval chain (who, role, meaning, time,
                               commit, signed or not); history.json the same as data
  verify.txt / verify.json     qmsdoc verify of the whole repository when the pack was made
  ledger.json                  the release anchors (tags release/<ID>/<rev>) of these records
  MANIFEST.json                SHA-256 and size of every file, and the git ids it came from
  verify_pack.py               the checker: Python 3 standard library only

How to check 核对方法
  python3 verify_pack.py                 every file against MANIFEST.json
  python3 verify_pack.py --repo CLONE    and every commit, blob, approval and anchor
                                         against a clone of the records repository
  Exit 0: all match; 1: each altered, missing or extra file (or git id) is named;
  2: the pack or the clone cannot be read. Compare the MANIFEST.json SHA-256 it prints
  with the one given to you with the pack.
"""


def _summary(lines: list[str]) -> str:
    """verify's summary line (``N approval(s) of M record(s) checked, …``)."""
    return next((line for line in lines if " record(s) checked" in line), "")


def _verifier() -> bytes:
    from . import verify_pack

    return Path(verify_pack.__file__).read_bytes()


def _json(data: Any) -> bytes:
    return _text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def _text(text: str) -> bytes:
    """A file of the pack as UTF-8: names and messages git gave may hold bytes that are not
    UTF-8 (compared as they are); the pack prints them as U+FFFD (doclang.readable), and
    the commit ids beside them lead to the bytes git holds."""
    return readable(text).encode("utf-8")
