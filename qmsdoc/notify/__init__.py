"""``qmsdoc notify``: reminders of overdue and soon-due deadline clocks to the people who own
them, by e-mail (``smtplib``) and by WeCom, DingTalk or Feishu group bots (``urllib``).

``settings`` reads the ``notify:`` section of qmsdoc.yaml, ``message`` writes the Chinese
messages, ``state`` remembers what was sent, ``channels`` sends, ``run`` ties them together.
May import the top-level modules, ``records`` and ``deadlines``; nothing below them.
"""
