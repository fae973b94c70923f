"""One module per Hub page (or pair of pages): handlers that read the store for the
logged-in partner and render a template."""
