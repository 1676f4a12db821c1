"""The command line: each `antrian` subcommand of the server side (shared/cli.py's COMMANDS)."""
