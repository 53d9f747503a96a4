"""Benchmark runner: every workload on every system in one run, same dtype and thread count,
median of the repeats, and Theon's time over the best peer's for each row.

    python benchmarks/run.py [--smoke] [--only WORKLOAD ...] [--out DIR] [--threads N]
                             [--repeats N] [--systems theon numpy ...] [--render]

Run it with the peers' environment (bash benchmarks/setup_peers.sh, then
~/.cache/theon-bench/venv/bin/python benchmarks/run.py) to compare against them all; with any
Python that has Theon and NumPy it runs and lists the other peers as not installed. Writes
DIR/latest.md and DIR/latest.json (DIR defaults to benchmarks/results).

Each (workload, system) pair runs in a worker process of its own (this script with --worker),
pinned to --threads CPUs with every library's thread pool capped to the same number.
"""

import argparse
import datetime
import importlib
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402
from workloads import ORDER  # noqa: E402

ROW_TAG = "@@row "


def load(name):
    return importlib.import_module(f"workloads.{name}")


# ---------------------------------------------------------------------------------------------
# Worker side: one workload on one system, one JSON line per case on stdout.

def emit(record):
    sys.stdout.write(ROW_TAG + json.dumps(record) + "\n")
    sys.stdout.flush()


def run_worker(args):
    harness.pin_threads(args.threads)
    import systems
    systems.configure(args.threads)
    module = load(args.worker)
    if args.probe:
        emit(module.probe(args.system, args.probe, args.smoke))
        return
    if args.system == "__availability__":
        report = {}
        for s in harness.SYSTEMS:
            report[s] = {"missing": harness.availability(s), "version": _version(s)}
        emit(report)
        return
    for case in module.cases(args.smoke):
        record = {"case": case["id"]}
        try:
            if hasattr(module, "measure"):
                # Workloads whose figure is not a call's time (compile time, memory) measure
                # themselves.
                record.update(module.measure(args.system, case, args))
            else:
                record.update(_time_case(module, args, case))
        except systems.NotApplicable:
            record["status"] = "n/a"
        except Exception as e:  # a peer's failure becomes the row's note, the run goes on
            record["status"] = "error"
            record["note"] = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"[:200]
        emit(record)


def _time_case(module, args, case):
    data = module.setup(case)
    fn = module.build(args.system, case, data)
    got = fn()
    if hasattr(fn, "state"):
        got = [got] + list(fn.state())
    rtol, atol = data.get("tol", (1e-6, 1e-8))
    mismatch = harness.check(got, data["expected"], rtol, atol)
    record = dict(data.get("record", {}))
    if mismatch is None and data.get("dtype_of"):
        first = got[0] if isinstance(got, (list, tuple)) else got
        got_dtype = str(harness.to_numpy(first).dtype)
        if got_dtype != data["dtype_of"]:
            mismatch = f"result dtype {got_dtype}, expected {data['dtype_of']}"
    if mismatch is not None:
        record.update(status="mismatch", note=mismatch)
        return record
    seconds, number = harness.median_time(
        fn, args.repeats, 0.005 if args.smoke else case.get("min_time", 0.2), case.get("number"))
    record.update(status="ok", seconds=seconds, number=number, repeats=args.repeats)
    if hasattr(module, "value"):
        record["value"] = module.value(case, seconds)
    return record


def _version(system):
    dist = harness.PACKAGE[system]
    try:
        from importlib.metadata import version
        return version(dist)
    except Exception:
        return None


# ---------------------------------------------------------------------------------------------
# Parent side: workers, the table, the files.

