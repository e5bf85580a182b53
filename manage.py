#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    # The statement timeout is for pages and tasks: a command (migrate building an index over
    # a million rows, cron's run_sweeps, a shell) may rightly run longer.
    os.environ["DATABASE_STATEMENT_TIMEOUT"] = "0"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
