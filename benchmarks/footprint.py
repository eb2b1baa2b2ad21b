"""Benchmark: the inspector's own footprint — wakeups/s and CPU of the GUI idle on each page, and powertop's.

A child process runs the main window offscreen on the live machine and shows the page the parent names
on its stdin (a QSocketNotifier: the child itself blocks on the pipe, it does not poll). The parent,
for each page, waits for the page to settle and then measures the child over a window from /proc:
wakeups/s are voluntary context switches summed over /proc/PID/task/*/status (a thread that blocks and
is woken once counts once), CPU is utime + stime of /proc/PID/stat over wall time.

powertop (root, `--csv`) then runs over one more window on the Devices page, side by side: its own
cost from /proc in the same way, and the wakeups it attributes to our process, an outside figure to
hold ours against. Budget: <= 2 wakeups/s and <= 0.5 % CPU on every page without live plots.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BUDGET_WAKEUPS_PER_S = 2.0
BUDGET_CPU_PERCENT = 0.5
CLK_TCK = os.sysconf("SC_CLK_TCK")

CHILD = r"""
import os, sys
from PySide6.QtCore import QSocketNotifier
from PySide6.QtWidgets import QApplication
from hwinspector.main_window import MainWindow

app = QApplication(sys.argv)
w = MainWindow()
w.resize(1280, 800)
w.show()
w.start()
buf = b""

def command() -> None:
    global buf
    data = os.read(0, 4096)
    if not data:
        w.shutdown()
        app.quit()
        return
    buf += data
    while b"\n" in buf:
        line, buf = buf.split(b"\n", 1)
        word = line.decode().strip()
        if word.split(" ")[0] == "tick":
            page = w.pages["telemetry"]
            page.channels.set_checked([x for x in word[5:].split(",") if x])
            print("ticked", flush=True)
            continue
        if word.split(" ")[0] == "measure":  # Idle & suspend: Measure idle for N seconds
            w.show_page("idle")
            page = w.pages["idle"]
            page.duration.setValue(int(word.split(" ")[1]))
            page.measure.click()
            print("measuring", flush=True)
            continue
        if word == "quit":
            w.shutdown()
            app.quit()
            return
        ok = w.show_page(word)
        print(("shown " if ok else "unknown ") + word, flush=True)

