import CSQLite
import Foundation
import Synchronization
import Tabular

/// The error of the SQLiteKit target: SQLite refused to open a database, compile a statement,
/// bind a value or run a statement; with SQLite's result code and the statement.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The database cannot be opened.
        case open
        /// The SQL does not compile (syntax, unknown names, refused by the authorizer), or a
        /// value cannot be bound to it (too big, say).
        case prepare, bind
        /// Running the SQL failed (a constraint, an error of a function, I/O), or it was
        /// interrupted (cancelled).
        case run, interrupted
    }

    public var code: Code
    /// SQLite's (extended) result code.
    public var resultCode: Int32
    /// SQLite's message.
    public var message: String
    public var sql: String?
    /// The database file, for errors opening it.
    public var path: String?
    /// SQLite reports its own errors: none has a cause below it.
    public var cause: (any Error)? { nil }

    /// An error of `code`, or `.interrupted` whatever the step when SQLite says so.
    public init(_ code: Code, resultCode: Int32, message: String, sql: String? = nil) {
        self.code = resultCode == SQLITE_INTERRUPT ? .interrupted : code
        self.resultCode = resultCode
        self.message = message
        self.sql = sql
    }

    public var description: String {
        sql.map { "SQLite error \(resultCode): \(message) [\($0)]" } ?? "SQLite error \(resultCode): \(message)"
    }

    public var isInterrupt: Bool { code == .interrupted }

    /// Whether SQLite says the database file itself is unusable (it cannot be opened, is not
    /// a database, is corrupt, or cannot be read), rather than the statement being wrong.
    public var isUnreadableFile: Bool {
        if code == .open { return true }
        switch resultCode & 0xff {
        case SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_CANTOPEN, SQLITE_IOERR: return true
        default: return false
        }
    }
}

/// One SQLite database handle.
///
/// Invariant that makes `@unchecked Sendable` sound: a connection is used by one thread at a
/// time. The executor gives each connection to exactly one worker thread; the only call allowed
/// from other threads is `interrupt()`, which SQLite documents as safe from any thread.
public final class SQLiteConnection: @unchecked Sendable {
    public let path: String
    let handle: OpaquePointer
    /// Prepared statements by SQL text, least recently used evicted beyond `statementCacheLimit`
    /// (an evicted statement is finalized once no cursor holds it). Users send endless distinct
    /// texts, so an unbounded cache grows with every query ever run on the connection.
    private var statementCache: [String: CachedStatement] = [:]
    /// The most statements kept prepared in the cache.
    public let statementCacheLimit: Int
    /// Ticks on every use of the cache: the least recently used entry has the smallest.
    private var statementCacheClock: UInt64 = 0
    private var authorizer: Authorizer?
    /// Set by `requestInterrupt()`; read by the progress handler (see there).
    private let interruptRequest = InterruptRequest()

    public enum Mode: Sendable {
        /// Read-only, and the file is promised not to change while open (shard files are
        /// written once per catalog version): SQLite skips locking.
        case readOnlyImmutable
        case readOnly
        case readWriteCreate
        case memory
    }

    /// The default of `statementCacheLimit`: a connection serves one chunk, and the texts that
    /// repeat there (lookups, cones with bound values, TAP_SCHEMA browsing) are few.
    public static let defaultStatementCacheLimit = 32

    public init(path: String, mode: Mode, statementCacheLimit: Int = SQLiteConnection.defaultStatementCacheLimit) throws(SQLiteError) {
        self.path = path
        self.statementCacheLimit = max(0, statementCacheLimit)
        var db: OpaquePointer?
        let flags: Int32
        let name: String
        switch mode {
        case .readOnlyImmutable:
            flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
            name = "file:" + Self.uriEscape(path) + "?mode=ro&immutable=1"
        case .readOnly:
            flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
            name = "file:" + Self.uriEscape(path) + "?mode=ro"
        case .readWriteCreate:
            flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
            name = path
        case .memory:
            flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_MEMORY
            name = ":memory:"
        }
        let rc = sqlite3_open_v2(name, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            var error = SQLiteError(.open, resultCode: rc, message: "\(message) (\(path))")
            error.path = path
            throw error
        }
        self.handle = db
        sqlite3_extended_result_codes(db, 1)
        skyshard_disable_double_quoted_strings(db)
        skyshard_defensive(db)
        // ADQL's LIKE is case-sensitive; ILIKE is rendered through lower().
        try execute("PRAGMA case_sensitive_like = ON")
        // The backstop of `requestInterrupt()`: sqlite3_interrupt is forgotten when it lands just
        // before a statement's first step (SQLite clears the flag when the first statement of a
        // connection starts), so every few hundred VM instructions SQLite also asks this handler,
        // which answers from the request flag. A few hundred instructions take microseconds.
        sqlite3_progress_handler(
            db, 256,
            { raw in
                guard let raw else { return 0 }
                return Unmanaged<InterruptRequest>.fromOpaque(raw).takeUnretainedValue().isSet ? 1 : 0
            }, Unmanaged.passUnretained(interruptRequest).toOpaque())
    }

