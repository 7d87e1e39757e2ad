"""``python -m ci``: the same entry point as the ``noxci`` command."""

from ci.cli import main

if __name__ == "__main__":
    main()
