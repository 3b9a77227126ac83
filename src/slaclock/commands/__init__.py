"""Command-line sub-commands, one module per command; :mod:`slaclock.cli` registers them."""
