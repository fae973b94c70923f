"""`mmgate campaign`: one template to every row of a CSV; throttled, resumable, a funnel."""
