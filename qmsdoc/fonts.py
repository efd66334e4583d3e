"""Is there a font that shows Chinese text, where the program laying the text out looks?

LibreOffice (PDF copies of forms) finds fonts through fontconfig; matplotlib (report
charts) keeps a cache of its own that may predate a font installed later. Both are served
from one answer: the font file fontconfig gives for Chinese (``fc-list :lang=zh``), which
the charts then load by path, so a stale matplotlib cache never matters. Without fontconfig,
the usual font folders are searched for a known Chinese face.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from .errors import UsageError
from .i18n import _

FIX = (_("install one (Debian/Ubuntu: apt-get install fonts-noto-cjk; in a qmsdoc checkout: "
         "bash scripts/setup-system.sh)"))
# Simplified Chinese first, sans before serif: the forms and charts are set in 黑体/宋体 styles.
_PREFERENCE = ("Sans CJK SC", "Sans SC", "Hei", "YaHei", "Sans CJK", "CJK SC", "Sans")
_KNOWN_FILES = ("NotoSansCJK", "NotoSansSC", "SourceHanSans", "wqy-zenhei", "wqy-microhei",
                "simhei", "msyh", "NotoSerifCJK", "SourceHanSerif", "simsun")
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts",
              "/Library/Fonts", "/System/Library/Fonts", "C:/Windows/Fonts")


class NoChineseFont(UsageError):
    """No font with Chinese characters is available: an environment error (exit 2)."""


def require_chinese_font(what: str) -> Path:
    """The Chinese font file that ``what`` (e.g. "the PDF copies") is laid out with;
    NoChineseFont, with the fix, when there is none (its Chinese text would be boxes)."""
    found = chinese_font()
    if found is None:
        raise NoChineseFont(_("no font with Chinese characters is installed: {what} would "
                              "show Chinese text as boxes; {fix}").format(what=what, fix=FIX))
    return found


def chinese_font() -> Path | None:
    return _chinese_font(os.environ.get("FONTCONFIG_FILE", ""), os.environ.get("HOME", ""))


@lru_cache(maxsize=4)
def _chinese_font(_fontconfig_file: str, _home: str) -> Path | None:
    fc_list = shutil.which("fc-list")
    if fc_list is not None:
        return _from_fontconfig(fc_list)
    return _from_folders()


def _from_fontconfig(fc_list: str) -> Path | None:
    try:
        listing = subprocess.run([fc_list, ":lang=zh", "--format", "%{file}|%{family}|%{style}\n"],
                                 capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    faces = [line.split("|", 2) for line in listing.stdout.splitlines() if line.count("|") == 2]
    faces = [face for face in faces if Path(face[0]).is_file()]
    if not faces:
        return None
    return Path(min(faces, key=_rank)[0])


def _rank(face: list[str]) -> tuple[int, int, str]:
    file, family, style = face
    regular = 0 if "regular" in style.lower() else 1
    for rank, word in enumerate(_PREFERENCE):
        if word.lower() in family.lower():
            return rank, regular, file
    return len(_PREFERENCE), regular, file


def _from_folders() -> Path | None:
    for folder in _FONT_DIRS:
        root = Path(folder).expanduser()
        if not root.is_dir():
            continue
        for known in _KNOWN_FILES:
            for path in sorted(root.rglob(f"{known}*")):
                if path.suffix.lower() in {".ttf", ".otf", ".ttc", ".otc"}:
                    return path
    return None
