"""Command line: ``hwinspector`` opens the GUI; each subcommand lives in a module of this package."""

from hwinspector.cli.main import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, build_parser, main

__all__ = ["EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "build_parser", "main"]
