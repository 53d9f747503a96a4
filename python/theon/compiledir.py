"""The on-disk cache of generated kernels (``config.compiledir``).

``python -m theon.compiledir`` lists the cached modules (and says why the directory or an
entry is refused, see docs/kernel_cache.md); ``python -m theon.compiledir clear`` removes them
(and the temporary directories of compiles whose process died).
"""

import argparse

from theon import _core


def path():
    """The cache directory (created 0700 if missing).

    Returns
    -------
    str
        Its absolute path (``config.compiledir``).

    Examples
    --------
    >>> import os
    >>> os.path.isdir(theon.compiledir.path())
    True
    """
    return _core.compiledir_path()


def problem():
    """Why the cache directory is not used ("" when it is).

    Returns
    -------
    str
        The reason (e.g. its permissions let other users write to it), or "".

    Examples
    --------
    >>> theon.compiledir.problem()
    ''
    """
    return _core.compiledir_problem()


def entries():
    """The cached modules.

    Returns
    -------
    list of dict
        One per module: key, path, bytes (of the library), valid and problem (why it is not
        valid, "" when it is).

    Examples
    --------
    >>> all(e['valid'] or e['problem'] for e in theon.compiledir.entries())
    True
    """
    return _core.compiledir_list()


def clear():
    """Removes every cached module.

    Returns
    -------
    int
        How many there were.

    Examples
    --------
    >>> import tempfile
    >>> with theon.config.change_flags(compiledir=tempfile.mkdtemp()):
    ...     theon.compiledir.clear(), theon.compiledir.entries()
    (0, [])
    """
    return _core.compiledir_clear()


def main(argv=None):
    """The command line ``python -m theon.compiledir [list|clear|path]``.

    Parameters
    ----------
    argv : list of str
        The arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status, 0.

    Examples
    --------
    >>> theon.compiledir.main(['path'])
    /...
    0
    """
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
