"""The validation pipeline: read every record, check its schema and rules, then the rules
between records; never stop at the first bad file.

Reading and schema checks dominate the cost; above a few hundred files they run in
worker processes, in chunks, and only each record's small RecordFacts come back.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import collector, parallel, runlimits
from ..config import Config
from ..findings import Finding, Location, error
from ..i18n import _
from ..kinds import NAMES
from ..records import attachments
from ..records.files import RECORDS_DIR, Record, read, read_with_status
from ..schema import SchemaStore
from . import checkcache, crossref, factcache, yaml12
from . import record as checks

PARALLEL_MIN_FILES = 400
CHUNK = 200

Progress = Callable[[int], None]


@dataclass
class ValidationReport:
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    # complaint id → (the earlier complaint it repeats, days between): the one repeat rule,
    # printed on the forms (重复发生)
    repeats: dict[str, tuple[str, int]] = field(default_factory=dict)
    read: int = 0  # record files read (with the facts cache, the others were not opened)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.is_error)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    def invalid_paths(self) -> set[str]:
        return {f.location.path for f in self.findings if f.is_error}


@dataclass(frozen=True)
class Checked:
    path: str
    findings: tuple[Finding, ...]
    facts: crossref.RecordFacts | None
    blob: str = ""  # the file's git blob id; "" when it could not be read
    # the check cache's entry (``checkcache.entry``), made where it was checked; b"": none
    kept: bytes = b""


class Checker:
    """Checks one file at a time against the schemas and per-record rules."""

    def __init__(self, repo: Path, config: Config, store: SchemaStore, *,
                 keep: bool = False) -> None:
        self.repo, self.config, self.store = repo, config, store
        self.keep = keep  # each record's check-cache entry made too (``Checked.kept``)
        self.max_attachment = runlimits.from_config(config.data).max_attachment_bytes
        # folders resolved once per run
        self.places = attachments.Places(repo, self.max_attachment)
        checks.prepare(config, store)

    def check(self, path: Path | str, *, facts: bool = True) -> tuple[Checked, Record | None]:
        """One file read and checked; without ``facts``, its facts for the rules between
        records are not taken (``render`` judged those already). Its blob id always is: it
        says whether the content read is the one git's states were taken for."""
        status = None
        if self.keep:  # the status of the file read: its check-cache entry's stamp
            loaded, status = read_with_status(self.repo, path, self.config.limits, blob=True)
        else:
            loaded = read(self.repo, path, self.config.limits, blob=True)
        if not isinstance(loaded, Record):
            return Checked(loaded.location.path, (loaded,), None), None
        return self.check_record(loaded, facts=facts, status=status), loaded

    def facts_only(self, path: Path | str) -> Checked:
        """A file read only for the rules between records (context): its facts, no checks."""
        loaded = read(self.repo, path, self.config.limits, blob=True)
        if not isinstance(loaded, Record):
            return Checked(loaded.location.path, (), None)
        return Checked(loaded.path, (), crossref.facts(loaded), loaded.blob)

    def check_record(self, loaded: Record, *, facts: bool = True,
                     status: os.stat_result | None = None) -> Checked:
        """The checks of one record already read (``import`` checks records not yet written
        exactly as ``validate`` checks files); with the ``status`` of its file (and
        ``keep``), its check-cache entry too."""
        found: list[Finding] = []
        kind = loaded.kind if loaded.kind in NAMES else loaded.folder_kind
        if kind is None:
            line, column = loaded.doc.position([])
            found.append(error("schema", "/kind", Location(loaded.path, line, column),
                               _("'kind' is a required field (one of: {kinds})")
                               .format(kinds=", ".join(NAMES))))
        else:
            found.extend(self.store.findings(kind, loaded.doc, loaded.path))
        found.extend(checks.run(loaded, self.config, self.store))
        found.extend(yaml12.findings(loaded.path, loaded.doc))
        own = len(found)
        named = attachments.named_paths(loaded)
        found.extend(attachments.check(loaded, self.repo, self.max_attachment, self.places,
                                       named))
        kept = checkcache.entry(status, loaded.blob, found[:own], named) if self.keep else b""
        return Checked(loaded.path, tuple(found), crossref.facts(loaded) if facts else None,
                       loaded.blob, kept)


