"""Subcommands of `dyad`, grouped by topic; each module has ``register(subparsers, common)``."""
