"""Pure rules of the product: no web framework, no database driver."""
