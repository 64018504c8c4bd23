"""`python -m meshwright` runs the command line."""

from meshwright.cli import main

main()
