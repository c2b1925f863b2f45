"""The Lab facade's tests, one module per service of labdesk/lab/ (a package, so that
its module names do not clash with tests/ui's)."""
