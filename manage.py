#!/usr/bin/env python
"""Django's command-line utility for ukcn."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ukcn.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A bad environment variable is the operator's to fix: one readable line, no trace.
        sys.stderr.write(f"ukcn: configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
