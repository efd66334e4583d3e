"""The configuration: each section parsed once, and a copy for worker processes."""

from __future__ import annotations

import pickle
from pathlib import Path

from conftest import ROOT

from qmsdoc import config
from qmsdoc.deadlines import rules as clockrules
from qmsdoc.history.policy import Policy


def test_sections_are_parsed_once_per_configuration() -> None:
    cfg = config.load(ROOT)
    assert clockrules.load(cfg) is clockrules.load(cfg)
    assert Policy.from_config(cfg) is Policy.from_config(cfg)
    assert cfg.departments is cfg.departments
    other = config.load(ROOT)
    assert clockrules.load(other) is not clockrules.load(cfg)
    assert clockrules.load(other) == clockrules.load(cfg)


def test_a_copy_for_a_worker_process_parses_for_itself() -> None:
    cfg = config.load(ROOT)
    policy = Policy.from_config(cfg)
    copy = pickle.loads(pickle.dumps(cfg))
    assert copy == cfg and copy.roster == cfg.roster
    assert Policy.from_config(copy) == policy and Policy.from_config(copy) is not policy


def test_person_by_email_ignores_case_and_spaces() -> None:
    cfg = config.load(ROOT)
    person = cfg.person_by_email("  Wang.Fang@MINGYUAN.example ")
    assert person is not None and person.key == "wang.fang"
    assert cfg.person_by_email("") is None and cfg.person_by_email("x@example.invalid") is None


def test_a_name_given_without_english_does_not_take_the_defaults_english(tmp_path: Path) -> None:
    (tmp_path / "qmsdoc.yaml").write_text("company:\n  name: 明远精密\nforms:\n  complaint:\n"
                                          "    title: 客户投诉处理单\n", encoding="utf-8")
    loaded = config.load(tmp_path, None)
    assert loaded.company == {"name": "明远精密"}  # not the built-in example's English name
    assert "title_en" not in loaded.form("complaint")
    assert loaded.form("complaint")["number"]  # the rest of the defaults still apply
    both = tmp_path / "both"
    both.mkdir()
    (both / "qmsdoc.yaml").write_text("company: {name: 明远精密, name_en: Mingyuan Precision}\n",
                                      encoding="utf-8")
    assert config.load(both, None).company == {"name": "明远精密", "name_en": "Mingyuan Precision"}
