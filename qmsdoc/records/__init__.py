"""Reading records: the YAML loader (the only importer of yaml; it imports nothing of
qmsdoc, so the top-level config and schema modules read through it), file discovery and the
record index (``files``), defensive value readers (``values``), attachments and the parsed
record cache. May import the top-level modules (errors, findings, kinds, schema, config).
"""
