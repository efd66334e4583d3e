#!/usr/bin/env python3
"""Check a qmsdoc audit pack with nothing but Python's standard library.

    python3 verify_pack.py                      # the pack this file was unpacked with
    python3 verify_pack.py PACK.zip             # or a pack still zipped, or its folder
    python3 verify_pack.py PACK.zip --repo CLONE

Every file of the pack is checked against MANIFEST.json (SHA-256 and size): each altered,
missing or extra file is named. With --repo, a clone of the records repository (git must
be installed) is checked too: the commit the pack was made from, every release commit and
every review and approval are in its history, each approval commit names the record and
its content (Record, Record-Blob), every file taken from git is that blob at that path in
that commit, and every release anchor (tag release/<ID>/<letter>) is the one the pack
lists.

Exit 0: everything matches; 1: something does not (each finding on its own line);
2: the pack or the clone cannot be read.

This file is part of the pack and listed in its manifest; MANIFEST.json's own SHA-256 is
printed, to compare with the one the company gave with the pack.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from typing import IO, Any

MANIFEST = "MANIFEST.json"
FORMAT = "qmsdoc-audit-pack/1"


class Unreadable(Exception):
    """The pack or the clone cannot be read at all (exit 2)."""


class Entry:
    """One file of the pack: its SHA-256 and size (read in chunks: a huge file is never held
    whole), and a way to read it when a clone must hash it as a git blob."""

    def __init__(self, sha256: str, size: int, read: Callable[[], bytes]) -> None:
        self.sha256, self.size, self.read = sha256, size, read


def _digest(handle: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def unsafe(name: str) -> bool:
    """A zip name that would be written outside the folder it is unpacked into."""
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1
                                                              and name[1] == ":")


def read_pack(location: str) -> tuple[dict[str, Entry], list[str]]:
    """Path inside the pack → its entry, from a zip file or an unpacked folder; and a line
    for each unsafe or repeated name of a zip."""
    if os.path.isfile(location):
        return _read_zip(location)
    if not os.path.isdir(location):
        raise Unreadable(f"{location}: no such file or folder")
    files: dict[str, Entry] = {}
    for folder, dirs, names in os.walk(location):
        dirs.sort()
        for name in sorted(names):
            full = os.path.join(folder, name)
            rel = os.path.relpath(full, location).replace(os.sep, "/")
            if rel.startswith("__pycache__/") or "/__pycache__/" in rel:
                continue  # what running this file from the folder may leave
            with open(full, "rb") as handle:
                digest, size = _digest(handle)
            files[rel] = Entry(digest, size, _file_reader(full))
    return files, []


def _file_reader(path: str) -> Callable[[], bytes]:
    def read() -> bytes:
        with open(path, "rb") as handle:
            return handle.read()
    return read


def _read_zip(location: str) -> tuple[dict[str, Entry], list[str]]:
    files: dict[str, Entry] = {}
    warnings: list[str] = []
    try:
        with zipfile.ZipFile(location) as pack:
            infos = pack.infolist()
            for info in infos:
                if info.is_dir():
                    continue
                if unsafe(info.filename):
                    warnings.append(f"unsafe: {info.filename} (a name outside the pack's "
                                    "folder: do not unpack this zip)")
                    continue
                if info.filename in files:
                    warnings.append(f"duplicate: {info.filename} (twice in the zip: which "
                                    "one an unzip program keeps is not defined)")
                    continue
                with pack.open(info) as handle:
                    digest, size = _digest(handle)
                files[info.filename] = Entry(digest, size, _zip_reader(location, info.filename))
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError,
            NotImplementedError) as exc:
        raise Unreadable(f"{location}: not a readable zip file ({exc})") from None
    return files, sorted(warnings)


def _zip_reader(location: str, name: str) -> Callable[[], bytes]:
    def read() -> bytes:
        with zipfile.ZipFile(location) as pack:
            return pack.read(name)
    return read


def load_manifest(files: dict[str, Entry]) -> dict[str, Any]:
    if MANIFEST not in files:
        raise Unreadable(f"{MANIFEST} is missing: this is not a qmsdoc audit pack, or its "
                         "manifest was removed")
    try:
        manifest = json.loads(files[MANIFEST].read().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Unreadable(f"{MANIFEST} is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise Unreadable(f"{MANIFEST}: not a manifest of format {FORMAT}")
    _shape(manifest)
    return manifest


def _texts(where: str, data: Any, *keys: str) -> None:
    if not isinstance(data, dict):
        raise Unreadable(f"{MANIFEST}: {where} is not an object")
    for key in keys:
        if not isinstance(data.get(key), str):
            raise Unreadable(f"{MANIFEST}: {where}.{key} is not a text")


def _ids(where: str, data: dict[str, Any], *keys: str) -> None:
    """Git object ids (40 or 64 hex digits): nothing else reaches git's command line."""
    for key in keys:
        value = data[key]
        if len(value) not in (40, 64) or value.strip("0123456789abcdef"):
            raise Unreadable(f"{MANIFEST}: {where}.{key} is not a git object id")


