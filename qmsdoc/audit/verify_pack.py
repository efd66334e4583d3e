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
from typing import Any

MANIFEST = "MANIFEST.json"
FORMAT = "qmsdoc-audit-pack/1"


class Unreadable(Exception):
    """The pack or the clone cannot be read at all (exit 2)."""


def read_pack(location: str) -> dict[str, bytes]:
    """Path inside the pack → content, from a zip file or an unpacked folder."""
    if os.path.isfile(location):
        try:
            with zipfile.ZipFile(location) as pack:
                return {i.filename: pack.read(i) for i in pack.infolist() if not i.is_dir()}
        except (zipfile.BadZipFile, OSError) as exc:
            raise Unreadable(f"{location}: not a readable zip file ({exc})") from None
    if not os.path.isdir(location):
        raise Unreadable(f"{location}: no such file or folder")
    files: dict[str, bytes] = {}
    for folder, dirs, names in os.walk(location):
        dirs.sort()
        for name in sorted(names):
            full = os.path.join(folder, name)
            rel = os.path.relpath(full, location).replace(os.sep, "/")
            if rel.startswith("__pycache__/") or "/__pycache__/" in rel:
                continue  # what running this file from the folder may leave
            with open(full, "rb") as handle:
                files[rel] = handle.read()
    return files


def load_manifest(files: dict[str, bytes]) -> dict[str, Any]:
    if MANIFEST not in files:
        raise Unreadable(f"{MANIFEST} is missing: this is not a qmsdoc audit pack, or its "
                         "manifest was removed")
    try:
        manifest = json.loads(files[MANIFEST].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Unreadable(f"{MANIFEST} is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise Unreadable(f"{MANIFEST}: not a manifest of format {FORMAT}")
    return manifest


def check_files(files: dict[str, bytes], manifest: dict[str, Any]) -> list[str]:
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
        digest = hashlib.sha256(files[path]).hexdigest()
        if digest != entry["sha256"] or len(files[path]) != entry["size"]:
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
        env = dict(os.environ, LC_ALL="C", GIT_TERMINAL_PROMPT="0")
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


def check_repository(files: dict[str, bytes], manifest: dict[str, Any],
                     git: Git) -> list[str]:
    """One line per commit, blob, approval or anchor of the manifest that the clone does
    not hold as listed."""
    problems: list[str] = []
    head = manifest.get("repository", {}).get("commit", "")
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
    for head_entry in manifest.get("ledger", {}).get("heads", []):
        problems.extend(_ledger_head(git, head_entry))
    for entry in manifest.get("files", []):
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
            oid = (git.run("hash-object", "--stdin", data=files[path]) or "").strip()
            if oid != source["blob"]:
                problems.append(f"{path}: its git blob id is {oid[:12]}, not the released "
                                f"blob {source['blob'][:12]}")
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
        files = read_pack(args.pack)
        manifest = load_manifest(files)
        problems = check_files(files, manifest)
        if args.repo:
            problems += check_repository(files, manifest, Git(args.repo))
    except Unreadable as exc:
        print(f"verify_pack: {exc}", file=sys.stderr)
        return 2
    for line in problems:
        print(line)
    own = hashlib.sha256(files[MANIFEST]).hexdigest()
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
