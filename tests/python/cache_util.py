"""Helpers of the kernel cache tests (test_cache_trust.py, test_cache_hygiene.py): a child
process that builds functions with generated kernels, the entry's manifest format, and a planted
library that leaves a marker file if it is ever loaded."""

import json
import os
import subprocess
import sys
import textwrap

CXX = os.environ.get("CXX") or "g++"

# Two functions with different fused loops (two modules); prints their kernel states and
# whether the results are right.
CHILD = """
import json, numpy as np, theon, theon.tensor as T
x = T.vector('x')
a = np.arange(5.0)
f = theon.function([x], T.exp(x) * 2 + T.sin(x) * 7)
g = theon.function([x], T.cos(x) * 3 - T.tanh(x))
ok = bool(np.allclose(f(a), np.exp(a) * 2 + np.sin(a) * 7)
          and np.allclose(g(a), np.cos(a) * 3 - np.tanh(a)))
print(json.dumps({"states": [f.kernels["state"], g.kernels["state"]],
                  "from_cache": [f.kernels["from_cache"], g.kernels["from_cache"]], "ok": ok}))
"""

# What CHILD prints when both functions compile, load from the cache, or run without kernels.
BUILT = {"states": ["installed", "installed"], "from_cache": [False, False], "ok": True}
CACHED = {"states": ["installed", "installed"], "from_cache": [True, True], "ok": True}
FALLBACK = {"states": ["failed", "failed"], "from_cache": [False, False], "ok": True}


def flags(cache, cxx=CXX, **more):
    items = {"compiledir": cache, "compile_wait": True, "cxx": cxx, **more}
    return {"THEON_FLAGS": ",".join(f"{k}={v}" for k, v in items.items())}


def run_python(code, env_extra, timeout=120):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), **env_extra)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=env, timeout=timeout)


def run_child(cache, **more):
    """Runs CHILD on the cache `cache`; returns (its JSON result, its stderr)."""
    r = run_python(CHILD, flags(cache, **more))
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout), r.stderr


def entries(cache):
    return sorted(d for d in cache.iterdir() if d.is_dir() and not d.name.startswith("tmp-"))


def temporaries(cache):
    return sorted(d for d in cache.iterdir() if d.name.startswith("tmp-"))


def manifest_for(library):
    """An entry's manifest: the library's size and its 64-bit FNV-1a checksum in hex."""
    h = 0xcbf29ce484222325
    for byte in library:
        h = ((h ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{len(library)} {h:016x}\n"


def build_planted_library(directory, marker):
    """A shared library whose constructor writes `marker`: loading it runs its code."""
    source = directory / "planted.cpp"
    source.write_text(textwrap.dedent(f"""
        #include <cstdio>
        __attribute__((constructor)) static void planted() {{
          std::FILE* f = std::fopen("{marker}", "w");
          if (f) {{ std::fputs("ran", f); std::fclose(f); }}
        }}
    """))
    library = directory / "planted.so"
    subprocess.run([CXX, "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    return library.read_bytes()


def plant(entry, library, valid_manifest=True):
    """Replaces the entry's library by `library`, with a manifest that matches it or not."""
    (entry / "module.so").write_bytes(library)
    if valid_manifest:
        (entry / "manifest").write_text(manifest_for(library))
