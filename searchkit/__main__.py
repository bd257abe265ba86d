"""`python -m searchkit` runs the command line."""

from searchkit.cli import main

main()
