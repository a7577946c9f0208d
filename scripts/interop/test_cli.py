"""The command line as a person uses it: `adql check`, `query` and `explain` on a real catalog."""

import subprocess


def run(skyshard, *args, stdin=None):
    return subprocess.run([skyshard, *args], input=stdin, capture_output=True, text=True)


def test_adql_check_prints_the_canonical_query(skyshard):
    result = run(skyshard, "adql", "check", "select top 5 ra,dec from  t where x>0AND y<1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "SELECT TOP 5 ra, dec FROM t WHERE x > 0 AND y < 1"


def test_adql_check_reads_standard_input(skyshard):
    result = run(skyshard, "adql", "check", stdin="SELECT a\nFROM t\n")
    assert result.returncode == 0
    assert result.stdout.strip() == "SELECT a FROM t"


def test_adql_check_accepts_unknown_functions(skyshard):
    # Syntax only: whether a function exists is the binder's question.
    result = run(skyshard, "adql", "check", "SELECT my_udf(a) FROM t")
    assert result.returncode == 0


def test_adql_check_names_line_and_column(skyshard):
    result = run(skyshard, "adql", "check", "SELECT a, b\nFORM t")
    assert result.returncode == 1
    assert "line 2, column 1" in result.stdout
    assert '"FORM"' in result.stdout


def test_query_and_explain(skyshard, server):
    q = "SELECT COUNT(*) AS n FROM dp02_dc2_catalogs.Object WHERE coord_dec > -30"
    result = run(skyshard, "query", "--data", server.data, "--format", "csv", q)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "n"
    expected = sum(1 for _, _, dec in server.all_objects() if dec > -30)
    assert int(lines[1]) == expected
    plan = run(skyshard, "explain", "--data", server.data, q)
    assert plan.returncode == 0
    assert "aggregate-split" in plan.stdout
    assert "chunk SQL" in plan.stdout


def test_query_errors_exit_nonzero(skyshard, server):
    result = run(skyshard, "query", "--data", server.data, "SELECT nosuch FROM dp02_dc2_catalogs.Object")
    assert result.returncode == 1
    assert "unknown column nosuch" in result.stderr
