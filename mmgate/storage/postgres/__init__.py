"""PostgreSQL backend: a connection pool, one writer task with group commit, SKIP LOCKED claims."""