    deinit {
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    private static func uriEscape(_ path: String) -> String {
        var out = ""
        for ch in path.unicodeScalars {
            switch ch {
            case "?": out += "%3f"
            case "#": out += "%23"
            case "%": out += "%25"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// Runs SQL that returns no rows (DDL, pragmas, inserts without parameters).
    public func execute(_ sql: String) throws(SQLiteError) {
        var errmsg: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errmsg)
        if rc != SQLITE_OK {
            let message = errmsg.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(errmsg)
            throw SQLiteError(.run, resultCode: rc, message: message, sql: sql)
        }
    }

    /// A prepared statement, from this connection's cache when the same SQL was prepared before.
    /// The statement is reset before it is returned.
    /// At most `statementCacheLimit` statements are kept: a new one evicts the least recently used.
    public func cachedStatement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        statementCacheClock &+= 1
        if let cached = statementCache[sql] {
            statementCache[sql]?.lastUse = statementCacheClock
            cached.statement.reset()
            return cached.statement
        }
        let statement = try prepare(sql)
        guard statementCacheLimit > 0 else { return statement }
        if statementCache.count >= statementCacheLimit,
            let oldest = statementCache.min(by: { $0.value.lastUse < $1.value.lastUse })?.key
        {
            // Dropping the last reference finalizes it (SQLiteStatement.deinit).
            statementCache.removeValue(forKey: oldest)
        }
        statementCache[sql] = CachedStatement(statement: statement, lastUse: statementCacheClock)
        return statement
    }

    /// How many statements the cache holds now.
    public var cachedStatementCount: Int { statementCache.count }

    /// Whether the cache holds a statement for `sql` (does not count as a use).
    public func isCached(_ sql: String) -> Bool { statementCache[sql] != nil }

    /// How many statements of this connection are prepared and not yet finalized, cached or
    /// not (SQLite's own list): what the cache bound is about.
    public var liveStatementCount: Int {
        var count = 0
        var next = sqlite3_next_stmt(handle, nil)
        while let stmt = next {
            count += 1
            next = sqlite3_next_stmt(handle, stmt)
        }
        return count
    }

    private struct CachedStatement {
        let statement: SQLiteStatement
        var lastUse: UInt64
    }

    public func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw SQLiteError(.prepare, resultCode: rc, message: lastErrorMessage, sql: sql)
        }
        return SQLiteStatement(connection: self, handle: stmt, sql: sql)
    }

