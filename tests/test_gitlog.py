"""The pure parsers of gitlog on canned git output (the I/O is tested on real repositories in
test_history, test_approve and test_verify)."""

from __future__ import annotations

from qmsdoc.git.log import (
    ZERO,
    ApprovalEvent,
    Commit,
    FileChange,
    Ident,
    SigCheck,
    approval_of,
    parse_log,
    parse_signatures,
    parse_status,
    parse_trailers,
    parse_tree,
    record_id_of,
    timelines,
)

A = "a" * 40
B = "b" * 40
C = "c" * 40
P1 = "1" * 40
P2 = "2" * 40
B1 = "3" * 40
B2 = "4" * 40
B3 = "5" * 40
PATH = "records/complaints/2026/CC-2026-0001.yaml"


def header(cid: str, parents: str, message: str, who: str = "李明", email: str = "li@x",
           at: str = "2026-11-03T10:00:00+08:00") -> bytes:
    """One commit as ``--format=LOG_FORMAT -z`` prints it (git adds a NUL after the format)."""
    fields = [cid, parents, who, email, at, who, email, at, message]
    return ("\x1e" + "\0".join(fields) + "\0").encode()


def raw(meta: str, path: str) -> bytes:
    return f"{meta}\0{path}\0".encode()


# What `git log --topo-order --raw --no-abbrev -z -c --format=LOG_FORMAT` printed (newest
# first) for: a merge that resolved a conflict, an approval, a change, a root commit.
CANNED = b"".join([
    header(C, f"{P1} {P2}", "Merge branch 'fix'\n"), b"\0\n",
    raw(f"::100644 100644 100644 {B1} {B2} {B3} MM", PATH),
    header(B, P1, "Approve CC-2026-0001 (approve)\n\nApproval: approve\nRecord: CC-2026-0001\n"
           f"Record-Blob: {B2}\n", who="孙立", email="sun@x"), b"\0",
    header(P1, A, "Change the part name\n\nBecause the customer said so.\n"), b"\0\n",
    raw(f":100644 100644 {B1} {B2} M", PATH),
    raw(f":100644 100644 {B1} {B2} M", "qmsdoc.yaml"),
    header(A, "", "New complaint\n"), b"\0\n",
    raw(f":000000 100644 {ZERO} {B1} A", PATH),
    raw(f":000000 100644 {ZERO} {B1} A", "README.md"),
])


def test_parse_log_reads_every_commit_in_order() -> None:
    commits = parse_log(CANNED, under="records/")
    assert [c.id for c in commits] == [C, B, P1, A]
    merge, approval, change, root = commits
    assert merge.parents == (P1, P2)
    assert merge.files == (FileChange("MM", PATH, B1, B3),)
    assert approval.files == ()
    assert approval.committer == Ident("孙立", "sun@x", "2026-11-03T10:00:00+08:00")
    assert approval.trailers == (("Approval", "approve"), ("Record", "CC-2026-0001"),
                                 ("Record-Blob", B2))
    assert change.subject == "Change the part name"
    assert change.files == (FileChange("M", PATH, B1, B2),)  # qmsdoc.yaml is not a record
    assert root.parents == ()
    assert root.files == (FileChange("A", PATH, ZERO, B1),)


def test_parse_log_without_a_filter_keeps_every_file() -> None:
    root = parse_log(CANNED)[-1]
    assert [f.path for f in root.files] == [PATH, "README.md"]


def test_parse_log_strips_the_prefix_of_a_subfolder_repository() -> None:
    data = header(A, "", "x\n") + b"\0\n" + raw(f":000000 100644 {ZERO} {B1} A", "qms/" + PATH) \
        + raw(f":000000 100644 {ZERO} {B1} A", PATH)
    [commit] = parse_log(data, prefix="qms/", under="records/")
    assert commit.files == (FileChange("A", PATH, ZERO, B1),)


def test_parse_log_keeps_odd_characters_of_messages() -> None:
    message = "Subject with : colon\n\n\x1e not a commit start\nRecord: in the body\n"
    [commit] = parse_log(header(A, "", message) + b"\0")
    assert commit.message == message
    assert commit.trailers == ()  # the last paragraph has a line that is not a trailer


def test_parse_log_of_nothing() -> None:
    assert parse_log(b"") == []


