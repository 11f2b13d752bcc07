"""Pure analysis functions: processed tables in, tables and figures out (one module per analysis).

Notebooks call these; nothing here writes files or reads anything but data/processed.
"""
