import Foundation
@testable import QueryEngine
import SQLiteKit
@testable import ScatterGather
import Tabular
import Testing

/// `SQLiteConnection.cachedStatement`: a bounded LRU cache of prepared statements, so that a
/// connection serving endless distinct SQL texts keeps a fixed number of them prepared.
@Suite struct StatementCacheTests {
    static func connection(limit: Int) throws -> SQLiteConnection {
        let c = try SQLiteConnection(path: ":memory:", mode: .memory, statementCacheLimit: limit)
        try c.execute("CREATE TABLE t (x INTEGER)")
        try c.execute("INSERT INTO t VALUES (1), (2), (3)")
        return c
    }

    /// Distinct texts: each a different cut, as users send them.
    static func sql(_ i: Int) -> String { "SELECT x FROM t WHERE x < \(i)" }

    @Test func distinctTextsAreEvictedAndFinalizedBeyondTheLimit() throws {
        let c = try Self.connection(limit: 4)
        for i in 0..<1000 {
            let statement = try c.cachedStatement(Self.sql(i))
            // Used like a chunk cursor: stepped to the end, then released.
            var rows = 0
            while try statement.step() { rows += 1 }
            #expect(rows == min(max(i - 1, 0), 3))
        }
        #expect(c.cachedStatementCount == 4)
        // SQLite's own list: the evicted 996 were finalized, not just forgotten by the cache.
        #expect(c.liveStatementCount == 4)
        for i in 996..<1000 { #expect(c.isCached(Self.sql(i))) }
        #expect(!c.isCached(Self.sql(995)))
    }

    @Test func theLeastRecentlyUsedIsEvicted() throws {
        let c = try Self.connection(limit: 3)
        let first = try c.cachedStatement(Self.sql(1))
        _ = try c.cachedStatement(Self.sql(2))
        _ = try c.cachedStatement(Self.sql(3))
        // A hit returns the same prepared statement and makes it the most recently used.
        #expect(try c.cachedStatement(Self.sql(1)) === first)
        _ = try c.cachedStatement(Self.sql(4))
        #expect(c.isCached(Self.sql(1)))
        #expect(!c.isCached(Self.sql(2)))
        #expect(c.isCached(Self.sql(3)) && c.isCached(Self.sql(4)))
    }

    /// An evicted statement still held (a cursor reading it) stays valid until released.
    @Test func anEvictedStatementInUseKeepsWorking() throws {
        let c = try Self.connection(limit: 1)
        let held = try c.cachedStatement("SELECT x FROM t ORDER BY x")
        #expect(try held.step())
        _ = try c.cachedStatement(Self.sql(9))
        #expect(!c.isCached("SELECT x FROM t ORDER BY x"))
        #expect(c.liveStatementCount == 2)
        #expect(held.value(at: 0) == .integer(1))
        #expect(try held.step())
        #expect(held.value(at: 0) == .integer(2))
    }

    @Test func aZeroLimitCachesNothing() throws {
        let c = try Self.connection(limit: 0)
        for i in 0..<10 { _ = try c.cachedStatement(Self.sql(i)) }
        #expect(c.cachedStatementCount == 0)
        #expect(c.liveStatementCount == 0)
    }

    /// The service's `statement-cache-size` reaches every chunk connection the engine opens,
    /// and a query run there keeps at most that many statements.
    @Test func theEnginesCacheSizeReachesItsChunkConnections() async throws {
        _ = EngineFixture.engine  // the catalog exists
        let engine = try SkyShardEngine(dataRoot: EngineFixture.dataRoot, statementCacheSize: 2)
        #expect(engine.localWorker.statementCacheLimit == 2)
        let probe = EngineFixture.allObjects[7]
        let rows = try await engine.execute(
            "SELECT objectId FROM dp02_dc2_catalogs.Object WHERE objectId = \(probe.id)"
        ).collect()
        #expect(rows.rowCount == 1)
        let chunk = try #require(engine.catalog.chunkIds.first)
        let connection = try engine.localWorker.checkout(chunk)
        #expect(connection.statementCacheLimit == 2)
        #expect(connection.cachedStatementCount <= 2)
        engine.localWorker.checkin(connection, chunkId: chunk)
    }
}
