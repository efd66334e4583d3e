"""PDF copies of rendered forms through LibreOffice headless (``soffice --convert-to pdf``).

One LibreOffice process converts a batch of documents (about 1 s to start, ~0.16 s per
document after that), with a throw-away user profile so that it neither touches nor waits
for a user's running LibreOffice. PDFs are written beside the forms, each renamed into
place only once complete.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..errors import QmsdocError, UsageError
from ..fonts import require_chinese_font
from ..i18n import _

BATCH = 100
START_SECONDS, PER_FILE_SECONDS = 120, 10


def find_soffice() -> str:
    """The LibreOffice executable; UsageError (exit 2) when it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise UsageError(_("--pdf needs LibreOffice, but soffice is not installed or not on PATH "
                       "(Debian/Ubuntu: apt-get install libreoffice-writer-nogui "
                       "fonts-noto-cjk)"))


def check_ready() -> str:
    """LibreOffice and a Chinese font it can use (through fontconfig), or UsageError (exit 2)
    with the fix: without the font every Chinese character of the PDF would be a box."""
    soffice = find_soffice()
    require_chinese_font("the PDF copies (LibreOffice)")
    return soffice


def convert(documents: Sequence[Path], out_dir: Path) -> list[Path]:
    """Convert ``documents`` to ``out_dir/<stem>.pdf``; returns the PDFs written."""
    soffice = check_ready()
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="qmsdoc-lo-") as profile, \
            tempfile.TemporaryDirectory(prefix=".qmsdoc-pdf-", dir=out_dir) as work:
        for start in range(0, len(documents), BATCH):
            batch = documents[start:start + BATCH]
            _run(soffice, Path(profile), Path(work), batch)
            written += _collect(batch, Path(work), out_dir)
    return written


def _run(soffice: str, profile: Path, work: Path, batch: Sequence[Path]) -> None:
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
               "--norestore", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(work),
               *[str(p) for p in batch]]
    env = {**os.environ, "HOME": str(profile)}
    try:
        subprocess.run(command, capture_output=True, env=env, check=False,
                       timeout=START_SECONDS + PER_FILE_SECONDS * len(batch))
    except subprocess.TimeoutExpired:
        raise QmsdocError(_("LibreOffice did not finish converting to PDF in time")) from None


def _collect(batch: Sequence[Path], work: Path, out_dir: Path) -> list[Path]:
    written, missing = [], []
    for document in batch:
        produced = work / f"{document.stem}.pdf"
        if produced.is_file() and produced.stat().st_size > 0:
            target = out_dir / produced.name
            os.replace(produced, target)
            written.append(target)
        else:
            missing.append(document.name)
    if missing:
        raise QmsdocError(_("LibreOffice could not convert to PDF: {values}").format(
                              values=', '.join(missing)))
    return written
