"""The ``rankfile`` command: a thin dispatcher.

``rankfile count`` and ``rankfile convert`` run the counting engine and never
import Django; every other sub-command is a Django management command
(``rankfile migrate``, ``rankfile load_demo``, ``rankfile worker`` ...).
"""

import os
import sys

ENGINE_COMMANDS = ("count", "convert")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ENGINE_COMMANDS:
        from rankfile.counting.cli import main as counting_main

        return counting_main(args)
    if args and args[0] == "--version":
        from importlib.metadata import version

        print(f"rankfile {version('rankfile')}")
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rankfile.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["rankfile", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
