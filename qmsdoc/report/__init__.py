"""Statistics reports: the complaint statistics (客户抱怨异常处理统计表) as data
(``stats``), its charts (``charts``) and its Word and Excel writers (``docx``, ``xlsx``);
the reports of special requirements, contract reviews and 8D (``special_requirements``,
``contract_reviews``, ``eightd``) written in the same frame by ``frame`` (``kinds``).

May import the top-level modules, ``records`` and ``deadlines`` (the clocks it counts);
matplotlib and openpyxl are imported only here.
"""
