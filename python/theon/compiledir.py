"""The on-disk cache of generated kernels (``config.compiledir``).

``python -m theon.compiledir`` lists the cached modules; ``python -m theon.compiledir clear``
removes them (and any temporary directories a killed compile left behind).
"""

import argparse

from theon import _core


def path():
    """The cache directory (created 0700 if missing)."""
    return _core.compiledir_path()


def entries():
    """One dict per cached module: key, path, bytes (of the library) and valid."""
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
        for e in items:
            print(f"  {e['key']}  {e['bytes']:>8} bytes  {'ok' if e['valid'] else 'INVALID'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
