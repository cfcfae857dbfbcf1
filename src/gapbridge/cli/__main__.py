"""`python -m gapbridge.cli` runs the same command line as the `gapbridge` script."""

from gapbridge.cli import main

if __name__ == "__main__":
    main()