    /// `"name"`, with embedded quotes doubled: for names the service itself chooses.
    public static func quote(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    /// Stops the statement running on this connection as soon as possible. Safe from any thread.
    public func interrupt() { sqlite3_interrupt(handle) }

    /// Stops the statement running on this connection, including one that is just starting:
    /// calls sqlite3_interrupt and keeps statements failing with SQLITE_INTERRUPT until
    /// `clearInterruptRequest()`. Safe from any thread.
    public func requestInterrupt() {
        interruptRequest.set(true)
        sqlite3_interrupt(handle)
    }

    /// Lets statements run again after `requestInterrupt()`. Called by the thread that owns the
    /// connection before it starts the next statement.
    public func clearInterruptRequest() { interruptRequest.set(false) }

    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Attaches another database file under `schemaName`, read-only when asked. Must be called
    /// before `restrictReads(to:)`: attaching is refused once the authorizer is installed.
    public func attach(path: String, as schemaName: String, readOnly: Bool) throws(SQLiteError) {
        let uri = "file:" + Self.uriEscape(path) + (readOnly ? "?mode=ro&immutable=1" : "")
        let stmt = try prepare("ATTACH DATABASE ? AS \"\(schemaName.replacingOccurrences(of: "\"", with: "\"\""))\"")
        try stmt.bind([.text(uri)])
        _ = try stmt.step()
    }

    /// Installs an authorizer that allows only SELECT, reads of the given tables (any column),
    /// and calls of functions; everything else (writes, pragmas, ATTACH, schema changes) is
    /// refused. `tables` are matched case-insensitively, as SQLite matches names.
    public func restrictReads(to tables: Set<String>) {
        let auth = Authorizer(allowedTables: Set(tables.map { $0.lowercased() }))
        self.authorizer = auth
        sqlite3_set_authorizer(
            handle,
            { userData, action, arg1, _, database, _ in
                guard let userData else { return SQLITE_DENY }
                let auth = Unmanaged<Authorizer>.fromOpaque(userData).takeUnretainedValue()
                switch action {
                case SQLITE_SELECT, SQLITE_FUNCTION, SQLITE_RECURSIVE:
                    return SQLITE_OK
                case SQLITE_READ:
                    guard let arg1 else { return SQLITE_DENY }
                    let table = String(cString: arg1).lowercased()
                    // Reads of sqlite_master happen while SQLite loads the schema.
                    if table == "sqlite_master" || table == "sqlite_schema" || table == "sqlite_temp_master" {
                        return SQLITE_OK
                    }
                    // A read without a database is of a common table expression or sub-query
                    // that SQLite materialised (a CTE used twice): the query's own rows, whose
                    // sources were authorised when they were read.
                    if database == nil { return SQLITE_OK }
                    return auth.allowedTables.contains(table) ? SQLITE_OK : SQLITE_DENY
                default:
                    return SQLITE_DENY
                }
            }, Unmanaged.passUnretained(auth).toOpaque())
    }

    private final class InterruptRequest: Sendable {
        private let flag = Atomic<Bool>(false)
        func set(_ value: Bool) { flag.store(value, ordering: .releasing) }
        var isSet: Bool { flag.load(ordering: .acquiring) }
    }

    private final class Authorizer: Sendable {
        let allowedTables: Set<String>
        init(allowedTables: Set<String>) { self.allowedTables = allowedTables }
    }

    /// Runs `body` inside a transaction, committing when it returns and rolling back on error.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Convenience: all rows of a query (small results only).
    public func query(_ sql: String, _ parameters: [Value] = []) throws(SQLiteError) -> [[Value]] {
        let stmt = try prepare(sql)
        try stmt.bind(parameters)
        var rows: [[Value]] = []
        while try stmt.step() {
            rows.append((0..<stmt.columnCount).map { stmt.value(at: $0) })
        }
        return rows
    }
}

/// A prepared statement. Belongs to its connection's thread, like the connection.
public final class SQLiteStatement: @unchecked Sendable {
    unowned let connection: SQLiteConnection
    /// Usable from inlined code: the binding calls below are inlined into ingest's per-value loop.
    @usableFromInline let handle: OpaquePointer
    public let sql: String

