import Catalog
import Foundation
import Planner
import SQLiteKit
import ScatterGather
import Synchronization
import Tabular

/// Runs `CoordinatorPlan`s: each step's distributed plan fills a table of a private
/// coordinator database, then the finishing statement runs there and its rows stream out.
final class Coordinator: Sendable {
    let executor: ScatterGatherExecutor
    let pool: BlockingPool
    let catalog: CatalogDescription
    /// Databases attached to the coordinator database (replicated tables, TAP_SCHEMA).
    let attachments: [(schema: String, file: URL)]
    let batchRows = 1024

    init(
        executor: ScatterGatherExecutor, pool: BlockingPool, catalog: CatalogDescription,
        attachments: [(schema: String, file: URL)]
    ) {
        self.executor = executor
        self.pool = pool
        self.catalog = catalog
        self.attachments = attachments
    }

    /// Runs `plan` as the query that `lifetime` owns: its steps and its finishing statement
    /// are stopped with it (time limit, abort), and its steps' chunks count in its progress.
    func execute(_ plan: CoordinatorPlan, rowLimit: Int?, lifetime: QueryLifetime) async throws -> QueryResult {
        let database = try await pool.run { [attachments] () throws -> CoordinatorDatabase in
            try CoordinatorDatabase(attachments: attachments)
        }
        // The uploaded tables, which the finishing statement reads as tables of its own
        // database (indexed on their identifiers like the steps' tables).
        for upload in plan.uploadTables {
            if let reason = lifetime.stopReason { throw reason }
            try await pool.run {
                try database.createTable(upload.table, columns: upload.columns)
                try database.insert(upload.rows, into: upload.table)
                try database.indexIdentifiers(of: upload.table, columns: upload.columns)
            }
        }
        var materialized = 0
        for step in plan.steps {
            if let reason = lifetime.stopReason { throw reason }
            try await pool.run { try database.createTable(step.table, columns: step.columns) }
            let result = executor.execute(step.plan, lifetime: lifetime)
            do {
                for try await batch in result.batches {
                    materialized += batch.rowCount
                    if materialized > plan.rowLimit {
                        result.cancel()
                        throw QueryError(
                            .limitExceeded,
                            "this query needs more than \(plan.rowLimit) rows gathered at the coordinator (\(step.note)); narrow it, e.g. with a spatial constraint on the partitioned tables"
                        )
                    }
                    try await pool.run { try database.insert(batch, into: step.table) }
                }
            } catch {
                result.cancel()
                throw error
            }
            // Correlated sub-queries and joins look rows up by their identifiers: index them.
            try await pool.run { try database.indexIdentifiers(of: step.table, columns: step.columns) }
        }
        var allowed = Set(plan.steps.map(\.table) + plan.uploadTables.map(\.table))
        for table in catalog.tables where !table.isPartitioned { allowed.insert(table.name) }
        let allowedTables = allowed
        let cursor = try await pool.run { () throws -> ChunkCursor in
            try database.cursor(plan.finalSQL, allowedTables: allowedTables)
        }
        let batchRows = self.batchRows
        // The finishing statement: stopped with the lifetime (time limit, cancel()), or by
        // cancellation of the task that reads the rows.
        lifetime.onStop { _ in cursor.cancel() }
        let pool = self.pool
        @Sendable func nextBatch() async throws -> (RowBatch, Bool) {
            do {
                return try await withTaskCancellationHandler {
                    try await pool.run { try cursor.next(maxRows: batchRows) }
                } onCancel: {
                    cursor.cancel()
                }
            } catch is CancellationError {
                throw lifetime.reported(CancellationError())
            } catch {
                throw QueryError(engineFailure: error)
            }
        }
        let (first, finished) = try await nextBatch()
        let fields = try fieldDescriptors(plan, cursor: cursor, first: first)
        let state = Mutex<(pending: RowBatch?, finished: Bool)>((first, finished))
        let limiter = RowLimiter(.concatenate(limit: rowLimit, offset: 0))
        let sequence = RowBatchSequence {
            while true {
                if limiter.isDone { return nil }
                let (pending, done) = state.withLock { s -> (RowBatch?, Bool) in
                    defer { s.pending = nil }
                    return (s.pending, s.finished)
                }
                if let pending {
                    _ = database  // the cursor's statement needs its database alive
                    if let admitted = limiter.admit(pending) { return admitted }
                    continue
                }
                if done { return nil }
                let (batch, end) = try await nextBatch()
                state.withLock { $0 = (batch, end) }
            }
        }
        return QueryResult(fields: fields, batches: sequence) {
            lifetime.stop(QueryError(.cancelled, "the query was cancelled"))
        }
    }

