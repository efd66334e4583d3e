"""Records in and out of the spreadsheets a factory already keeps: ``import`` of a legacy
Excel log (the sheet, its values, the mapping file, rows turned into records and checked by
the validation pipeline) and ``export`` of a kind's register (台账) as .xlsx or .csv.

May import the top-level modules and records/, git/, deadlines/, checks/, history/ and
scaffold/ (the id allocation of ``new``); views/ and cli/ import it, nothing else does.
openpyxl is imported on first use.
"""
