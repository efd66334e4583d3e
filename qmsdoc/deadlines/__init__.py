"""Clocks: field paths in the deadline rules (``fieldpath``), the rules of qmsdoc.yaml
(``rules``) and their paths checked against the schemas (``rulepaths``), time arithmetic
(``clocktime``), the working-day calendar (``workcal``), the clock judgement (``clocks``)
and ``qmsdoc due`` (``due``). May import the top-level modules and ``records``.
"""