def test_commit_subject_strips_the_first_line() -> None:
    ident = Ident("a", "b", "c")
    assert Commit(A, (), ident, ident, "  Fix  \nmore").subject == "Fix"


def test_parse_trailers() -> None:
    assert parse_trailers("Subject\n\nApproval: review\nRecord:  CC-1 \n") == (
        ("Approval", "review"), ("Record", "CC-1"))
    assert parse_trailers("Approval: review\n") == ()  # a subject is not a trailer block
    assert parse_trailers("S\n\nbody\n\nApproval: review\nnot a trailer\n") == ()
    assert parse_trailers("S\n\nNote: a long\n  folded value\n") == (("Note", "a long folded value"),)
    assert parse_trailers("S\n\nApproval: review\n\nSigned-off-by: X <x@y>\n") == (
        ("Signed-off-by", "X <x@y>"),)  # only the last paragraph counts


def test_parse_signatures() -> None:
    data = (f"{A}\0G\0SHA256:abc\0SHA256:abc\0sun@x\0\n"
            f"{B}\0N\0\0\0\0\n{C}\0U\0ABCD\0FFFFABCD\0\0\n").encode()
    assert parse_signatures(data) == {
        A: SigCheck("G", "SHA256:abc", "SHA256:abc", "sun@x"),
        B: SigCheck("N", "", "", ""),
        C: SigCheck("U", "ABCD", "FFFFABCD", ""),
    }


def test_parse_status() -> None:
    data = (f" M {PATH}\0?? records/8d/2026/8D-2026-0001.yaml\0A  sub/records/x.yaml\0").encode()
    assert parse_status(data) == {PATH, "records/8d/2026/8D-2026-0001.yaml",
                                  "sub/records/x.yaml"}
    assert parse_status(data, prefix="sub/") == {"records/x.yaml"}


def test_parse_tree() -> None:
    data = (f"100644 blob {B1}\t{PATH}\x00040000 tree {B2}\trecords/8d\0"
            f"160000 commit {B3}\trecords/sub\0").encode()
    assert parse_tree(data) == {PATH: B1}


def test_timelines_put_each_approval_after_the_changes_it_follows() -> None:
    commits = parse_log(CANNED, under="records/")[::-1]  # oldest first
    [timeline] = timelines(commits).values()
    assert timeline.record_id == "CC-2026-0001" and timeline.path == PATH
    kinds = [type(e).__name__ for e in timeline.events]
    assert kinds == ["ChangeEvent", "ChangeEvent", "ApprovalEvent", "ChangeEvent"]
    approval = timeline.events[2]
    assert isinstance(approval, ApprovalEvent)
    assert (approval.action, approval.blob, approval.path, approval.problems) == (
        "approve", B2, PATH, ())


def test_approval_of_reports_malformed_trailers() -> None:
    ident = Ident("a", "b", "c")
    assert approval_of(Commit(A, (), ident, ident, "Approve everything\n")) is None
    message = "Approve\n\nApproval: approve\nApproval: review\nRecord-Blob: xyz\n"
    event = approval_of(Commit(A, (), ident, ident, message,
                               (FileChange("M", PATH, B1, B2),)))
    assert event is not None and event.record_id == ""
    assert event.problems == (
        "malformed approval: the 'Approval' trailer must appear exactly once",
        "malformed approval: the 'Record' trailer must appear exactly once",
        "malformed approval: 'Record-Blob: xyz' is not a full blob id",
        f"an approval commit must change no file, this one changes {PATH}",
    )


def test_record_id_of() -> None:
    assert record_id_of(PATH) == "CC-2026-0001"
    assert record_id_of("records/special-requirements/CSR-HX.yml") == "CSR-HX"
    assert record_id_of("records/attachments/CC-2026-0001/photo.png") is None
    assert record_id_of("qmsdoc.yaml") is None


def test_parse_batch_reads_contents_and_skips_missing_objects() -> None:
    from qmsdoc.git.log import parse_batch

    data = (b"aaa blob 5\nhello\n"
            b"bbb missing\n"
            b"ccc blob 0\n\n"
            b"ddd blob 3\na\nb\n")
    assert parse_batch(data) == {"aaa": b"hello", "ccc": b"", "ddd": b"a\nb"}
