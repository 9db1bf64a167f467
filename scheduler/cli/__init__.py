"""The `scheduler` command: `main` parses and dispatches; one module per group of subcommands."""

from scheduler.cli.main import main

__all__ = ["main"]
