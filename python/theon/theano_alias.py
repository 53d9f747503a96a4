"""The one step that makes ``import theano`` give Theon's Theano compatibility package.

    python -m theon.theano_alias install     # writes theon-theano-alias.pth into site-packages
    python -m theon.theano_alias uninstall   # removes it
    python -m theon.theano_alias status      # says what ``import theano`` gives

The package lives inside theon (theon/_theano_shim/theano) and is not importable as
``theano`` until installed, so installing Theon never shadows a real Theano. The .pth file
appends the package's folder to the end of sys.path: a real Theano installed in the same
environment still wins, and install refuses (unless --force) when one is found. In a single
process, ``theon.theano_alias.enable()`` does the same without writing anything.
"""

import importlib.util
import os
import sys
import sysconfig

PTH_NAME = "theon-theano-alias.pth"


def shim_dir():
    """The folder holding the compatibility package ``theano``.

    Returns
    -------
    str

    Examples
    --------
    >>> import theon.theano_alias as alias
    >>> alias.shim_dir().endswith('_theano_shim')
    True
    """
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "_theano_shim")


def _pth_path():
    return os.path.join(sysconfig.get_paths()["purelib"], PTH_NAME)


def _other_theano():
    """The folder of a Theano that is not Theon's compatibility package, or None."""
    spec = importlib.util.find_spec("theano") if "theano" not in sys.modules else \
        sys.modules["theano"].__spec__
    if spec is None or spec.origin is None:
        return None
    origin = os.path.abspath(spec.origin)
    return None if origin.startswith(shim_dir() + os.sep) else os.path.dirname(origin)


def enable():
    """Makes ``import theano`` give the compatibility package in this process.

    The package's folder goes at the end of sys.path: a real Theano installed there still
    wins.

    Examples
    --------
    >>> import sys, theon.theano_alias as alias
    >>> alias.enable()
    >>> alias.shim_dir() in sys.path
    True
    """
    if shim_dir() not in sys.path:
        sys.path.append(shim_dir())


def install(force=False):
    """Writes the .pth file that makes ``import theano`` give the compatibility package.

    Parameters
    ----------
    force : bool
        Install even when another Theano is installed (it keeps answering ``import theano``).

    Returns
    -------
    str
        The path of the file written.

    Examples
    --------
    >>> import theon.theano_alias as alias
    >>> path = alias.install(force=True)
    >>> alias.uninstall() == path
    True
    """
    other = _other_theano()
    if other is not None and not force:
        raise SystemExit(f"a Theano is installed at {other}; it would keep answering "
                         f"`import theano`. Uninstall it first (or pass --force to install "
                         f"the alias behind it).")
    with open(_pth_path(), "w") as f:
        f.write(shim_dir() + "\n")
    return _pth_path()


def uninstall():
    """Removes the .pth file written by ``install``.

    Returns
    -------
    str or None
        The path removed, or None when there was none.

    Examples
    --------
    >>> import theon.theano_alias as alias
    >>> path = alias.install(force=True)
    >>> alias.uninstall() == path, alias.uninstall()
    (True, None)
    """
    path = _pth_path()
    if os.path.exists(path):
        os.remove(path)
        return path
    return None


def status():
    """What ``import theano`` gives, and whether the alias is installed.

    Returns
    -------
    str
        Lines of text.

    Examples
    --------
    >>> import theon.theano_alias as alias
    >>> print(alias.status())
    alias file: ...
    """
    other = _other_theano()
    installed = os.path.exists(_pth_path())
    lines = [f"alias file: {_pth_path()} ({'present' if installed else 'absent'})"]
    if other is not None:
        lines.append(f"`import theano` gives a real Theano at {other}")
    elif installed or shim_dir() in sys.path:
        lines.append(f"`import theano` gives Theon's compatibility package ({shim_dir()})")
    else:
        lines.append("`import theano` fails (run: python -m theon.theano_alias install)")
    return "\n".join(lines)


def main(argv):
    """The command line ``python -m theon.theano_alias install|uninstall|status``.

    Parameters
    ----------
    argv : list of str
        The arguments; ``install --force`` installs behind another Theano.

    Returns
    -------
    int
        The exit status: 0, or 2 for an unknown command.

    Examples
    --------
    >>> import theon.theano_alias as alias
    >>> alias.main(['status'])
    alias file: ...
    0
    """
    if not argv or argv[0] not in ("install", "uninstall", "status"):
        print(__doc__.strip())
        return 2
    if argv[0] == "install":
        print(f"wrote {install(force='--force' in argv[1:])}")
    elif argv[0] == "uninstall":
        path = uninstall()
        print(f"removed {path}" if path else "no alias was installed")
    else:
        print(status())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