    init(connection: SQLiteConnection, handle: OpaquePointer, sql: String) {
        self.connection = connection
        self.handle = handle
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    public func columnName(_ index: Int) -> String {
        sqlite3_column_name(handle, Int32(index)).map { String(cString: $0) } ?? "col\(index)"
    }

    /// The table a result column comes straight from, if it does.
    public func originTable(_ index: Int) -> String? {
        sqlite3_column_table_name(handle, Int32(index)).map { String(cString: $0) }
    }

    /// The table column a result column comes straight from, if it does.
    public func originColumn(_ index: Int) -> String? {
        sqlite3_column_origin_name(handle, Int32(index)).map { String(cString: $0) }
    }

    /// The declared type of a result column that comes straight from a table column.
    public func declaredType(_ index: Int) -> String? {
        sqlite3_column_decltype(handle, Int32(index)).map { String(cString: $0) }
    }

    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Makes the statement ready to run again, keeping its bound parameters: for a caller that
    /// binds every parameter anew for each run (clearing them first would be wasted work).
    @inlinable
    public func rewind() {
        sqlite3_reset(handle)
    }

    public func bind(_ values: [Value]) throws(SQLiteError) {
        for (i, value) in values.enumerated() {
            try bind(value, at: i + 1)
        }
    }

    /// Text and blobs are bound with 64-bit lengths: one longer than SQLite's limit is SQLite's
    /// SQLITE_TOOBIG error (an `Int32` length would trap beyond 2 GiB).
    public func bind(_ value: Value, at index: Int) throws(SQLiteError) {
        let i = Int32(index)
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(handle, i)
        case .integer(let v): rc = sqlite3_bind_int64(handle, i, v)
        case .real(let v): rc = sqlite3_bind_double(handle, i, v)
        case .text(let s):
            rc =
                s.utf8.withContiguousStorageIfAvailable { buf in
                    sqlite3_bind_text64(
                        handle, i, buf.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                        UInt64(buf.count), SQLITE_TRANSIENT_PTR, UInt8(SQLITE_UTF8))
                } ?? sqlite3_bind_text(handle, i, s, -1, SQLITE_TRANSIENT_PTR)
        case .blob(let bytes):
            rc = bytes.withUnsafeBytes { buf in
                sqlite3_bind_blob64(handle, i, buf.baseAddress, UInt64(buf.count), SQLITE_TRANSIENT_PTR)
            }
        }
        if rc != SQLITE_OK { throw SQLiteError(.bind, resultCode: rc, message: connection.lastErrorMessage, sql: sql) }
    }

    @inlinable
    public func bindInt64(_ value: Int64, at index: Int) {
        sqlite3_bind_int64(handle, Int32(index), value)
    }

    @inlinable
    public func bindDouble(_ value: Double, at index: Int) {
        sqlite3_bind_double(handle, Int32(index), value)
    }

    @inlinable
    public func bindNull(at index: Int) {
        sqlite3_bind_null(handle, Int32(index))
    }

    /// Binds UTF-8 bytes as text without building a Swift String.
    @inlinable
    public func bindText(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) {
        sqlite3_bind_text64(
            handle, Int32(index),
            bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
            UInt64(bytes.count), SQLITE_TRANSIENT_PTR, UInt8(SQLITE_UTF8))
    }

    /// Advances to the next row; false when done.
    public func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let message = connection.lastErrorMessage
            sqlite3_reset(handle)
            throw SQLiteError(.run, resultCode: rc, message: message, sql: sql)
        }
    }

    /// Runs a statement that returns no rows, then resets it for reuse.
    public func run() throws(SQLiteError) {
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    /// Runs this INSERT once per row of `batch`, its first `columns` values bound as the
    /// statement's parameters (all of them by default). Inside a transaction, for speed.
    public func insertRows(of batch: RowBatch, columns: Int? = nil) throws(SQLiteError) {
        let columns = columns ?? batch.columnCount
        for row in 0..<batch.rowCount {
            for column in 0..<columns {
                try bind(batch[row, column], at: column + 1)
            }
            try run()
        }
    }

    /// The current row's value in column `index`. Read through the column's `sqlite3_value`:
    /// one API call that checks the statement, instead of two (`sqlite3_column_type` and the
    /// typed getter each check it and end with `sqlite3ApiExit`). The value is used at once,
    /// on the thread stepping the statement, as the unprotected value it is may be.
    public func value(at index: Int) -> Value {
        guard let v = sqlite3_column_value(handle, Int32(index)) else { return .null }
        switch sqlite3_value_type(v) {
        case SQLITE_INTEGER: return .integer(sqlite3_value_int64(v))
        case SQLITE_FLOAT: return .real(sqlite3_value_double(v))
        case SQLITE_TEXT:
            guard let p = sqlite3_value_text(v) else { return .text("") }
            let n = Int(sqlite3_value_bytes(v))
            return .text(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
        case SQLITE_BLOB:
            let n = Int(sqlite3_value_bytes(v))
            guard n > 0, let p = sqlite3_value_blob(v) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: p, count: n)))
        default: return .null
        }
    }

    /// Appends the current row's values to `batch`.
    public func appendRow(to batch: inout RowBatch) {
        for i in 0..<batch.columnCount { batch.append(value(at: i)) }
    }
}

/// SQLite's SQLITE_TRANSIENT (-1 as a destructor) is a macro Swift cannot import.
@usableFromInline let SQLITE_TRANSIENT_PTR = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