    /// The result's FIELDs: catalog metadata for columns that come straight from a table, the
    /// type of the first row's values for computed ones.
    func fieldDescriptors(_ plan: CoordinatorPlan, cursor: ChunkCursor, first: RowBatch) throws -> [FieldDescriptor] {
        let statement = cursor.statement
        var fields: [FieldDescriptor] = []
        var used = Set<String>()
        for i in 0..<statement.columnCount {
            var field: FieldDescriptor
            let originTable = statement.originTable(i)
            let originColumn = statement.originColumn(i)
            if let originTable, let originColumn,
                let step = plan.steps.first(where: { $0.table == originTable }),
                let f = step.columns.first(where: { $0.name == originColumn })
            {
                field = f
            } else if let originTable, let originColumn,
                let upload = plan.uploadTables.first(where: { $0.table == originTable }),
                let f = upload.columns.first(where: { $0.name == originColumn })
            {
                field = f
            } else if let originTable, let originColumn,
                let table = catalog.tables.first(where: { !$0.isPartitioned && $0.name == originTable }),
                let column = table.column(named: originColumn)
            {
                field = column.fieldDescriptor
            } else {
                var datatype = VODatatype.char
                for row in 0..<first.rowCount {
                    switch first[row, i] {
                    case .integer: datatype = .long
                    case .real: datatype = .double
                    case .text, .blob: datatype = .char
                    case .null: continue
                    }
                    break
                }
                field = FieldDescriptor(name: "", datatype: datatype)
            }
            var name = plan.columnNames.flatMap { i < $0.count ? $0[i] : nil } ?? statement.columnName(i)
            if used.contains(name.lowercased()) {
                var n = 2
                while used.contains("\(name)_\(n)".lowercased()) { n += 1 }
                name = "\(name)_\(n)"
            }
            used.insert(name.lowercased())
            field.name = name
            fields.append(field)
        }
        return fields
    }
}

/// The coordinator's private temporary database (spills to disk when large).
final class CoordinatorDatabase: @unchecked Sendable {
    let connection: SQLiteConnection
    private var inserts: [String: SQLiteStatement] = [:]

    init(attachments: [(schema: String, file: URL)]) throws {
        connection = try SQLiteConnection(path: "", mode: .readWriteCreate)
        try connection.execute("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -16384")
        for (schema, file) in attachments where FileManager.default.fileExists(atPath: file.path) {
            try connection.attach(path: file.path, as: schema, readOnly: true)
        }
        UserFunctions.register(on: connection)
    }

    func createTable(_ name: String, columns: [FieldDescriptor]) throws {
        let definitions = columns.map { field -> String in
            let type: String
            if field.datatype.isInteger || field.datatype == .boolean {
                type = "INTEGER"
            } else if field.datatype.isFloatingPoint {
                type = "REAL"
            } else {
                type = "TEXT"
            }
            return SQLiteConnection.quote(field.name) + " " + type
        }
        try connection.execute("CREATE TABLE \(SQLiteConnection.quote(name)) (\(definitions.joined(separator: ", ")))")
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        inserts[name] = try connection.prepare("INSERT INTO \(SQLiteConnection.quote(name)) VALUES (\(placeholders))")
    }

    /// Indexes the identifier columns (`...Id`) of a filled table that is large enough to
    /// need it.
    func indexIdentifiers(of table: String, columns: [FieldDescriptor]) throws {
        let rows = try connection.query("SELECT COUNT(*) FROM \(SQLiteConnection.quote(table))").first?.first?.int64Value ?? 0
        guard rows > 256 else { return }
        for column in columns where column.name.lowercased().hasSuffix("id") {
            try connection.execute(
                "CREATE INDEX \(SQLiteConnection.quote("\(table)_\(column.name)")) ON \(SQLiteConnection.quote(table)) (\(SQLiteConnection.quote(column.name)))"
            )
        }
    }

    func insert(_ batch: RowBatch, into table: String) throws {
        guard let statement = inserts[table] else { return }
        try connection.transaction { try statement.insertRows(of: batch) }
    }

    func cursor(_ sql: String, allowedTables: Set<String>) throws -> ChunkCursor {
        connection.restrictReads(to: allowedTables)
        let statement: SQLiteStatement
        do {
            statement = try connection.prepare(sql)
        } catch {
            throw QueryError(engineFailure: error)
        }
        return ChunkCursor(connection: connection, statement: statement)
    }
}