def _list(where: str, data: Any) -> list[Any]:
    if not isinstance(data, list):
        raise Unreadable(f"{MANIFEST}: {where} is not a list")
    return data


def _shape(manifest: dict[str, Any]) -> None:
    """What the checks read, of the types they read it as: a manifest edited by hand or
    made by something else is refused with the place it goes wrong (exit 2)."""
    _texts("repository", manifest.get("repository"), "commit")
    _ids("repository", manifest["repository"], "commit")
    for n, entry in enumerate(_list("files", manifest.get("files"))):
        if not (isinstance(entry, dict) and isinstance(entry.get("path"), str)
                and isinstance(entry.get("sha256"), str)
                and type(entry.get("size")) is int):
            raise Unreadable(f"{MANIFEST}: files[{n}] is not an entry with a path, sha256 "
                             "and size")
        if "git" in entry:
            _texts(f"files[{n}].git", entry["git"], "blob", "commit", "path")
            _ids(f"files[{n}].git", entry["git"], "blob", "commit")
    for n, record in enumerate(_list("records", manifest.get("records", []))):
        where = f"records[{n}]"
        _texts(where, record, "id")
        release = record.get("release")
        if release is None:
            continue
        _texts(f"{where}.release", release, "revision", "commit", "blob")
        _ids(f"{where}.release", release, "commit", "blob")
        for m, approval in enumerate(_list(f"{where}.release.approvals",
                                           release.get("approvals", []))):
            _texts(f"{where}.release.approvals[{m}]", approval, "action", "commit")
            _ids(f"{where}.release.approvals[{m}]", approval, "commit")
        for m, name in enumerate(_list(f"{where}.release.files", release.get("files", []))):
            if not isinstance(name, str):
                raise Unreadable(f"{MANIFEST}: {where}.release.files[{m}] is not a text")
        if release.get("anchor") is not None:
            _texts(f"{where}.release.anchor", release["anchor"], "tag", "object")
            _ids(f"{where}.release.anchor", release["anchor"], "object")
    ledger = manifest.get("ledger", {})
    if not isinstance(ledger, dict):
        raise Unreadable(f"{MANIFEST}: ledger is not an object")
    for n, head in enumerate(_list("ledger.heads", ledger.get("heads", []))):
        _texts(f"ledger.heads[{n}]", head, "tag", "digest")


def check_files(files: dict[str, Entry], manifest: dict[str, Any]) -> list[str]:
    """One line per altered, missing or extra file."""
    problems = []
    listed: dict[str, Any] = {}
    for entry in manifest.get("files", []):
        listed[entry["path"]] = entry
    for path in sorted(listed):
        entry = listed[path]
        if path not in files:
            problems.append(f"missing: {path}")
            continue
        digest = files[path].sha256
        if digest != entry["sha256"] or files[path].size != entry["size"]:
            problems.append(f"altered: {path} (SHA-256 {digest[:16]}…, the manifest says "
                            f"{entry['sha256'][:16]}…)")
    for path in sorted(set(files) - set(listed) - {MANIFEST}):
        problems.append(f"extra: {path} (not in {MANIFEST})")
    return problems


