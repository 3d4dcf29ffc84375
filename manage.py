#!/usr/bin/env python
"""Django's command-line utility; the same as the installed `ajour` command."""

import sys

from ajour.cli import main

if __name__ == "__main__":
    sys.exit(main())
