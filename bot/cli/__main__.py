"""`python -m bot.cli` runs the `levqor` command line."""

from bot.cli import main

main()
