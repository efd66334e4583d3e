"""The configuration: each section parsed once, and a copy for worker processes."""

from __future__ import annotations

import pickle

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
