"""``python -m tradebot`` runs the command line."""

from tradebot.app.cli import main

main()
