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
    """The folder holding the compatibility package ``theano``."""
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
    """Makes ``import theano`` give the compatibility package in this process (after any real
    Theano on sys.path)."""
    if shim_dir() not in sys.path:
        sys.path.append(shim_dir())


def install(force=False):
    other = _other_theano()
    if other is not None and not force:
        raise SystemExit(f"a Theano is installed at {other}; it would keep answering "
                         f"`import theano`. Uninstall it first (or pass --force to install "
                         f"the alias behind it).")
    with open(_pth_path(), "w") as f:
        f.write(shim_dir() + "\n")
    return _pth_path()


def uninstall():
    path = _pth_path()
    if os.path.exists(path):
        os.remove(path)
        return path
    return None


def status():
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