_worker: Checker | None = None
# the parent's store while its pool starts: a forked worker keeps what the parent already
# bundled and compiled (the deadline rules' check bundles every kind's schema) instead of
# doing it again; a spawned worker, which imports this module afresh, makes its own
_inherited: SchemaStore | None = None


def _init_worker(repo: Path, config: Config, schema_dir: Path | None,
                 keep: bool = False) -> None:
    global _worker
    # the parent paused its collector while it gathers the results; a worker keeps its own
    # (a hostile file read by libyaml may leave cycles behind)
    gc.enable()
    store = _inherited
    if store is None or store.override_dir != schema_dir:
        store = SchemaStore(schema_dir)
    _worker = Checker(repo, config, store, keep=keep)


@contextlib.contextmanager
def _lent(store: SchemaStore) -> Iterator[None]:
    """``store`` inherited by the workers forked inside the block."""
    global _inherited
    _inherited = store
    try:
        yield
    finally:
        _inherited = None


def _check_chunk(task: tuple[Sequence[str], int]) -> list[Checked]:
    """The first ``checks`` paths checked, the others (context) read for their facts."""
    assert _worker is not None
    paths, checks = task
    return [_portable(_worker.check(p)[0] if i < checks else _worker.facts_only(p), _worker)
            for i, p in enumerate(paths)]


def _portable(checked: Checked, checker: Checker) -> Checked:
    """What a worker sends back, small: its findings' positions looked up here, and the
    facts' positions to be looked up (by reading that one file) only if a rule between
    records reports one; otherwise every location would carry the record's text along."""
    for finding in checked.findings:
        finding.location.line  # noqa: B018 - looked up now, in the worker
    facts = checked.facts
    if facts is None:
        return checked
    # the facts were made just now, for this result alone: their locations (not yet looked
    # up) are pointed at the file instead of the text, in place
    source = factcache.Reread(checker.repo, facts.path, checker.config.limits)
    facts.id_location.look_up_in(source)
    if facts.received_location is not None:
        facts.received_location.look_up_in(source)
    for ref in facts.refs:
        ref.location.look_up_in(source)
    return checked


def _check_chunk_keeping(task: tuple[Sequence[Path | str], int]
                         ) -> list[tuple[Checked, Record | None]]:
    """As ``_check_chunk``, with the records read of the first ``keep`` paths (sent back, so
    that a caller that renders them does not read them again)."""
    assert _worker is not None
    paths, keep = task
    return [_worker.check(p) if i < keep else (_portable(_worker.facts_only(p), _worker), None)
            for i, p in enumerate(paths)]


def validate(
    repo: Path,
    config: Config,
    store: SchemaStore,
    paths: Sequence[Path | str],
    *,
    context: Sequence[Path | str] = (),
    keep_records: bool = False,
    jobs: int | None = None,
    progress: Progress | None = None,
    known: Sequence[crossref.RecordFacts] = (),
    cache: factcache.FactCache | None = None,
    settled: Sequence[Checked] = (),
    keeper: checkcache.CheckCache | None = None,
) -> ValidationReport:
    """Check ``paths``; ``context`` files are read only for the rules between records, and
    ``known`` are the facts of records not read (from the cache). The facts of every file
    read go into ``cache``. ``settled``: records checked already (from the check cache),
    counted as checked, their facts among the rules between records'; the own findings of
    the ``paths`` checked go into ``keeper``. (Paths may be text: a Path per file costs
    more than listing.)"""
    with collector.paused():  # the results hold no cycles
        return _validate(repo, config, store, paths, context, keep_records, jobs, progress,
                         known, cache, settled, keeper)


