"""The sandboxes the benchmarks compare, and how each one launches a command.

Shared by bench/startup, bench/throughput and bench/memory so every script
measures the same command lines. Standard library only.

A tool is skipped, with the reason printed, when it is not installed or
cannot run here (for example crun on a host whose cgroup v2 hierarchy is
shared with v1, or firejail for a user missing from firejail.users); a tool
that exits 0 without running the command is skipped too.
"""

import json
import os
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# Same minimal environment for every configuration (sbx cleans its own anyway).
ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8"}

ALL = ("bare", "floor", "least", "unshare", "bwrap", "nsjail", "crun", "firejail", "sbx")
PROBE = "sbx-bench-probe"


def build_dir():
    return os.environ.get("SBX_BUILD_DIR") or os.path.join(REPO, "build")


class Tool:
    """A sandbox (or baseline) and the command line that runs a workload in it."""

    def __init__(self, name, prefix=None, argv_fn=None, note=""):
        self.name = name
        self._prefix = prefix
        self._argv_fn = argv_fn
        self.note = note
        self.version = "?"
        self.skip = None  # reason, when the tool cannot be measured here

    def argv(self, workload, slot=0):
        """Command line running `workload` (a list); `slot` tells parallel launchers apart."""
        if self._argv_fn is not None:
            return self._argv_fn(workload, slot)
        return self._prefix + workload


def _which(name):
    return shutil.which(name, path=ENV["PATH"])


def _version(argv):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=5, env=ENV,
                           stdin=subprocess.DEVNULL)
        lines = (r.stdout or r.stderr).strip().splitlines()
        return lines[0] if lines else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def bwrap_prefix(bwrap, cwd):
    """bubblewrap with isolation roughly equivalent to sbx's defaults."""
    argv = [bwrap, "--unshare-all", "--die-with-parent", "--new-session",
            "--ro-bind", "/usr", "/usr"]
    # Merged-usr (Debian 12): /bin, /lib, ... are symlinks into /usr.
    for d in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = "/" + d
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            argv += ["--ro-bind", path, path]
    argv += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    if cwd != "/":  # like sbx: a cwd of / is not mounted
        argv += ["--ro-bind", cwd, "/workspace", "--chdir", "/workspace"]
    argv += ["--cap-drop", "ALL", "--"]
    return argv


def nsjail_prefix(nsjail):
    """nsjail in user-namespace mode with its default namespaces and a read-only /."""
    return [nsjail, "--quiet", "--mode", "o", "--chroot", "/", "--disable_rlimits",
            "--time_limit", "0", "--"]


def firejail_prefix(firejail):
    return [firejail, "--quiet", "--noprofile", "--net=none", "--private-tmp",
            "--caps.drop=all", "--nonewprivs", "--seccomp", "--"]


class CrunBundles:
    """Rootless OCI bundles (one per workload) whose root is the host's / read-only."""

    def __init__(self, crun):
        self.crun = crun
        self.dir = tempfile.mkdtemp(prefix="sbx-bench-crun.")
        self.state = os.path.join(self.dir, "state")
        self.bundles = {}
        spec = os.path.join(self.dir, "spec")
        os.mkdir(spec)
        subprocess.run([crun, "spec", "--rootless"], cwd=spec, check=True, env=ENV,
                       capture_output=True, timeout=10)
        with open(os.path.join(spec, "config.json")) as f:
            self.spec = json.load(f)

    def argv(self, workload, slot):
        key = tuple(workload)
        bundle = self.bundles.get(key)
        if bundle is None:
            bundle = os.path.join(self.dir, f"b{len(self.bundles)}")
            os.mkdir(bundle)
            cfg = json.loads(json.dumps(self.spec))
            cfg["root"] = {"path": "/", "readonly": True}
            cfg["process"]["terminal"] = False
            cfg["process"]["args"] = list(workload)
            cfg["process"]["cwd"] = "/"
            with open(os.path.join(bundle, "config.json"), "w") as f:
                json.dump(cfg, f)
            self.bundles[key] = bundle
        # Container ids must be unique among concurrent runs.
        return [self.crun, "--cgroup-manager=disabled", "--root", self.state, "run",
                "--bundle", bundle, f"sbx-bench-{os.getpid()}-{slot}"]

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def resolve_sbx(arg):
    if arg is not None:
        return os.path.abspath(arg)
    for cand in (os.path.join(os.getcwd(), "build", "sbx"), os.path.join(build_dir(), "sbx")):
        if os.path.exists(cand):
            return cand
    return os.path.join(build_dir(), "sbx")


