import DemoData
import Foundation
import Ingest
import QueryEngine
import SQLiteKit
import ScatterGather
import Tabular
import TestSupport
import Testing

/// `SQLiteConnection.restrictReads`: only SELECTs that read the allowed tables run.
@Suite struct AuthorizerTests {
    static func connection() throws -> SQLiteConnection {
        let c = try SQLiteConnection(path: ":memory:", mode: .memory)
        try c.execute("CREATE TABLE known (x INTEGER)")
        try c.execute("CREATE TABLE secret (y INTEGER)")
        try c.execute("INSERT INTO known VALUES (1), (2), (3)")
        try c.execute("INSERT INTO secret VALUES (42)")
        c.restrictReads(to: ["known"])
        return c
    }

    @Test func readsOfTheAllowedTablesRun() throws {
        let c = try Self.connection()
        #expect(try c.query("SELECT count(*) FROM known")[0][0] == .integer(3))
        #expect(try c.query("SELECT count(*) FROM KNOWN WHERE x IN (SELECT x FROM known)")[0][0] == .integer(3))
    }

    /// A CTE used twice is materialised, and SQLite then reports a read of the CTE itself
    /// (with no database): those rows came from allowed tables, so the query runs.
    @Test func commonTableExpressionsUsedTwiceRun() throws {
        let c = try Self.connection()
        let pairs = try c.query("WITH a AS (SELECT x FROM known) SELECT count(*) FROM a AS p, a AS q")
        #expect(pairs[0][0] == .integer(9))
        let nested = try c.query("WITH a AS (SELECT x FROM known) SELECT (SELECT count(*) FROM a), x FROM a ORDER BY x")
        #expect(nested.count == 3 && nested[0][0] == .integer(3))
    }

    @Test(arguments: [
        "SELECT y FROM secret",
        "WITH a AS (SELECT y FROM secret) SELECT count(*) FROM a AS p, a AS q",
        "SELECT x FROM known WHERE x IN (SELECT y FROM secret)",
        "INSERT INTO known VALUES (4)",
        "DELETE FROM known",
        "CREATE TABLE t (z)",
        "PRAGMA table_info(known)",
        "ATTACH DATABASE ':memory:' AS other",
    ])
    func everythingElseIsRefused(_ sql: String) throws {
        let c = try Self.connection()
        #expect(throws: (any Error).self) { try c.query(sql) }
    }
}