def _validate(repo: Path, config: Config, store: SchemaStore, paths: Sequence[Path | str],
              context: Sequence[Path | str], keep_records: bool, jobs: int | None,
              progress: Progress | None, known: Sequence[crossref.RecordFacts],
              cache: factcache.FactCache | None, settled: Sequence[Checked] = (),
              keeper: checkcache.CheckCache | None = None) -> ValidationReport:
    report = ValidationReport()
    checked: list[Checked] = []
    named = set(paths)
    all_paths = [*paths, *[p for p in context if p not in named]]
    jobs = jobs or parallel.jobs_default()
    if len(all_paths) >= PARALLEL_MIN_FILES and jobs > 1 and keep_records:
        kept = _parallel_keeping(repo, config, store, all_paths, len(paths), jobs, progress)
        checked = [c for c, _ in kept]
        report.records = [r for _, r in kept if r is not None]
    elif len(all_paths) >= PARALLEL_MIN_FILES and jobs > 1:
        checked = _parallel(repo, config, store, all_paths, len(paths), jobs, progress, cache,
                            keeper is not None)
        cache = None  # the facts went in while the workers went on
    else:
        checker = Checker(repo, config, store, keep=keeper is not None)
        for i, path in enumerate(all_paths):
            result, record = checker.check(path) if i < len(paths) \
                else (checker.facts_only(path), None)
            checked.append(result)
            if record is not None and keep_records:
                report.records.append(record)
            if progress:
                progress(1)
    if keeper is not None:
        _keep(keeper, checked[: len(paths)])
    report.read = len(checked)
    if cache is not None:
        _remember(cache, checked)
    checked[len(paths):len(paths)] = settled
    targets = {c.path for c in checked[: len(paths) + len(settled)]}
    for result in checked[: len(paths) + len(settled)]:
        report.findings.extend(result.findings)
    all_facts = [*(c.facts for c in checked if c.facts is not None), *known]
    repeated = crossref.complaint_repeats(all_facts, config)
    report.findings.extend(crossref.check(all_facts, config, frozenset(targets), repeated))
    report.repeats = {later.id: (earlier.id, days) for earlier, later, days in repeated}
    report.findings.sort(key=Finding.sort_key)
    report.checked = len(paths) + len(settled)
    if keep_records:
        report.records = [r for r in report.records if r.path in targets]
    return report


def _keep(keeper: checkcache.CheckCache, results: Sequence[Checked]) -> None:
    """The own findings of records just checked, for the next run (those read as records)."""
    for result in results:
        if result.kept:
            keeper.put(result.path, result.kept)


def _remember(cache: factcache.FactCache, results: Sequence[Checked]) -> None:
    for result in results:
        if result.blob:
            cache.put(result.blob, result.facts)


def _parallel(repo: Path, config: Config, store: SchemaStore, paths: Sequence[Path | str],
              checks: int, jobs: int, progress: Progress | None,
              cache: factcache.FactCache | None = None, keep: bool = False) -> list[Checked]:
    """The first ``checks`` paths checked, the others read for their facts (which go into
    ``cache`` as each chunk arrives)."""
    # as text: a Path costs ten times more to send to a worker
    chunks = [([str(p) for p in paths[start:end]], checks - start)
              for start, end in spans(len(paths), jobs)]
    results: list[Checked] = []
    with _lent(store):
        for chunk_result in parallel.run(_check_chunk, chunks, jobs, setup=_init_worker,
                                         setup_args=(repo, config, store.override_dir, keep)):
            results.extend(chunk_result)
            if cache is not None:
                _remember(cache, chunk_result)
            if progress:
                progress(len(chunk_result))
    return results


