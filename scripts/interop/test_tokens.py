"""Bearer tokens end to end with the real command line and the real server: `skyshard token
add|list|remove`, then `skyshard serve --token-file F --require-token` queried by pyvo through a
requests session that carries the token, and a revocation that counts without a restart."""

import os
import re
import stat
import subprocess

import pytest
import pyvo
import requests
from conftest import launch, stop

SCHEMA = "dp02_dc2_catalogs"


def run(skyshard, *args):
    return subprocess.run([skyshard, *args], capture_output=True, text=True)


def add_token(skyshard, user, token_file):
    result = run(skyshard, "token", "add", user, "--token-file", token_file)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.rstrip("\n").split("\n")
    token = lines[-1]
    # The token is printed once, alone on the last line, and nowhere else.
    assert result.stdout.count(token) == 1 and token not in result.stderr
    return token


@pytest.fixture(scope="module")
def tokens(skyshard, tmp_path_factory):
    folder = tmp_path_factory.mktemp("tokens")
    token_file = str(folder / "tokens")
    alice = add_token(skyshard, "alice", token_file)
    bob = add_token(skyshard, "bob", token_file)
    return token_file, alice, bob


def test_token_add_prints_a_long_token_and_keeps_only_its_hash(skyshard, tokens):
    token_file, alice, bob = tokens
    assert len(alice) >= 32 and alice != bob
    assert re.fullmatch(r"[A-Za-z0-9_]+", alice)
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    with open(token_file) as f:
        text = f.read()
    for token in (alice, bob):
        assert token not in text
        assert token.rsplit("_", 1)[1] not in text  # nor its secret part


def test_token_list_names_users_never_tokens(skyshard, tokens):
    token_file, alice, bob = tokens
    result = run(skyshard, "token", "list", "--token-file", token_file)
    assert result.returncode == 0, result.stderr
    assert "alice" in result.stdout and "bob" in result.stdout
    with open(token_file) as f:
        hashes = [line.split("\t")[4] for line in f.read().splitlines()[1:] if line and not line.startswith("#")]
    assert len(hashes) == 2
    for secret in [alice, bob, alice.rsplit("_", 1)[1], *hashes]:
        assert secret not in result.stdout


def test_token_remove_of_an_unknown_user_fails_clearly(skyshard, tokens):
    token_file, _, _ = tokens
    result = run(skyshard, "token", "remove", "nobody", "--token-file", token_file)
    assert result.returncode != 0
    assert "nobody" in result.stderr


@pytest.fixture(scope="module")
def secured(skyshard, server, tokens, tmp_path_factory):
    """`skyshard serve` over the demo catalog (made by the `server` fixture) with the token
    file, tokens required, and a job folder of its own."""
    token_file, _, _ = tokens
    jobs = str(tmp_path_factory.mktemp("secured-jobs"))
    srv = launch(
        [skyshard, "serve", "--data", server.data, "--port", "0", "--log-level", "info",
         "--token-file", token_file, "--require-token", "--jobs-dir", jobs],
        r"listening on (http://\S+/tap)", server.data)
    yield srv.url, srv.log
    stop(srv)


def session_with(token):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def test_pyvo_with_a_token_runs_sync_and_async(secured, tokens, server):
    url, _ = secured
    _, alice, _ = tokens
    tap = pyvo.dal.TAPService(url, session=session_with(alice))
    query = f"SELECT TOP 7 objectId FROM {SCHEMA}.Object ORDER BY objectId"
    sync = tap.run_sync(query).to_table()
    assert len(sync) == 7
    job = tap.submit_job(query)
    job.run()
    job.wait(phases=["COMPLETED", "ERROR", "ABORTED"], timeout=300)
    assert job.phase == "COMPLETED"
    assert list(job.fetch_result().to_table()["objectId"]) == list(sync["objectId"])
    assert job.owner == "alice"
    # Bob does not see Alice's job, nor may he read it.
    bob_tap = pyvo.dal.TAPService(url, session=session_with(tokens[2]))
    assert job.job_id not in [j.jobid for j in bob_tap.get_job_list()]
    assert session_with(tokens[2]).get(job.url + "/results/result").status_code in (403, 404)
    job.delete()


def test_without_a_token_queries_are_refused_but_vosi_is_open(secured):
    url, _ = secured
    for path in ["/sync?LANG=ADQL&QUERY=SELECT+1", "/async", "/tables"]:
        r = requests.get(url + path)
        assert r.status_code == 401, path
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
        assert 'value="ERROR"' in r.text
    r = requests.get(url + "/sync?LANG=ADQL&QUERY=SELECT+1", headers={"Authorization": "Bearer sks_wrong"})
    assert r.status_code == 401 and 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    with pytest.raises(pyvo.dal.DALAccessError):
        pyvo.dal.TAPService(url).run_sync(f"SELECT TOP 1 objectId FROM {SCHEMA}.Object")
    for path in ["/availability", "/capabilities"]:
        assert requests.get(url + path).status_code == 200, path
    assert "ivo://ivoa.net/sso#OAuth" in requests.get(url + "/capabilities").text


def test_token_remove_counts_at_once_without_a_restart(skyshard, secured, tokens):
    url, log = secured
    token_file, alice, bob = tokens
    query = {"LANG": "ADQL", "QUERY": f"SELECT TOP 1 objectId FROM {SCHEMA}.Object"}
    assert session_with(bob).get(url + "/sync", params=query).status_code == 200
    result = run(skyshard, "token", "remove", "bob", "--token-file", token_file)
    assert result.returncode == 0, result.stderr
    refused = session_with(bob).get(url + "/sync", params=query)
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    # Alice's token still works; no token ever appears in the server's output.
    assert session_with(alice).get(url + "/sync", params=query).status_code == 200
    text = "".join(log)
    assert "request refused" in text
    for token in (alice, bob):
        assert token not in text and token.rsplit("_", 1)[1] not in text
