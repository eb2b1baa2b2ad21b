"""node_exporter-named metrics: the same series and values as the real node_exporter on the same tree,
and hostile trees that cost single samples, never the scrape."""

from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import Metric

from hwinspector.probes.export.node import NodeMetrics, clean_name, rapl_index_and_name, read_node_metrics
from tests.probes.sysfs_builder import extract_ttar, hwmon, make_eio, platform_device, rapl_zone, thermal_zone
from tests.prometheus_servers import NODE_EXPORTER, free_port, need, promtool_check, running, samples, wait_http

Key = tuple[str, frozenset[tuple[str, str]]]


def exposition(families: tuple[Metric, ...] | list[Metric]) -> str:
    class Fixed:
        def collect(self) -> list[Metric]:
            return list(families)

    reg = CollectorRegistry(auto_describe=False)
    reg.register(Fixed())  # type: ignore[arg-type]
    return generate_latest(reg).decode("utf-8")


def node_exporter_scrape(sysfs: Path) -> dict[Key, float]:
    """The real node_exporter's hwmon, power_supply, thermal, cpufreq and RAPL metrics of ``sysfs``."""
    binary = need(NODE_EXPORTER, "prometheus-node-exporter")
    port = free_port()
    argv = [
        binary,
        "--collector.disable-defaults",
        *(f"--collector.{c}" for c in ("hwmon", "powersupplyclass", "thermal_zone", "cpufreq", "rapl")),
        f"--path.sysfs={sysfs}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    with running(argv) as proc:
        text = wait_http(f"http://127.0.0.1:{port}/metrics", proc).decode("utf-8")
    prefixes = (
        "node_hwmon_",
        "node_power_supply_",
        "node_thermal_zone_",
        "node_cooling_device_",
        "node_cpu_",
        "node_rapl_",
    )
    return {k: v for k, v in samples(text).items() if k[0].startswith(prefixes)}


# Where we differ from node_exporter on purpose (see probes/export/node.py):
def _deliberately_different(key: Key) -> bool:
    name, labels = key[0], dict(key[1])
    chip = labels.get("chip", "")
    return (
        # node_exporter names three wifi chips (and two asus chips) alike and then fails its own scrape with
        # "collected before with the same name and label values"; we keep them apart
        chip in ("ieee80211_phy0", "platform_asus_nb_wmi")
        or name.endswith("_crit_alarm_celsius")  # an alarm flag scaled as a temperature
        or name.startswith("node_hwmon_pwm_")  # fan-curve settings of a pwm without a value
        or name == "node_power_supply_cyclecount"  # 0: the firmware does not count cycles; not a reading
        or name == "node_power_supply_info"  # without the serial number (privacy) and garbage bytes
    )


def test_same_series_and_values_as_node_exporter_on_its_own_fixture(corpus: Path, tmp_path: Path) -> None:
    extract_ttar(corpus / "other/prometheus-node_exporter/sys.ttar", tmp_path, "sys")
    sysfs = tmp_path / "sys"
    theirs = node_exporter_scrape(sysfs)
    result = read_node_metrics(sysfs)
    assert result.unavailable == ()
    text = exposition(result.families)
    ours = samples(text)
    expected = {k: v for k, v in theirs.items() if not _deliberately_different(k)}
    missing = sorted(f"{n}{dict(lbl)}" for n, lbl in expected.keys() - ours.keys())
    assert not missing, f"series node_exporter has and we lack: {missing}"
    wrong = {
        f"{k[0]}{dict(k[1])}": (ours[k], v) for k, v in expected.items() if abs(ours[k] - v) > 1e-9 * max(1.0, abs(v))
    }
    assert not wrong, f"(ours, node_exporter's): {wrong}"
    # The families a lab's dashboards use are really there.
    names = {k[0] for k in expected}
    for family in ("node_hwmon_temp_celsius", "node_hwmon_fan_rpm", "node_hwmon_in_volts", "node_power_supply_online",
                   "node_power_supply_energy_watthour", "node_thermal_zone_temp", "node_cpu_scaling_frequency_hertz",
                   "node_rapl_package_joules_total"):  # fmt: skip
        assert family in names
    assert promtool_check(text).returncode == 0


def test_chip_and_rapl_names_follow_node_exporter() -> None:
    assert clean_name("Physical id 0") == "physical_id_0"
    assert clean_name("__coretemp.0__") == "coretemp_0"
    used: dict[str, int] = {}
    assert rapl_index_and_name("package-1", used) == (1, "package")
    assert rapl_index_and_name("dram", used) == (0, "dram")
    used["dram"] = 1
    assert rapl_index_and_name("dram", used) == (1, "dram")


def hostile_tree(sysfs: Path) -> None:
    core = platform_device(sysfs, "coretemp.0")
    d = hwmon(
        sysfs,
        0,
        core,
        {
            "name": "coretemp",
            "temp1_input": 51000,
            "temp1_label": 'Package "0"\n} evil 1\nnode_fake 7',
            "temp2_input": 52000,
            "temp3_input": "not a number",
            "temp4_input": b"\xff\xfe\x00",
            "temp5_input": 55000,
        },
    )
    make_eio(d / "temp2_input")
    os.unlink(d / "temp5_input")
    os.mkfifo(d / "temp5_input")  # a FIFO planted in a fake tree must not hang the scrape
    # A second chip claiming the same device: two series with one label set would void the scrape.
    hwmon(sysfs, 1, core, {"name": "coretemp", "temp1_input": 60000})
    rapl_zone(sysfs, "intel-rapl:0", "package-0", 1_000_000)
    rapl_zone(sysfs, "intel-rapl:1", 'evil{name="x"} 1\n#', 2_000_000)
    thermal_zone(sysfs, 0, {"type": "acpitz", "temp": "garbage"})


def test_a_hostile_tree_costs_single_samples_and_stays_valid(tmp_path: Path) -> None:
    sysfs = tmp_path / "sys"
    hostile_tree(sysfs)
    result: NodeMetrics = read_node_metrics(sysfs)
    text = exposition(result.families)
    lint = promtool_check(text)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    got = samples(text)
    temps = {
        dict(k[1])["chip"] + "/" + dict(k[1])["sensor"]: v for k, v in got.items() if k[0] == "node_hwmon_temp_celsius"
    }
    # Only the readable inputs: EIO, garbage, bytes and the FIFO give no sample (never a made-up 0).
    assert temps == {"platform_coretemp_0/temp1": 51.0, "platform_coretemp_0_hwmon1/temp1": 60.0}
    labels = [dict(k[1])["label"] for k in got if k[0] == "node_hwmon_sensor_label"]
    assert labels == ['Package "0"\n} evil 1\nnode_fake 7']  # a label value, escaped, not a line of its own
    assert not any(k[0] == "node_fake" for k in got)
    rapl = {k[0] for k in got if k[0].startswith("node_rapl_")}
    assert rapl == {"node_rapl_package_joules_total", "node_rapl_evil_name__x___1___joules_total"}
    assert not any(k[0] == "node_thermal_zone_temp" for k in got)
    assert {sub for sub, _ in result.unavailable} == {"power_supply", "cpufreq"}


def test_missing_subsystems_are_reported_with_their_reason(tmp_path: Path) -> None:
    result = read_node_metrics(tmp_path)
    assert result.families == ()
    reasons = dict(result.unavailable)
    assert set(reasons) == {"hwmon", "power_supply", "thermal", "cpufreq", "rapl"}
    assert "does not exist" in reasons["hwmon"]