def spawn_worker(args, workload, system, timeout):
    """Runs one worker; returns (records, failure) where failure explains a crash or timeout."""
    env = dict(os.environ)
    env.update(harness.thread_env(args.threads))
    env.update(getattr(load(workload), "WORKER_ENV", {}))
    cmd = [args.python, os.path.abspath(__file__), "--worker", workload, "--system", system,
           "--threads", str(args.threads), "--repeats", str(args.repeats)]
    if args.smoke:
        cmd.append("--smoke")
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        out, err, rc = proc.stdout, proc.stderr, proc.returncode
        failure = None if rc == 0 else f"worker exited {rc}: {_last_line(err)}"
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        failure = f"timeout after {timeout} s"
    records = [json.loads(line[len(ROW_TAG):]) for line in out.splitlines()
               if line.startswith(ROW_TAG)]
    return records, failure


def _last_line(text):
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:200] if lines else "no output"


def fmt_seconds(s):
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.2f} µs"


def fmt_cell(rec, module):
    status = rec.get("status")
    if status == "ok":
        if "value" in rec:
            return module.format_value(rec["value"]) if hasattr(module, "format_value") \
                else f"{rec['value']:.4g}"
        return fmt_seconds(rec["seconds"])
    if status in ("n/a", "not installed"):
        return status
    return f"{status}: {rec.get('note', '')}".replace("|", "/")


def cost(rec):
    """The figure compared across systems, lower is better."""
    return rec.get("cost", rec.get("seconds"))


def summarize(module, results, systems, smoke):
    """Rows of one workload: per case, each system's record and Theon over the best peer."""
    rows = []
    for case in module.cases(smoke):
        cells = {s: results.get(s, {}).get(case["id"], {"status": "error", "note": "no result"})
                 for s in systems}
        peers = {s: cost(r) for s, r in cells.items()
                 if s != "theon" and r.get("status") == "ok" and cost(r) is not None
                 and s not in getattr(module, "NOT_PEERS", ())}
        row = {"case": case["id"], "results": cells}
        theon = cells.get("theon", {})
        if peers:
            best = min(peers, key=peers.get)
            row["best_peer"] = best
            if theon.get("status") == "ok" and cost(theon) is not None and peers[best] > 0:
                row["ratio"] = cost(theon) / peers[best]
        rows.append(row)
    return rows