class Git:
    def __init__(self, clone: str) -> None:
        self.clone = clone
        try:
            out = self.run("rev-parse", "--is-inside-work-tree", "--git-dir")
        except OSError:
            raise Unreadable("git is not installed: --repo needs it") from None
        if out is None:
            raise Unreadable(f"{clone}: not a git repository")

    def run(self, *args: str, data: bytes | None = None) -> str | None:
        # replace refs (git replace) would show other objects than the history holds
        env = dict(os.environ, LC_ALL="C", GIT_TERMINAL_PROMPT="0", GIT_NO_REPLACE_OBJECTS="1")
        proc = subprocess.run(["git", "-C", self.clone, *args], input=data,
                              capture_output=True, env=env, check=False)
        if proc.returncode != 0:
            return None
        return proc.stdout.decode("utf-8", "surrogateescape")

    def kind(self, oid: str) -> str:
        return (self.run("cat-file", "-t", oid) or "").strip()

    def on_branch(self, commit: str) -> bool:
        """Whether a branch (local or remote-tracking) of the clone holds ``commit``: old
        commits a rewrite left behind (refs/original, tags, the reflog) do not count."""
        out = self.run("for-each-ref", "--count=1", "--format=%(refname)",
                       f"--contains={commit}", "refs/heads/", "refs/remotes/")
        return bool(out and out.strip())


