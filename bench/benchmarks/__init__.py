"""Each benchmark module has `run(ctx) -> list[Row]`, every row with its baseline."""
