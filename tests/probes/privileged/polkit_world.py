"""Run inside a private mount namespace (unshare --mount): a real dbus-daemon --system and polkitd,
our polkit action and a test rule bind-mounted over the system's folders, then the real client
through the real pkexec. Prints one JSON line of what happened; the test judges it.

Nothing is installed on the machine: the bind mounts vanish with the namespace, and the two
daemons are ended by their pids before leaving. A checkout under a folder other users cannot enter
(a clone in ``mktemp -d``) is made reachable in the namespace first: pkexec checks, as the calling
user, that the helper's path is accessible before it asks polkit.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from hwinspector.probes.privileged.client import HelperClient, HelperRefused, HelperUnavailable
from tests.other_user import expose, needed_paths

RULE = """polkit.addRule(function(action, subject) {
    if (action.id == "io.github.hwinspector.helper" && subject.user == "nobody") {
        return polkit.Result.YES;
    }
});
"""


def main() -> int:
    tmp, policy, helper = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    expose(needed_paths())  # this process is in its own mount namespace already (unshare --mount)
    for name in ("run-dbus", "actions", "rules"):
        (tmp / name).mkdir(mode=0o755)
        os.chmod(tmp / name, 0o755)
    for f in Path("/usr/share/polkit-1/actions").glob("*.policy"):
        (tmp / "actions" / f.name).write_bytes(f.read_bytes())
    # the packaged action, pointing at this checkout's helper instead of /usr/bin's
    text = policy.read_text().replace("/usr/bin/hwinspector-helper", helper)
    (tmp / "actions" / policy.name).write_text(text)
    (tmp / "rules" / "50-hwinspector-test.rules").write_text(RULE)
    for src, dst in (
        ("run-dbus", "/run/dbus"),
        ("actions", "/usr/share/polkit-1/actions"),
        ("rules", "/etc/polkit-1/rules.d"),
    ):
        Path(dst).mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "--bind", str(tmp / src), dst], check=True)
    bus = subprocess.Popen(["dbus-daemon", "--system", "--nofork", "--nopidfile"])
    polkitd = None
    out: dict[str, object] = {}
    try:
        for _ in range(100):
            if Path("/run/dbus/system_bus_socket").exists():
                break
            time.sleep(0.05)
        polkitd = subprocess.Popen(["/usr/lib/polkit-1/polkitd", "--no-debug"], stderr=subprocess.DEVNULL)
        time.sleep(1.0)  # polkitd claims org.freedesktop.PolicyKit1 after loading actions and rules
        as_user = "setpriv --reuid={uid} --regid={uid} --clear-groups pkexec"
        os.environ["HWINSPECTOR_HELPER_LAUNCHER"] = as_user.format(uid=65534)  # nobody: granted by the rule
        with HelperClient(start_timeout_s=30) as client:
            out["allowed_uid"] = client.uid
            listed = client.request("list")
            out["listed_ops"] = listed["ops"]
            try:
                client.request("read", ids=["/etc/shadow"])
                out["path_read"] = "answered"
            except HelperRefused as exc:
                out["path_read"] = f"refused: {exc}"
            out["after_refusal"] = client.request("hello")["ok"]
        os.environ["HWINSPECTOR_HELPER_LAUNCHER"] = as_user.format(uid=1)  # daemon: no rule, no agent
        try:
            with HelperClient(start_timeout_s=30) as client:
                out["denied"] = f"started as uid {client.uid}"
        except HelperUnavailable as exc:
            out["denied"] = str(exc)
    finally:
        for p in (polkitd, bus):
            if p is not None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
