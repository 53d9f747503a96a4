"""The on-disk cache of generated kernels (``config.compiledir``).

``python -m theon.compiledir`` lists the cached modules (and says why the directory or an
entry is refused, see docs/kernel_cache.md); ``python -m theon.compiledir clear`` removes them
(and the temporary directories of compiles whose process died).
"""

import argparse

from theon import _core


def path():
    """The cache directory (created 0700 if missing)."""
    return _core.compiledir_path()


def problem():
    """Why the cache directory is not used ("" when it is)."""
    return _core.compiledir_problem()


def entries():
    """One dict per cached module: key, path, bytes (of the library), valid and problem (why
    it is not valid, "" when it is)."""
    return _core.compiledir_list()


def clear():
    """Removes every cached module; returns how many there were."""
    return _core.compiledir_clear()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m theon.compiledir", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="list", choices=["list", "clear", "path"])
    args = parser.parse_args(argv)
    if args.command == "path":
        print(path())
    elif args.command == "clear":
        print(f"removed {clear()} cached modules from {path()}")
    else:
        items = entries()
        print(f"{path()}: {len(items)} cached modules, "
              f"{sum(e['bytes'] for e in items) / 1024:.1f} KiB")
        if problem():
            print(f"  not used: {problem()}")
        for e in items:
            state = "ok" if e["valid"] else f"INVALID: {e['problem']}"
            print(f"  {e['key']}  {e['bytes']:>8} bytes  {state}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
