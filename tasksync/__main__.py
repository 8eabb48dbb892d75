"""The `tasksync` command (and `python -m tasksync`). Ctrl-C while the modules still load
exits as it does later: 130, one line, no traceback."""

import sys


def main() -> None:
    try:
        from tasksync.cli.main import main as run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
    run()


if __name__ == "__main__":
    main()
