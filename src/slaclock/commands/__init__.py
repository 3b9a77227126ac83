"""Command-line command implementations, one module per command; ``slaclock.cli`` registers them."""
