"""Settings from flags, SKYSHARD_* environment variables and a --config YAML file, in that order,
as `skyshard settings` reports them and as `skyshard serve` uses them."""

import os
import re
import subprocess
import urllib.parse
import urllib.request

import pytest


def settings(skyshard, *args, env=None, cwd=None):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SKYSHARD_") or k == "SKYSHARD_BIN"}
    full_env.update(env or {})
    return subprocess.run([skyshard, "settings", *args], capture_output=True, text=True, env=full_env, cwd=cwd)


def parse(stdout):
    """name -> (value, origin) from `skyshard settings`."""
    table = {}
    for line in stdout.splitlines():
        m = re.match(r"(\S+)\s+(.*?)\s+\[(.*)\]$", line)
        assert m, line
        table[m.group(1)] = (m.group(2), m.group(3))
    return table


def test_flags_beat_environment_beat_file_beat_defaults(skyshard, tmp_path):
    config = tmp_path / "skyshard.yaml"
    config.write_text(
        "port: 9090\nquery-timeout: 120\nqueued-jobs: 7\nlog-level: debug\n"
        "result-bytes-per-user: 2G\nadmin: [alice, bob]\n")
    result = settings(
        skyshard, "--data", str(tmp_path / "data"), "--config", str(config), "--port", "7000",
        env={"SKYSHARD_QUERY_TIMEOUT": "30", "SKYSHARD_PORT": "6000", "SKYSHARD_ADMIN": "carol,dave"})
    assert result.returncode == 0, result.stderr
    table = parse(result.stdout)
    assert table["port"] == ("7000", "flag --port")
    assert table["query-timeout"] == ("30", "environment SKYSHARD_QUERY_TIMEOUT")
    assert table["queued-jobs"] == ("7", f"file {config}")
    assert table["log-level"] == ("debug", f"file {config}")
    assert table["result-bytes-per-user"] == (str(2 << 30), f"file {config}")
    assert table["admin"] == ("carol,dave", "environment SKYSHARD_ADMIN")
    assert table["host"] == ("127.0.0.1", "default")
    assert table["jobs-dir"] == (str(tmp_path / "data" / "jobs"), "default")


def test_every_setting_is_documented_with_its_default(skyshard, tmp_path):
    result = settings(skyshard, "--data", str(tmp_path))
    assert result.returncode == 0, result.stderr
    here = os.path.dirname(os.path.abspath(__file__))
    operations = open(os.path.join(here, "..", "..", "docs", "operations.md"), encoding="utf-8").read()
    for name in parse(result.stdout):
        assert f"`{name}`" in operations, f"docs/operations.md does not list the setting {name}"


@pytest.mark.parametrize("text, message", [
    ("quey-timeout: 5\n", "unknown setting quey-timeout"),
    ("port: abc\n", "the value of port is not an integer"),
    ("- port\n", "must be a mapping of setting names"),
    ("port: [1\n", "is not valid YAML"),
    ("port: 70000\n", "port must be 0...65535"),
    ("result-bytes-per-user: lots\n", "not a byte count"),
    ("require-token: true\n", "require-token needs a token file"),
    ("cors-origins: [portal.example.org]\n", "cors-origins must be * or origins"),
    ("cors-origins: [https://portal.example.org/app]\n", "cors-origins must be * or origins"),
    ("request-header-timeout: 0\n", "request-header-timeout must be at least 1"),
    ("statement-cache-size: -1\n", "statement-cache-size must be 0 or more"),
])
def test_a_bad_configuration_file_is_refused_with_the_key(skyshard, tmp_path, text, message):
    config = tmp_path / "bad.yaml"
    config.write_text(text)
    result = settings(skyshard, "--config", str(config))
    assert result.returncode == 1
    assert message in result.stderr, result.stderr


def test_cors_origins_is_a_list_from_flags_environment_or_file(skyshard, tmp_path):
    table = parse(settings(skyshard, "--cors-origins", "https://a.example.org,https://b.example.org",
                           "--cors-origins", "http://localhost:8000").stdout)
    assert table["cors-origins"] == ("https://a.example.org,https://b.example.org,http://localhost:8000",
                                     "flag --cors-origins")
    table = parse(settings(skyshard, env={"SKYSHARD_CORS_ORIGINS": "https://a.example.org,https://b.example.org"}).stdout)
    assert table["cors-origins"] == ("https://a.example.org,https://b.example.org", "environment SKYSHARD_CORS_ORIGINS")
    config = tmp_path / "cors.yaml"
    config.write_text("cors-origins: [https://portal.example.org]\n")
    table = parse(settings(skyshard, "--config", str(config)).stdout)
    assert table["cors-origins"] == ("https://portal.example.org", f"file {config}")
    assert parse(settings(skyshard).stdout)["cors-origins"] == ("*", "default")


def test_a_bad_environment_value_names_the_variable(skyshard):
    result = settings(skyshard, env={"SKYSHARD_EXECUTING_JOBS": "many"})
    assert result.returncode == 1
    assert "SKYSHARD_EXECUTING_JOBS" in result.stderr and "executing-jobs" in result.stderr


def test_serve_listens_where_the_configuration_file_says(skyshard, server, tmp_path):
    # Port 0 from the file (a free port): the announced URL shows the file's settings took
    # effect; MAXREC's default from the file caps a query that gives none; the public URL
    # from the file is the capabilities' access URL.
    config = tmp_path / "serve.yaml"
    config.write_text(
        "port: 0\ndefault-maxrec: 3\nlog-level: warning\npublic-url: https://data.example.org/api/tap\n")
    process = subprocess.Popen(
        [skyshard, "serve", "--data", server.data, "--config", str(config),
         "--jobs-dir", str(tmp_path / "jobs")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    try:
        url = None
        for line in process.stdout:
            m = re.search(r"listening on (http://\S+/tap)", line)
            if m:
                url = m.group(1)
                break
        assert url, "serve did not start"
        query = urllib.parse.urlencode({
            "LANG": "ADQL", "FORMAT": "csv",
            "QUERY": "SELECT objectId FROM dp02_dc2_catalogs.Object"})
        with urllib.request.urlopen(f"{url}/sync?{query}", timeout=60) as response:
            rows = response.read().decode().strip().splitlines()
        assert rows[0] == "objectId"
        assert len(rows) - 1 == 3
        # Behind a proxy the capabilities name the public address, not the one served on.
        with urllib.request.urlopen(f"{url}/capabilities", timeout=60) as response:
            capabilities = response.read().decode()
        assert "https://data.example.org/api/tap/sync" in capabilities or \
            "<accessURL use=\"base\">https://data.example.org/api/tap</accessURL>" in capabilities
        assert url not in capabilities
    finally:
        process.terminate()
        process.wait(timeout=30)
