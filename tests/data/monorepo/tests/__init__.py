"""End-to-end tests: a package, so without the default exclusions it would be a component."""
