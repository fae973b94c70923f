"""Workers: upstream dispatch, webhook delivery to clients, and their retry policy."""
