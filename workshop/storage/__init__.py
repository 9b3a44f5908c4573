"""Storage: the SQLite file (`database`), its schema and migrations (`schema`,
`schema_check`), the typed rows in and out (`store`), and session files (`session_file`).
"""
