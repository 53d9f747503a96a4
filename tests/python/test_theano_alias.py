"""The one documented step that makes `import theano` give Theon's compatibility package."""

import os
import subprocess
import sys

import theon.theano_alias as alias


def test_install_writes_a_pth_and_uninstall_removes_it(tmp_path, monkeypatch):
    monkeypatch.setattr(alias, "_pth_path", lambda: str(tmp_path / alias.PTH_NAME))
    monkeypatch.setattr(alias, "_other_theano", lambda: None)
    assert "absent" in alias.status()
    path = alias.install()
    assert open(path).read().strip() == alias.shim_dir()
    assert "present" in alias.status()
    # A fresh interpreter that reads the .pth imports the package as `theano`.
    code = (f"import site; site.addsitedir({str(tmp_path)!r}); import theano, theano.tensor as T; "
            f"print(theano.__file__); print(T.grad.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[0].startswith(alias.shim_dir() + os.sep)
    assert out[1] == "theon.gradient"
    assert alias.uninstall() == path and not os.path.exists(path)
    assert alias.uninstall() is None


def test_install_refuses_to_hide_behind_a_real_theano(tmp_path, monkeypatch):
    monkeypatch.setattr(alias, "_pth_path", lambda: str(tmp_path / alias.PTH_NAME))
    monkeypatch.setattr(alias, "_other_theano", lambda: "/site-packages/theano")
    try:
        alias.install()
        raise AssertionError("install went ahead")
    except SystemExit as e:
        assert "a Theano is installed at /site-packages/theano" in str(e)
    assert not (tmp_path / alias.PTH_NAME).exists()
    alias.install(force=True)
    assert (tmp_path / alias.PTH_NAME).exists()
    assert "real Theano" in alias.status()


def test_the_package_is_not_importable_as_theano_without_the_step():
    code = ("import sys, theon; import importlib.util; "
            "print(importlib.util.find_spec('theano') is None)")
    env = dict(os.environ)
    env.pop("PYTHONPATH", None) if "_theano_shim" in env.get("PYTHONPATH", "") else None
    out = subprocess.run([sys.executable, "-S", "-c", "import site; site.main(); " + code],
                         capture_output=True, text=True, env=env)
    if os.path.exists(alias._pth_path()):
        return  # the alias is installed in this environment: nothing to check
    assert out.stdout.strip() == "True", out.stderr


def test_command_line(capsys):
    assert alias.main([]) == 2
    assert "install" in capsys.readouterr().out
    assert alias.main(["status"]) == 0
    assert "alias file" in capsys.readouterr().out