def make_tools(names, sbx=None, timeout=10.0):
    """Tools for `names`, each checked once (tool.skip set when it cannot run)."""
    cwd = os.getcwd()
    tools, cleanups = [], []
    for name in names:
        if name == "bare":
            t = Tool(name, prefix=[], note="the workload exec'd directly")
        elif name == "floor":
            exe = os.path.join(build_dir(), "bench", "sbx-bench-floor")
            t = Tool(name, prefix=[exe], note="clone3 with user+mnt+pid+net+ipc+uts, then exec")
            if not os.path.exists(exe):
                t.skip = f"{exe} not built (cmake --build build --target sbx-bench-floor)"
        elif name == "least":
            exe = os.path.join(build_dir(), "bench", "sbx-bench-least")
            t = Tool(name, prefix=[exe], note="the floor plus every layer, nothing else (bench/least.cc)")
            if not os.path.exists(exe):
                t.skip = f"{exe} not built (cmake --build build --target sbx-bench-least)"
        elif name == "unshare":
            exe = _which("unshare")
            t = Tool(name, prefix=[exe or "unshare", "-Urmpnif", "--mount-proc", "--"])
            if not exe:
                t.skip = "unshare(1) not installed (util-linux)"
            t.version = _version([exe, "--version"]) if exe else "?"
        elif name == "bwrap":
            exe = _which("bwrap")
            t = Tool(name, prefix=bwrap_prefix(exe or "bwrap", cwd))
            if not exe:
                t.skip = "not installed (bench/setup, or apt-get install bubblewrap)"
            t.version = _version([exe, "--version"]) if exe else "?"
        elif name == "nsjail":
            exe = _which("nsjail")
            t = Tool(name, prefix=nsjail_prefix(exe or "nsjail"))
            if not exe:
                t.skip = "not installed (Debian 12 does not package nsjail)"
        elif name == "crun":
            exe = _which("crun")
            if exe:
                bundles = CrunBundles(exe)
                cleanups.append(bundles.cleanup)
                t = Tool(name, argv_fn=bundles.argv)
                t.version = _version([exe, "--version"])
            else:
                t = Tool(name, prefix=["crun"])
                t.skip = "not installed (bench/setup, or apt-get install crun)"
        elif name == "firejail":
            exe = _which("firejail")
            t = Tool(name, prefix=firejail_prefix(exe or "firejail"))
            if not exe:
                t.skip = "not installed (bench/setup, or apt-get install firejail)"
            t.version = _version([exe, "--version"]) if exe else "?"
        elif name == "sbx":
            exe = resolve_sbx(sbx)
            t = Tool(name, prefix=[exe, "exec", "--"], note="every layer on (the default)")
            if not os.access(exe, os.X_OK):
                t.skip = f"{exe} not found (build it, or pass --sbx PATH)"
            t.version = _version([exe, "--version"]) if not t.skip else "?"
        else:
            raise ValueError(f"unknown tool {name!r}")
        if not t.skip and name != "bare":
            t.skip = check(t.argv(["/bin/echo", PROBE]), timeout, PROBE)
        tools.append(t)
    return tools, cleanups


def check(argv, timeout, expect=None):
    """One untimed run with output captured; returns None if OK, else a reason.

    With `expect`, stdout must contain it: that proves the tool really ran the
    command rather than exiting 0 without doing anything."""
    try:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, env=ENV, timeout=timeout, start_new_session=True)
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout:g}s"
    except OSError as e:
        return f"cannot run: {e}"
    if r.returncode != 0:
        first = (r.stderr or r.stdout or "").strip().splitlines()
        detail = f": {first[0][:160]}" if first else ""
        return f"cannot run here, exit status {r.returncode}{detail}"
    if expect is not None and expect not in r.stdout:
        return f"exit status 0 but the command did not run (no {expect!r} on stdout)"
    return None


def parse_tools(text, parser):
    names = [t.strip() for t in text.split(",") if t.strip()]
    for t in names:
        if t not in ALL:
            parser.error(f"unknown tool {t!r} (known: {', '.join(ALL)})")
    if "bare" not in names:
        names.insert(0, "bare")  # the baseline is always measured
    return names


def percentile(sorted_vals, q):
    """Linear interpolation between closest ranks (numpy's default)."""
    if not sorted_vals:
        return float("nan")
    k = (len(sorted_vals) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (k - lo)


def print_table(hdr, rows, md):
    """rows: lists of cells; a row whose second cell starts with 'skipped' spans the table."""
    if md:
        print("| " + " | ".join(hdr) + " |")
        print("|" + "|".join(["---"] + ["---:"] * (len(hdr) - 1)) + "|")
        for r in rows:
            if r[1].startswith("skipped"):
                print(f"| {r[0]} | {r[1]} |" + " |" * (len(hdr) - 2))
            else:
                print("| " + " | ".join(r) + " |")
        return
    full = [r for r in rows if not r[1].startswith("skipped")]
    widths = [max([len(hdr[i])] + [len(r[i]) for r in (rows if i == 0 else full)])
              for i in range(len(hdr))]

    def line(cells):
        return "  ".join(c.ljust(widths[0]) if k == 0 else c.rjust(widths[k])
                         for k, c in enumerate(cells))
    print(line(hdr))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        if r[1].startswith("skipped"):
            print(r[0].ljust(widths[0]) + "  " + r[1])
        else:
            print(line(r))
