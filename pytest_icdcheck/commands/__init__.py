"""One module per `icdcheck` subcommand."""
