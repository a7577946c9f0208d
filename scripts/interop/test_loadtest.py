"""`skyshard loadtest` against the real demo server: a few seconds of each mix, every kind of
query answered without an error, and the server's memory read from /proc."""

import json
import subprocess


def loadtest(skyshard, *args, timeout=120):
    return subprocess.run([skyshard, "loadtest", *args], capture_output=True, text=True, timeout=timeout)


def test_dp0_mix_answers_every_kind_without_errors(skyshard, server, tmp_path):
    out = tmp_path / "report.json"
    result = loadtest(skyshard, "--url", server.url, "--users", "8", "--duration", "4", "--mix", "dp0",
                      "--think-time", "5", "--json", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(out.read_text())
    kinds = {k["kind"]: k for k in report["kinds"]}
    assert set(kinds) == {"lookup", "cone", "lightcurve", "tap_schema", "async_aggregate"}, result.stdout
    for name, stats in kinds.items():
        assert stats["requests"] > 0, name
        assert stats["errors"] == 0, (name, stats["errorsByReason"], result.stdout)
        assert 0 < stats["p50Ms"] <= stats["p95Ms"] <= stats["p99Ms"] <= stats["maxMs"], (name, stats)
        assert stats["meanBytes"] > 0, name
    assert report["errors"] == 0
    assert report["requests"] == sum(k["requests"] for k in report["kinds"])
    assert report["stoppedBy"] == "duration"
    assert report["small"]["requests"] == report["requests"] - kinds["async_aggregate"]["requests"]
    # The pid was found from the port: the server is this test's child.
    memory = report["memory"]
    assert memory["pid"] == server.process.pid, report
    assert memory["samples"] >= 5
    assert 0 < memory["peakRssAnonKiB"] <= memory["peakRssKiB"]
    # The table a person reads says the same.
    assert "async_aggregate" in result.stdout and f"server pid {server.process.pid}" in result.stdout


def test_lookup_mix_stops_at_max_requests(skyshard, server, tmp_path):
    out = tmp_path / "report.json"
    result = loadtest(skyshard, "--url", server.url, "--users", "4", "--duration", "30", "--mix", "lookup",
                      "--max-requests", "300", "--pid", str(server.process.pid), "--json", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(out.read_text())
    assert [k["kind"] for k in report["kinds"]] == ["lookup"]
    assert report["requests"] == 300 and report["errors"] == 0, result.stdout
    assert report["stoppedBy"] == "max-requests"
    assert report["elapsedSeconds"] < 30


def test_remote_addresses_are_refused(skyshard):
    result = loadtest(skyshard, "--url", "http://192.0.2.1:8080/tap", "--users", "1", "--duration", "1")
    assert result.returncode != 0
    assert "--allow-remote" in result.stderr


def test_a_service_that_is_not_there_is_a_clear_error(skyshard):
    # Port 1 on loopback: nothing listens, the start-up queries fail before any load is sent.
    result = loadtest(skyshard, "--url", "http://127.0.0.1:1/tap", "--users", "1", "--duration", "1")
    assert result.returncode != 0
    assert "loadtest" in result.stderr