def markdown(report):
    lines = ["# Benchmark results", ""]
    m = report["machine"]
    lines += [f"- date: {report['date']}",
              f"- machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; {m['os']}",
              f"- Python {m['python']}; threads per system: {report['threads']} "
              f"(processes pinned to that many CPUs); repeats: median of {report['repeats']}"
              + (" (smoke mode: tiny sizes)" if report["smoke"] else ""),
              f"- command: `{report['command']}`", "", "Systems:", ""]
    for s in report["systems"]:
        info = report["availability"][s]
        state = info["missing"] or f"{harness.PACKAGE[s]} {info['version'] or '?'}"
        lines.append(f"- {harness.LABELS[s]}: {state}")
    if report.get("copy_bandwidth"):
        lines += ["", f"Copy bandwidth (np.copyto, 10^7 float64, read + write): "
                      f"{report['copy_bandwidth'] / 1e9:.2f} GB/s"]
    lines.append("")
    lines.append("'Theon / best' is Theon's time (or memory) over the best peer's in the same "
                 "row: below 1 Theon leads, above 1 it trails.")
    for w in report["workloads"]:
        wl = report["workloads"][w]
        module = load(w)
        cols = [s for s in report["systems"]
                if any(r["results"][s].get("status") != "n/a" for r in wl["rows"])]
        extra = getattr(module, "EXTRA_COLUMN", None)
        head = ["case"] + [harness.LABELS[s] for s in cols] + ["Theon / best", "best peer"]
        if extra:
            head.append(extra[0])
        lines += ["", f"## {wl['title']}", "", wl["note"], "",
                  "| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
        for r in wl["rows"]:
            cells = [r["case"]] + [fmt_cell(r["results"][s], module) for s in cols]
            cells.append(_fmt_ratio(r["ratio"]) if "ratio" in r else "-")
            cells.append(harness.LABELS[r["best_peer"]] if "best_peer" in r else "-")
            if extra:
                cells.append(extra[1](r, report))
            lines.append("| " + " | ".join(cells) + " |")
        notes = sorted({f"{harness.LABELS[s]}: {r['results'][s]['note']}" for r in wl["rows"]
                        for s in cols if r["results"][s].get("status") == "ok"
                        and r["results"][s].get("note")})
        if notes:
            lines += [""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def _fmt_ratio(x):
    return f"{x:.2f}" if x >= 0.1 else f"{x:.2g}"


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        mem = "?"
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem,
            "os": f"{platform.system()} {platform.release()}",
            "python": platform.python_version()}


def run_parent(args):
    out_dir = args.out or os.path.join(HERE, "results")
    os.makedirs(out_dir, exist_ok=True)
    if args.render:
        with open(os.path.join(out_dir, "latest.json")) as f:
            print(_write(json.load(f), out_dir))
        return
    workloads = args.only or ORDER
    for w in workloads:
        if w not in ORDER:
            sys.exit(f"unknown workload {w!r}; known: {', '.join(ORDER)}")
    systems = args.systems or harness.SYSTEMS

    records, failure = spawn_worker(args, "call", "__availability__", 600)
    if failure or not records:
        sys.exit(f"cannot probe the systems: {failure}")
    avail = records[0]
    report = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
              "machine": machine(), "threads": args.threads, "repeats": args.repeats,
              "smoke": args.smoke, "command": " ".join(["python"] + sys.argv),
              "python": args.python, "systems": systems,
              "availability": {s: avail[s] for s in systems}, "workloads": {}}
    if "elemwise" in workloads:
        report["copy_bandwidth"] = load("elemwise").copy_bandwidth(args.smoke, args.repeats)

    for w in workloads:
        module = load(w)
        results = {}
        t0 = time.perf_counter()
        for s in systems:
            missing = avail[s]["missing"]
            if missing:
                results[s] = {c["id"]: {"status": "not installed", "note": missing}
                              for c in module.cases(args.smoke)}
                continue
            recs, failure = spawn_worker(args, w, s, args.timeout)
            results[s] = {r["case"]: r for r in recs}
            for c in module.cases(args.smoke):
                if c["id"] not in results[s]:
                    results[s][c["id"]] = {"status": "error", "note": failure or "no result"}
            print(f"  {w:12s} {s:15s} done", file=sys.stderr, flush=True)
        report["workloads"][w] = {"title": module.TITLE, "note": module.NOTE,
                                  "rows": summarize(module, results, systems, args.smoke),
                                  "seconds": time.perf_counter() - t0}
        # Written after each workload so that a long run interrupted late keeps what it had.
        _write(report, out_dir)
    text = _write(report, out_dir)
    print(text)


def _write(report, out_dir):
    text = markdown(report)
    with open(os.path.join(out_dir, "latest.md"), "w") as f:
        f.write(text)
    with open(os.path.join(out_dir, "latest.json"), "w") as f:
        json.dump(report, f, indent=1)
    return text


def parse(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds in all")
    p.add_argument("--only", nargs="+", metavar="WORKLOAD", help=f"any of {', '.join(ORDER)}")
    p.add_argument("--out", help="directory for latest.md and latest.json")
    p.add_argument("--threads", type=int, default=1, help="threads per system (default 1)")
    p.add_argument("--repeats", type=int, default=None, help="default 7, smoke 2")
    p.add_argument("--systems", nargs="+", choices=harness.SYSTEMS, help="default: all")
    p.add_argument("--python", default=sys.executable, help="interpreter of the workers")
    p.add_argument("--timeout", type=int, default=3600, help="seconds per worker")
    p.add_argument("--render", action="store_true",
                   help="only rewrite DIR/latest.md from DIR/latest.json")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--system", help=argparse.SUPPRESS)
    p.add_argument("--probe", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.repeats is None:
        args.repeats = 2 if args.smoke else 7
    return args


if __name__ == "__main__":
    ARGS = parse()
    if ARGS.worker:
        run_worker(ARGS)
    else:
        run_parent(ARGS)
