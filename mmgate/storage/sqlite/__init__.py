"""SQLite backend: WAL, one writer thread with group commit, one reader thread."""
