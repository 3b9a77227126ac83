"""``python -m slaclock``: the command line."""

from slaclock.cli import run

run()
