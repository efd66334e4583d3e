"""The marked breaks of fitted labels become paragraphs (render/fit.split_paragraphs); the
paragraph around a mark is looked for just before it first: the result is the one of
looking back over the whole part, on parts long and short."""

from __future__ import annotations

import random

from qmsdoc.render import fit
from qmsdoc.render.fit import MARK, split_paragraphs


def _whole_range(xml: str) -> str:
    """split_paragraphs as it was: each paragraph start looked for back to the last one."""
    at = xml.find(MARK)
    if at < 0:
        return xml
    out: list[str] = []
    done = 0
    while at >= 0:
        start = max(xml.rfind("<w:p>", done, at), xml.rfind("<w:p ", done, at))
        end = xml.find("</w:p>", at)
        if start < 0 or end < 0:
            out.append(xml[done:at])
            done = at + 1
        else:
            out.append(xml[done:start])
            out.append(fit._split(xml[start:end + len("</w:p>")]))
            done = end + len("</w:p>")
        at = xml.find(MARK, done)
    out.append(xml[done:])
    return "".join(out)


PIECES = ["<w:p>", '<w:p w:rsidR="1">', "<w:pPr><w:jc/></w:pPr>", "<w:r>", "<w:r><w:rPr><w:b/>"
          "</w:rPr>", '<w:t xml:space="preserve">', "<w:t>", "客户", "A&amp;B", MARK, "</w:t>",
          "</w:r>", "</w:p>", "<w:tc>", "</w:tc>", "<w:p", ">", "x" * 300, "y" * 5000]


def _random_part(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 40)))


def test_the_paragraph_start_is_the_last_one_before_the_mark_whatever_the_window() -> None:
    rng = random.Random(20261207)
    for _ in range(400):
        xml = _random_part(rng)
        for _ in range(5):
            done = rng.randrange(0, len(xml) + 1)
            at = rng.randrange(done, len(xml) + 1)
            want = max(xml.rfind("<w:p>", done, at), xml.rfind("<w:p ", done, at))
            for window in (2, 64, 4096):
                assert fit._paragraph_start(xml, done, at, window) == want


def test_split_paragraphs_gives_what_looking_back_over_the_whole_part_gave() -> None:
    rng = random.Random(7)
    for _ in range(300):
        xml = _random_part(rng)
        assert split_paragraphs(xml) == _whole_range(xml)
    far = ("<w:p><w:r><w:t>" + "z" * 100_000 + f"甲{MARK}乙</w:t></w:r></w:p>") * 2
    assert split_paragraphs(far) == _whole_range(far)
    assert split_paragraphs(far).count("<w:p>") == 4