def spans(total: int, jobs: int) -> list[tuple[int, int]]:
    """(start, end) of the chunks of ``total`` paths for ``jobs`` workers: CHUNK paths each,
    the last ``jobs`` × CHUNK in quarters, so that no worker is left alone with a whole
    chunk at the end."""
    tail = max(0, total - jobs * CHUNK)
    step = max(1, CHUNK // 4)
    return [*((i, min(i + CHUNK, tail)) for i in range(0, tail, CHUNK)),
            *((i, min(i + step, total)) for i in range(tail, total, step))]


def _parallel_keeping(repo: Path, config: Config, store: SchemaStore,
                      paths: Sequence[Path | str],
                      keep: int, jobs: int,
                      progress: Progress | None) -> list[tuple[Checked, Record | None]]:
    """As ``_parallel``, with the records of the first ``keep`` paths."""
    tasks = [(paths[i:i + CHUNK], keep - i) for i in range(0, len(paths), CHUNK)]
    results: list[tuple[Checked, Record | None]] = []
    with _lent(store):
        for chunk_result in parallel.run(_check_chunk_keeping, tasks, jobs, setup=_init_worker,
                                         setup_args=(repo, config, store.override_dir)):
            results.extend(chunk_result)
            if progress:
                progress(len(chunk_result))
    return results


def validate_repo(
    repo: Path,
    config: Config,
    store: SchemaStore,
    paths: Sequence[Path] = (),
    *,
    changed_since: str | None = None,
    hook: bool = False,
    history: bool = False,
    keep_records: bool = False,
    jobs: int | None = None,
    progress_factory: Callable[[int], Progress | None] | None = None,
) -> ValidationReport:
    """Check the named files (all records when none are named, or those touched since a git
    revision); every record is read for the rules between records."""
    from ..deadlines import rulepaths
    from ..deadlines import rules as clockrules
    from ..records.files import discover, expand
    from .changes import changed_since as git_changed
    from .changes import select

    rulepaths.check(clockrules.load(config), store)  # a misspelt field in a deadline rule

    if not (repo / RECORDS_DIR).is_dir():
        discover(repo)  # the message for a wrong --repo
    cache: factcache.FactCache | None = None
    changed: list[Path] = []
    targets: Sequence[Path | str]
    context: Sequence[Path | str]
    if hook:  # pre-commit's file selection, the staged changes, and what their rules touch
        from .changes import hook_selection

        selection = hook_selection(repo, discover(repo), paths)
        targets, context = selection.targets, selection.context
    elif changed_since is not None:
        changed, deleted = git_changed(repo, changed_since)
        if paths:
            wanted = {p.resolve() for p in expand(repo, paths)}
            changed = [p for p in changed if p.resolve() in wanted]
        cache = factcache.FactCache(factcache.location(repo), factcache.fingerprint(config, store))
        fast = _from_cache(repo, config, cache, changed, deleted, changed_since)
        if fast is not None:
            known, targets, misses = fast
            progress = progress_factory(len(targets)) if progress_factory else None
            report = validate(repo, config, store, targets, keep_records=keep_records,
                              jobs=jobs, progress=progress, known=known, cache=cache)
            report.read += misses
            cache.save()
            return _after(repo, report, changed_since, changed, history, targets)
        all_files = discover(repo)
        selection = select(repo, all_files, changed, deleted)
        targets, context = selection.targets, selection.context
    elif paths:
        targets = expand(repo, paths)
        cache = factcache.FactCache(factcache.location(repo), factcache.fingerprint(config, store))
        warm = _named_from_cache(repo, config, cache, targets)
        if warm is not None:  # the other records' facts from the cache: none is read
            known, misses = warm
            progress = progress_factory(len(targets)) if progress_factory else None
            report = validate(repo, config, store, targets, keep_records=keep_records,
                              jobs=jobs, progress=progress, known=known, cache=cache)
            report.read += misses
            cache.save()
            return _after(repo, report, None, [], history, targets)
        cache = None
        selection = select(repo, discover(repo), targets, set())
        chosen = set(targets)
        context = [p for p in [*selection.targets, *selection.context] if p not in chosen]
    else:  # every record (as text): what is read warms the cache for --changed-since
        from ..records.files import listing

        if not keep_records:  # each unchanged record's own findings kept from the last run
            return _whole(repo, config, store, jobs, progress_factory, history)
        targets, context = [full for _rel, full in listing(repo)], []
        cache = factcache.FactCache(factcache.location(repo), factcache.fingerprint(config, store))
    progress = progress_factory(len(targets) + len(context)) if progress_factory else None
    report = validate(repo, config, store, targets, context=context, keep_records=keep_records,
                      jobs=jobs, progress=progress, cache=cache)
    if changed_since is not None:  # select() looked through every file
        report.read = len({*all_files, *targets, *context})
    if cache is not None:  # a whole-repository run saw every record: only theirs are kept
        cache.save(prune=changed_since is None)
    return _after(repo, report, changed_since, changed, history, targets)


def _whole(repo: Path, config: Config, store: SchemaStore, jobs: int | None,
           progress_factory: Callable[[int], Progress | None] | None,
           history: bool) -> ValidationReport:
    """Every record: those git says did not change since the last run checked them are not
    read (their own findings from the check cache, their attachments looked at again), the
    others are checked; the rules between records judge them all."""
    from ..records.files import listing

    folder = factcache.location(repo)
    keeper = checkcache.CheckCache(folder, checkcache.fingerprint(config, store))
    # git looks (in its own processes) while the files are listed and the facts loaded
    head = parallel.beside(_head, repo) if keeper.entries else None
    files = listing(repo)
    cache = factcache.FactCache(folder, factcache.fingerprint(config, store))
    settled, rest = _settled(repo, config, keeper, cache, files, head)
    progress = progress_factory(len(rest)) if progress_factory else None
    report = validate(repo, config, store, rest, jobs=jobs, progress=progress, cache=cache,
                      settled=settled, keeper=keeper)
    cache.save(prune=True)  # a whole-repository run saw every record: only theirs are kept
    keeper.save({rel for rel, _full in files})
    return _after(repo, report, None, [], history, [full for _rel, full in files])


def _settled(repo: Path, config: Config, keeper: checkcache.CheckCache,
             cache: factcache.FactCache, files: list[tuple[str, str]],
             head: Callable[[], Head] | None) -> tuple[list[Checked], list[str]]:
    """The records the check cache answers for (the same blob in HEAD, unchanged since, the
    same size and time, their facts in the facts cache, every attachment path fine today),
    and the record files to check."""
    from ..errors import QmsdocError
    from ..records.files import relative

    everything = [full for _rel, full in files]
    if head is None or keeper.path is None or not keeper.entries:
        return [], everything
    try:
        tree, changed = head()
    except QmsdocError:
        return [], everything
    changed_rel = {relative(repo, p) for p in changed}
    places = attachments.Places(repo, runlimits.from_config(config.data).max_attachment_bytes)
    limits = config.limits
    settled: list[Checked] = []
    rest: list[str] = []
    for rel, full in files:
        blob = None if rel in changed_rel else tree.get(rel)
        entry = keeper.get(rel, blob, checkcache.stamp(full)) if blob is not None else None
        plain = cache.get(blob) if entry is not None and blob is not None else None
        if entry is None or plain is None or not (plain == () or len(plain) == 8) \
                or not attachments.fine(entry[3], repo, places):
            rest.append(full)
            continue
        try:
            facts = factcache.from_plain(plain, rel, factcache.Reread(repo, rel, limits))
            found = checkcache.made(rel, entry[2])
        except ValueError:  # an entry of another shape: checked afresh
            rest.append(full)
            continue
        settled.append(Checked(rel, found, facts, entry[0]))
    return settled, rest


def _after(repo: Path, report: ValidationReport, changed_since: str | None,
           changed: list[Path], history: bool, targets: Sequence[Path | str]
           ) -> ValidationReport:
    """What a validation of the repository adds after the records' own findings."""
    if changed_since is not None:  # ids another branch gave to other records
        from .collisions import collisions

        report.findings.extend(collisions(repo, changed_since, changed))
        report.findings.sort(key=Finding.sort_key)
    if history:  # workflow states that went backwards in git without a stated reason
        from ..records.files import relative
        from . import statehistory

        shown = {relative(repo, p) for p in targets}
        report.findings.extend(statehistory.findings(repo, shown))
        report.findings.sort(key=Finding.sort_key)
    return report


@dataclass(frozen=True)
class Between:
    """The rules between records judged for named records before they are read (from the
    facts cache): a process that reads each record can then check and render it at once."""

    targets: list[Path]  # the named record files, in order
    findings: list[Finding]  # the rules between records, on the named records
    repeats: dict[str, tuple[str, int]]  # complaint id → the earlier one it repeats, days
    facts: dict[str, crossref.RecordFacts | None]  # of each named record, by its path


def between_named(repo: Path, config: Config, store: SchemaStore,
                  paths: Sequence[Path], *, expanded: bool = False) -> Between | None:
    """What ``validate_repo(paths)`` finds by the rules between records, and the repeats it
    gives, from the facts cache alone (the records changed since HEAD or missing from the
    cache are read for their facts). None when the cache is cold or not to be trusted: the
    caller validates as usual. The per-record checks of the named records are the caller's
    (``Checker.check``); together with these findings they are ``validate_repo``'s.
    ``expanded``: ``paths`` are ``expand``'s result already (not looked up again)."""
    from ..deadlines import rulepaths
    from ..deadlines import rules as clockrules
    from ..records.files import discover, expand, relative

    rulepaths.check(clockrules.load(config), store)
    if not (repo / RECORDS_DIR).is_dir():
        discover(repo)  # the message for a wrong --repo
    targets = list(paths) if expanded else expand(repo, paths)
    cache = factcache.FactCache(factcache.location(repo), factcache.fingerprint(config, store))
    found = _named_facts(repo, config, cache, targets)
    if found is None:
        return None
    cache.save(prune=found.every)  # a run over every record keeps only theirs, as validate's
    rels = [relative(repo, p) for p in targets]
    if len(set(rels)) != len(rels) or set(rels) != set(found.targets):
        return None  # a file named twice, or outside the kinds' folders: as usual
    all_facts = [*(f for rel in rels if (f := found.targets[rel]) is not None), *found.known]
    repeated = crossref.complaint_repeats(all_facts, config)
    findings = list(crossref.check(all_facts, config, frozenset(rels), repeated))
    return Between(targets, findings,
                   {later.id: (earlier.id, days) for earlier, later, days in repeated},
                   found.targets)


# Unchanged records whose facts the cache lacks, read one by one; more than this, and the
# cache counts as cold: ``select`` then looks through every file, as without a cache.
WARM_MISSES = 200


def _from_cache(repo: Path, config: Config, cache: factcache.FactCache,
                changed: Sequence[Path], deleted: set[str], rev: str
                ) -> tuple[list[crossref.RecordFacts], list[Path], int] | None:
    """``--changed-since`` with the facts cache: the records to check (the changed ones and
    those whose rules between records they touch: a reference to a changed or deleted id,
    the same id, the same repeat key before or after the change) and the facts of the
    unchanged records those rules need (the same ids, the records referred to, the same
    repeat keys), taken from the cache by the blob ``git ls-tree`` names for each file; no
    other record is read but those the cache lacks (their number comes last). None when the
    cache is cold or not to be trusted."""
    from ..errors import QmsdocError
    from ..records.files import listing, relative

    if cache.path is None or not cache.entries:
        return None
    try:
        tree = factcache.tree_blobs(repo, rev)
    except QmsdocError:
        return None
    limits = config.limits
    changed_rel = {relative(repo, p) for p in changed}
    plains: dict[str, factcache.Plain] = {}  # unchanged record → its cached facts
    full: dict[str, str] = {}
    misses: list[tuple[str, str]] = []
    for rel, path in listing(repo):
        full[rel] = path
        if rel in changed_rel:
            continue
        blob = tree.get(rel)
        plain = cache.get(blob) if blob is not None else None
        if plain is None or not (plain == () or len(plain) == 8):
            misses.append((rel, path))
        else:
            plains[rel] = plain
    if len(misses) > WARM_MISSES:
        return None
    for rel, path in misses:  # not in the cache (ignored by git, or a new cache): read them
        loaded = read(repo, Path(path), limits, blob=True)
        if isinstance(loaded, Record):
            facts = crossref.facts(loaded)
            cache.put(loaded.blob, facts)
            plains[rel] = factcache.to_plain(facts)
    now: list[factcache.Plain] = []  # the changed records as they are, and as rev had them
    for changed_path in changed:
        loaded = read(repo, changed_path, limits)
        if isinstance(loaded, Record):
            now.append(factcache.to_plain(crossref.facts(loaded)))
    for rel, blob in tree.items():
        if rel in changed_rel or _stem(rel) in deleted:
            now.append(cache.get(blob) or ())
    try:
        affected, relevant = _touched(plains, [p for p in now if p], changed, deleted)
        known = [facts for rel in relevant
                 if (facts := factcache.from_plain(plains[rel], rel, factcache.Reread(
                     repo, rel, limits))) is not None]
    except (ValueError, TypeError, IndexError, KeyError):  # an entry of another shape
        cache.entries.clear()
        return None
    targets = sorted({*changed, *(Path(full[rel]) for rel in affected)})
    return known, targets, len(misses)


def _named_from_cache(repo: Path, config: Config, cache: factcache.FactCache,
                      targets: Sequence[Path]
                      ) -> tuple[list[crossref.RecordFacts], int] | None:
    found = _named_facts(repo, config, cache, targets)
    return None if found is None else (found.known, found.misses)


@dataclass(frozen=True)
class NamedFacts:
    """The facts the rules between records need for named records, from the facts cache."""

    known: list[crossref.RecordFacts]  # of the other records the rules need
    targets: dict[str, crossref.RecordFacts | None]  # of each named record, by its path
    misses: int  # files read for their facts (changed since HEAD, or not in the cache)
    every: bool = False  # every record file was named: the cache may keep only their entries


Head = tuple[dict[str, str], list[Path]]  # HEAD's record blobs; the records changed since


def _head(repo: Path) -> Head:
    """The blob id of each record file in HEAD, and the record files changed since HEAD."""
    from .changes import changed_since as git_changed

    return factcache.tree_blobs(repo, "HEAD"), git_changed(repo, "HEAD")[0]


def _named_facts(repo: Path, config: Config, cache: factcache.FactCache,
                 targets: Sequence[Path]) -> NamedFacts | None:
    """Named records (``validate FILE…``, ``render ID…``) with the facts cache: the facts of
    the other records their rules between records need (the same ids or file names, the
    records they refer to and those that refer to them, the same repeat keys), taken from
    the cache by the blob id ``git ls-tree HEAD`` names for each file unchanged since HEAD;
    the records changed since HEAD and those the cache lacks are read for their facts only.
    Their number comes last. None when the cache is cold or not to be trusted."""
    from ..errors import QmsdocError
    from ..records.files import listing, relative

    if cache.path is None or not cache.entries:
        return None
    head = parallel.beside(_head, repo)  # git looks while the files are listed
    files = listing(repo)
    try:
        tree, changed = head()
    except QmsdocError:
        return None
    limits = config.limits
    changed_rel = {relative(repo, p) for p in changed}
    target_rel = {relative(repo, p) for p in targets}
    plains: dict[str, factcache.Plain] = {}  # every other record → its facts
    mine: dict[str, factcache.Plain] = {}  # the named records' facts
    misses: list[tuple[str, str]] = []
    for rel, path in files:
        blob = None if rel in changed_rel else tree.get(rel)
        plain = cache.get(blob) if blob is not None else None
        if plain is None or not (plain == () or len(plain) == 8):
            misses.append((rel, path))
        elif rel in target_rel:
            mine[rel] = plain
        else:
            plains[rel] = plain
    if len(misses) > WARM_MISSES or len(mine) + sum(r in target_rel for r, _ in misses) \
            != len(target_rel):  # too many to read, or a named file outside the kinds' folders
        return None
    for rel, path in misses:  # changed since HEAD, or not in the cache: their facts only
        loaded = read(repo, Path(path), limits, blob=True)
        if not isinstance(loaded, Record):
            continue
        facts = crossref.facts(loaded)
        if loaded.blob:
            cache.put(loaded.blob, facts)
        if rel in target_rel:
            mine[rel] = factcache.to_plain(facts)
        else:
            plains[rel] = factcache.to_plain(facts)
    try:
        affected, relevant = _touched(plains, [p for p in mine.values() if p], targets, set())
        known = [facts for rel in sorted({*affected, *relevant})
                 if (facts := factcache.from_plain(plains[rel], rel, factcache.Reread(
                     repo, rel, limits))) is not None]
        named = {rel: factcache.from_plain(plain, rel, factcache.Reread(repo, rel, limits))
                 for rel, plain in mine.items()}
    except (ValueError, TypeError, IndexError, KeyError):  # an entry of another shape
        cache.entries.clear()
        return None
    return NamedFacts(known, named, len(misses), target_rel == {rel for rel, _path in files})


def _stem(rel: str) -> str:
    return rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def _touched(plains: dict[str, factcache.Plain], changes: list[factcache.Plain],
             changed: Sequence[Path], deleted: set[str]) -> tuple[list[str], list[str]]:
    """The unchanged records a change touches (to check again), and the unchanged records
    whose facts the rules between records need for those and the changed ones. Works on the
    cached plain facts: (kind, id, refs, item ids, customer, part number, category, received).

    A repeat warning stands on the later of two complaints in a row of the same repeat key,
    so of a changed complaint's key (before and after the change) only the complaint that
    follows it is touched, however many share the key."""
    stems = {p.stem for p in changed}
    ids = stems | deleted | {p[1] for p in changes}
    groups = {_key(p) for p in changes if _key(p) is not None}
    affected: set[str] = set()
    members: dict[tuple[str, str, str], list[tuple[str, str, str]]] = {}
    for rel, plain in plains.items():
        if not plain:
            continue
        if plain[1] in ids or _stem(rel) in stems or any(ref[3] in ids for ref in plain[2]):
            affected.add(rel)
        key = _key(plain)
        if key is not None and key in groups and plain[7] is not None:
            members.setdefault(key, []).append((plain[7][:10], plain[1], rel))
    for change in changes:  # the next complaint of the same key, where it was and where it is
        key = _key(change)
        if key is None or change[7] is None:
            continue
        here = (change[7][:10], change[1])
        later = [m for m in members.get(key, ()) if (m[0], m[1]) > here]
        if later:
            affected.add(min(later)[2])
    checked = [*changes, *(plains[rel] for rel in affected)]
    wanted = {p[1] for p in checked} | {ref[3] for p in checked for ref in p[2]}
    keys = {_key(p) for p in checked} - {None}
    relevant = [rel for rel, plain in plains.items()
                if plain and rel not in affected and (plain[1] in wanted or _key(plain) in keys)]
    return sorted(affected), relevant


def _key(plain: factcache.Plain) -> tuple[str, str, str] | None:
    """A complaint's repeat key (customer, part number, category), if it has one."""
    if plain[0] != "complaint" or not (plain[4] and plain[5] and plain[6]):
        return None
    return plain[4], plain[5], plain[6]