note = QSocketNotifier(0, QSocketNotifier.Type.Read)
note.activated.connect(command)
print("ready " + " ".join(w.pages), flush=True)
sys.exit(app.exec())
"""


def switches_by_thread(pid: int) -> dict[int, int]:
    """Voluntary context switches of every thread of the process: how often each blocked and was woken."""
    out = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            for line in (task / "status").read_text().splitlines():
                if line.startswith("voluntary_ctxt_switches:"):
                    out[int(task.name)] = int(line.split()[1])
    return out


def woken(before: dict[int, int], after: dict[int, int]) -> int:
    """Wakeups between two readings: threads started in between count from zero; a thread that ended
    in between takes its last switches with it (a worker thread of a pool, rarely)."""
    return sum(n - before.get(tid, 0) for tid, n in after.items())


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14 and 15)


def children_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / CLK_TCK  # cutime, cstime of waited-for children


def measure(pid: int, seconds: float) -> dict[str, float]:
    s0, c0, t0 = switches_by_thread(pid), cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    s1, c1, t1 = switches_by_thread(pid), cpu_seconds(pid), time.monotonic()
    dt = t1 - t0
    return {
        "wakeups_per_s": round(woken(s0, s1) / dt, 2),
        "cpu_percent": round(100 * (c1 - c0) / dt, 3),
        "seconds": round(dt, 2),
    }


def thread_ids(pid: int) -> set[int]:
    return {int(t.name) for t in Path(f"/proc/{pid}/task").iterdir()}


def powertop_lines(text: str, pids: set[int]) -> list[dict[str, Any]]:
    """powertop's "Overview of Software Power Consumers" rows for these pids (threads are listed apart):
    `Usage;Wakeups/s;GPU ops/s;Disk IO/s;GFX Wakeups/s;Category;Description`."""
    out = []
    for line in text.splitlines():
        cells = line.split(";")
        if len(cells) < 7 or cells[5].strip() != "Process":
            continue
        m = re.match(r"\s*\[PID (\d+)\]\s*(.*)", cells[6])
        if m and int(m.group(1)) in pids:
            wakeups = cells[1].strip()
            out.append(
                {
                    "pid": int(m.group(1)),
                    "usage": cells[0].strip(),
                    "wakeups_per_s": float(wakeups) if wakeups else 0.0,
                    "what": m.group(2)[:60],
                }
            )
    return out


def powertop_side_by_side(gui_pid: int, seconds: int) -> dict[str, Any]:
    """powertop over the same window as a measurement of the GUI: its own cost and what it says of us."""
    exe = shutil.which("powertop")
    if exe is None:
        return {"skipped": "powertop is not installed (apt-get install powertop)"}
    if os.geteuid() != 0:
        return {"skipped": "powertop needs root (perf events)"}
    tids = thread_ids(gui_pid)
    with tempfile.TemporaryDirectory() as d:
        csv = Path(d) / "powertop.csv"
        t_start = time.monotonic()
        proc = subprocess.Popen(
            [exe, f"--time={seconds}", f"--csv={csv}"], cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        # powertop reads every device first, then measures for --time seconds, then writes its report:
        # both processes are measured over a window inside its measuring time.
        time.sleep(1.0)
        try:
            pt0, ps0 = cpu_seconds(proc.pid), switches_by_thread(proc.pid)
            g = measure(gui_pid, seconds - 1.5)
            pt1, ps1 = cpu_seconds(proc.pid), switches_by_thread(proc.pid)
        except OSError as exc:
            proc.wait(60)
            return {"skipped": f"powertop exited early (exit {proc.returncode}): {exc}"}
        _, status, usage = os.wait4(proc.pid, 0)
        total_s = time.monotonic() - t_start
        text = csv.read_text(errors="replace") if csv.exists() else ""
    seen = g["seconds"]
    ours = powertop_lines(text, tids | {gui_pid})
    return {
        "exit_status": status,
        "gui_during_powertop": g,
        "powertop_self_during_window": {
            "wakeups_per_s": round(woken(ps0, ps1) / seen, 2),
            "cpu_percent": round(100 * (pt1 - pt0) / seen, 3),
        },
        "powertop_whole_run": {
            "seconds": round(total_s, 2),
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
            "voluntary_switches": usage.ru_nvcsw,
            "cpu_percent": round(100 * (usage.ru_utime + usage.ru_stime) / total_s, 2),
        },
        "powertop_says_of_gui": {
            "wakeups_per_s": round(sum(x["wakeups_per_s"] for x in ours), 2),
            "rows": ours,
        },
    }


BARE = (
    "import sys, os; from PySide6.QtCore import QSocketNotifier; "
    "from PySide6.QtWidgets import QApplication, QMainWindow, QLabel; app = QApplication(sys.argv); "
    "w = QMainWindow(); w.setCentralWidget(QLabel('x')); w.resize(1280, 800); w.show(); "
    "n = QSocketNotifier(0, QSocketNotifier.Type.Read); n.activated.connect(lambda: app.quit()); "
    "print('ready', flush=True); app.exec()"
)


def bare_window(window: float, env: dict[str, str]) -> dict[str, float]:
    """The baseline in the same run: a bare PySide6 window, idle, measured the same way."""
    proc = subprocess.Popen([sys.executable, "-c", BARE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stdin is not None
    try:
        proc.stdout.readline()
        time.sleep(1.0)
        return measure(proc.pid, window)
    finally:
        proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cli_idle_measurement(span: int, settle: float, window: float, env: dict[str, str]) -> dict[str, Any]:
    """`hwinspector idle` measured from /proc over the same kind of window, and what it says of itself."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "hwinspector", "idle", "--duration", str(span), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        time.sleep(settle)
        outside = measure(proc.pid, window)
        out, _ = proc.communicate(timeout=span + 60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    try:
        own = json.loads(out).get("self", {})
    except (json.JSONDecodeError, AttributeError):
        own = {}
    return {"from_proc": outside, "its_own_report": own}


def main() -> int:
    settle = float(os.environ.get("SETTLE_S", "3"))
    window = float(os.environ.get("WINDOW_S", "10"))  # CPU time is counted in 10 ms ticks: keep it long
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        first = child.stdout.readline().split()
        if not first or first[0] != "ready":
            print(json.dumps({"benchmark": "footprint", "error": "the GUI did not start"}))
            return 2
        pages = first[1:]
        # start-up (the first snapshot, the scorecard, the bus) is not idle: wait until it has finished,
        # seen as a quiet second, for at most 30 s
        started = time.monotonic()
        time.sleep(settle)
        while time.monotonic() - started < 30 and measure(child.pid, 1.0)["wakeups_per_s"] > 5:
            pass
        startup_s = round(time.monotonic() - started, 1)
        results: dict[str, Any] = {}
        for page in pages:
            child.stdin.write(page + "\n")
            child.stdin.flush()
            child.stdout.readline()
            time.sleep(settle)
            results[page] = measure(child.pid, window)
        # Measure idle in the window, against the CLI's own measurement in the same run: the window asks the
        # user to leave the machine alone, so it must cost what `hwinspector idle` costs
        span = int(window + 2 * settle + 2)
        child.stdin.write(f"measure {span}\n")
        child.stdin.flush()
        child.stdout.readline()
        time.sleep(settle)
        measuring = measure(child.pid, window)
        time.sleep(max(0.0, span - settle - window) + 2)
        cli = cli_idle_measurement(span, settle, window, env)
        # for comparison, not budgeted: the Telemetry page plotting CPU utilisation live (10 Hz)
        child.stdin.write("telemetry\n")
        child.stdin.flush()
        child.stdout.readline()
        child.stdin.write("tick system:cpu\n")
        child.stdin.flush()
        child.stdout.readline()
        time.sleep(settle)
        plotting = measure(child.pid, window)
        child.stdin.write("tick \n")
        child.stdin.flush()
        child.stdout.readline()
        child.stdin.write("devices\n")
        child.stdin.flush()
        child.stdout.readline()
        time.sleep(settle)
        side = powertop_side_by_side(child.pid, int(window))
        child.stdin.write("quit\n")
        child.stdin.flush()
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    baseline = bare_window(window, env)
    over = {
        p: r
        for p, r in {**results, "measuring idle": measuring}.items()
        if r["wakeups_per_s"] > BUDGET_WAKEUPS_PER_S or r["cpu_percent"] > BUDGET_CPU_PERCENT
    }
    out = {
        "benchmark": "footprint",
        "settle_s": settle,
        "startup_settled_after_s": startup_s,
        "window_s": window,
        "bare_pyside6_window": baseline,
        "gui_idle_by_page": results,
        "budget": {"wakeups_per_s": BUDGET_WAKEUPS_PER_S, "cpu_percent": BUDGET_CPU_PERCENT},
        "gui_measuring_idle": measuring,
        "cli_measuring_idle": cli,
        "pages_over_budget": sorted(over),
        "telemetry_plotting_cpu_utilisation": plotting,
        "powertop": side,
    }
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