def _trailers(message: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in message.splitlines():
        key, sep, value = line.partition(":")
        if sep and key and " " not in key:
            found.setdefault(key.lower().strip(), value.strip())
    return found


def check_repository(files: dict[str, Entry], manifest: dict[str, Any],
                     git: Git) -> list[str]:
    """One line per commit, blob, approval or anchor of the manifest that the clone does
    not hold as listed, and per released record whose packed files are not what its
    release anchor in the clone names."""
    problems: list[str] = []
    head = manifest["repository"]["commit"]
    if git.kind(head) != "commit" or not git.on_branch(head):
        problems.append(f"commit {head}: the pack was made from it; no branch of the clone "
                        "holds it (history rewritten, or the clone is not up to date)")
    for record in manifest.get("records", []):
        rid = record["id"]
        release = record.get("release")
        if not release:
            continue
        commit = release["commit"]
        if git.kind(commit) != "commit" or not git.on_branch(commit):
            problems.append(f"{rid} {release['revision']}: release commit {commit} is not in "
                            "the history of the clone")
        for approval in release.get("approvals", []):
            problems.extend(_approval(git, rid, release, approval))
        anchor = release.get("anchor")
        if anchor:
            problems.extend(_anchor(git, rid, anchor))
        problems.extend(_released_files(git, manifest, record))
        problems.extend(_later_releases(git, rid, release, head))
    for head_entry in manifest.get("ledger", {}).get("heads", []):
        problems.extend(_ledger_head(git, head_entry))
    for entry in manifest["files"]:
        source = entry.get("git")
        if not source:
            continue
        path = entry["path"]
        found = (git.run("rev-parse", "-q", "--verify",
                         f"{source['commit']}:{source['path']}") or "").strip()
        if found != source["blob"]:
            problems.append(f"{path}: {source['path']} in commit {source['commit'][:12]} is "
                            f"{'blob ' + found[:12] if found else 'missing'} in the clone, the "
                            f"manifest says blob {source['blob'][:12]}")
            continue
        if path in files:
            oid = (git.run("hash-object", "--stdin", data=files[path].read()) or "").strip()
            if oid != source["blob"]:
                problems.append(f"{path}: its git blob id is {oid[:12]}, not the released "
                                f"blob {source['blob'][:12]}")
    return problems


def _anchor_content(git: Git, anchor: dict[str, Any] | None) -> dict[str, str] | None:
    """Git path → blob of what the clone's release anchor says was released (the record
    file and each attachment); None without an anchor the clone holds as listed."""
    if not anchor:
        return None
    found = (git.run("rev-parse", "-q", "--verify", f"refs/tags/{anchor['tag']}") or "").strip()
    if found != anchor["object"]:
        return None  # _anchor names it
    text = git.run("cat-file", "tag", found) or ""
    content: dict[str, str] = {}
    trailers = _trailers(text.split("\n\n", 1)[-1])
    if trailers.get("path") and trailers.get("record-blob"):
        content[trailers["path"]] = trailers["record-blob"]
    for line in text.splitlines():
        if line.startswith("Attachment: "):
            blob, _, path = line[len("Attachment: "):].strip().partition(" ")
            if blob.strip("0"):  # all zeros: listed by the record, not in the commit
                content[path] = blob
    content["\0commit"] = trailers.get("commit", "")
    return content


def _released_files(git: Git, manifest: dict[str, Any], record: dict[str, Any]) -> list[str]:
    """Every file of the record's folder comes from git, from the release commit, and is
    what the release anchor in the clone names; nothing the anchor names is left out."""
    rid, release = record["id"], record["release"]
    what = f"{rid} {release['revision']}"
    commit, blob = release["commit"], release["blob"]
    prefix = f"records/{rid}/files/"
    problems: list[str] = []
    anchored = _anchor_content(git, release.get("anchor"))
    if anchored is not None:
        tag = release["anchor"]["tag"]
        named = anchored.pop("\0commit")
        if named != commit:
            problems.append(f"{what}: the anchor {tag} in the clone names commit "
                            f"{named[:12]}, not the release commit {commit[:12]} of the pack")
    packed: dict[str, str] = {}
    for entry in manifest["files"]:
        path, source = entry["path"], entry.get("git")
        if not path.startswith(prefix):
            continue
        if not source:
            problems.append(f"{path}: a file of {what} without its git source in "
                            f"{MANIFEST} (it cannot be checked against the clone)")
            continue
        packed[source["path"]] = source["blob"]
        record_file = source["path"] == record.get("path") or source["blob"] == blob
        if source["commit"] != commit or (record_file and source["blob"] != blob):
            problems.append(f"{path}: taken from commit {source['commit'][:12]} (blob "
                            f"{source['blob'][:12]}), but {what} was released in commit "
                            f"{commit[:12]} as blob {blob[:12]}")
        elif anchored is not None and anchored.get(source["path"]) != source["blob"]:
            problems.append(f"{path}: {source['path']} blob {source['blob'][:12]} is not "
                            f"what the anchor {release['anchor']['tag']} released")
    if anchored is not None:
        for path, wanted in sorted(anchored.items()):
            if packed.get(path) is None:
                kind = "the record file" if wanted == blob else "attachment"
                problems.append(f"{what}: {kind} {path} (blob {wanted[:12]}) of the anchor "
                                f"{release['anchor']['tag']} is not in the pack")
    elif blob not in packed.values():
        problems.append(f"{what}: the released record (blob {blob[:12]}) is not in the pack")
    return problems


def _later_releases(git: Git, rid: str, release: dict[str, Any], head: str) -> list[str]:
    """A release of the record after the packed one and before the pack's commit: the pack
    claims to be of a state in which an older revision was the released one."""
    out = git.run("for-each-ref", "--format=%(refname:strip=2) %(*objectname)",
                  f"refs/tags/release/{rid}/") or ""
    commit = release["commit"]
    problems = []
    for line in out.splitlines():
        tag, _, target = line.partition(" ")
        if not target or target == commit:
            continue
        if (git.run("merge-base", "--is-ancestor", commit, target) is not None
                and git.run("merge-base", "--is-ancestor", target, head) is not None):
            problems.append(f"{rid} {release['revision']}: {tag} (commit {target[:12]}) was "
                            f"released after it and before the pack's commit {head[:12]}: "
                            "the pack does not hold the released revision")
    return problems


def _approval(git: Git, rid: str, release: dict[str, Any],
              approval: dict[str, Any]) -> list[str]:
    commit = approval["commit"]
    what = f"{rid} {release['revision']}: {approval['action']} {commit[:12]}"
    if git.kind(commit) != "commit":
        return [f"{what} by {approval.get('name', '')}: no such commit in the clone"]
    if not git.on_branch(commit):
        return [f"{what}: no branch of the clone holds it (history rewritten?)"]
    message = git.run("log", "-1", "--format=%B", commit) or ""
    trailers = _trailers(message)
    wanted = {"approval": approval["action"], "record": rid, "record-blob": release["blob"]}
    wrong = [f"{key}: {trailers.get(key, '(none)')}" for key, value in wanted.items()
             if trailers.get(key) != value]
    if wrong:
        return [f"{what}: the commit does not approve this content ({'; '.join(wrong)})"]
    return []


def _anchor(git: Git, rid: str, anchor: dict[str, Any]) -> list[str]:
    tag = anchor["tag"]
    found = (git.run("rev-parse", "-q", "--verify", f"refs/tags/{tag}") or "").strip()
    if not found:
        return [f"{rid}: release anchor {tag} is missing in the clone (git fetch --tags)"]
    if found != anchor["object"]:
        return [f"{rid}: release anchor {tag} is tag object {found[:12]} in the clone, the "
                f"manifest says {anchor['object'][:12]} (the anchor was replaced)"]
    return []


def anchor_digest(tag_object: str) -> str:
    """The ledger digest of a release anchor: SHA-256 of its message without the signature
    and the time-stamp token (``git cat-file tag`` output)."""
    message = tag_object.split("\n\n", 1)[1] if "\n\n" in tag_object else ""
    kept = []
    for line in message.splitlines(keepends=True):
        if line.startswith("-----BEGIN "):
            break
        if not line.startswith("Timestamp-Token:"):
            kept.append(line)
    return hashlib.sha256("".join(kept).encode("utf-8")).hexdigest()


def _ledger_head(git: Git, head: dict[str, Any]) -> list[str]:
    """The ledger's head when the pack was made must still be in the clone: a ledger that
    lost its newest entries shows here, whatever the clone's own tags say."""
    tag, digest = head["tag"], head["digest"]
    text = git.run("cat-file", "tag", f"refs/tags/{tag}")
    if text is None:
        return [f"ledger head {tag} (entry {digest[:12]}) when the pack was made is missing in "
                "the clone: the ledger lost entries"]
    if anchor_digest(text) != digest:
        return [f"ledger head {tag}: the clone's anchor is entry {anchor_digest(text)[:12]}, "
                f"the pack recorded {digest[:12]}: the ledger was rewritten"]
    return []


def shown(line: str) -> str:
    """A line with the control characters a hostile name may carry written as escapes: no
    name of the pack moves the auditor's cursor or retitles their terminal."""
    return "".join(c if c.isprintable() or c == " " else
                   (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
                   for c in line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Check a qmsdoc audit pack against its MANIFEST.json and, with --repo, "
                    "against a clone of the records repository.")
    parser.add_argument("pack", nargs="?", default=os.path.dirname(os.path.abspath(__file__)),
                        help="the pack: a .zip or the folder it was unpacked into "
                             "[default: this file's folder]")
    parser.add_argument("--repo", metavar="CLONE", help="a clone of the records repository")
    args = parser.parse_args(argv)
    try:
        files, warnings = read_pack(args.pack)
        manifest = load_manifest(files)
        problems = warnings + check_files(files, manifest)
        if args.repo:
            problems += check_repository(files, manifest, Git(args.repo))
    except Unreadable as exc:
        print(shown(f"verify_pack: {exc}"), file=sys.stderr)
        return 2
    for line in problems:
        print(shown(line))
    own = files[MANIFEST].sha256
    count = len(manifest.get("files", []))
    records = len(manifest.get("records", []))
    checked = " and the clone" if args.repo else ""
    if problems:
        print(f"FAILED: {len(problems)} problem(s) in {count} file(s) of {records} record(s)"
              f"{checked}; MANIFEST.json SHA-256 {own}")
        return 1
    print(f"OK: {count} file(s) of {records} record(s) match the manifest{checked}; "
          f"MANIFEST.json SHA-256 {own}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
