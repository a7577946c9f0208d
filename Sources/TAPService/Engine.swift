import Tabular

/// One synchronous TAP query, as the service hands it to the engine.
public struct TAPQueryRequest: Sendable {
    /// The ADQL text, as sent.
    public var adql: String
    /// The `LANG` value as sent (`ADQL`, `ADQL-2.0`, `ADQL-2.1`).
    public var language: String
    /// The row limit in force (MAXREC after the service's default and hard limit). The service
    /// reads at most `maxRecords + 1` rows: the extra row tells it that the result overflowed.
    /// An engine that wants to bound its work should produce `rowsNeeded` rows at most.
    public var maxRecords: Int?
    /// The authenticated user, when the deployment passes one (see
    /// `TAPServiceConfiguration.userHeader`).
    public var user: String?
    /// The RUNID parameter, if any: a client's label for the query, for logs.
    public var runID: String?
    /// A service-assigned identifier, also in the service's log line.
    public var requestID: String
    /// All request parameters (names upper-cased), for engines that read more than the above.
    public var parameters: [String: String]
    /// The query's time limit, when the service sets one (an async job's execution duration);
    /// nil: the engine's default.
    public var timeLimit: Duration? = nil
    /// The tables the client uploaded with the query (TAP 1.1 UPLOAD), read and checked by the
    /// service within its upload limits; the query reads each as `TAP_UPLOAD.<name>`.
    public var uploads: [UploadedTable] = []

    public init(
        adql: String, language: String = "ADQL", maxRecords: Int? = nil, user: String? = nil,
        runID: String? = nil, requestID: String = "", parameters: [String: String] = [:]
    ) {
        self.adql = adql
        self.language = language
        self.maxRecords = maxRecords
        self.user = user
        self.runID = runID
        self.requestID = requestID
        self.parameters = parameters
    }

    /// The number of rows the service will read at most: `maxRecords + 1`.
    public var rowsNeeded: Int? { maxRecords.map { $0 == Int.max ? $0 : $0 + 1 } }
}

/// What the TAP service knows of the query engine.
public protocol TAPQueryEngine: Sendable {
    /// Starts the query; throws `QueryError` for bad queries before any row is produced.
    /// The returned result streams its rows; the service calls `cancel()` when it stops early
    /// (MAXREC reached, client gone).
    func execute(_ request: TAPQueryRequest) async throws -> QueryResult

    /// Starts the query as `execute` does, with a way to read its progress while it runs
    /// (async jobs show it). The default has no progress to show.
    func start(_ request: TAPQueryRequest) async throws -> TAPRunningQuery

    /// The tables the service publishes, for `/tables` (VOSI) — nil while the engine has no
    /// catalog to show (the endpoint then answers 404).
    func tableSet() async throws -> TAPTableSet?

    /// Whether the engine can take queries now, for `/availability` (VOSI); the note, if any,
    /// is shown to the reader.
    func availability() async -> TAPAvailability

    /// Whether the engine reads `TAPQueryRequest.uploads` as `TAP_UPLOAD.<name>` tables. While
    /// it does not, the service refuses UPLOAD ("not accepted") and `/capabilities` declares
    /// no upload method, rather than let a query fail on a table the engine cannot see.
    /// Default: false.
    var acceptsUploads: Bool { get }
}

/// A started query: its rows, its progress when the engine can tell it, and a way to stop it
/// with a reason its reader sees (an administrator's cancel, a shutdown).
public struct TAPRunningQuery: Sendable {
    public var result: QueryResult
    public var progress: (@Sendable () -> QueryProgress)?
    /// Stops the query so that reading its rows throws the given error. Nil: the engine can
    /// only `cancel()` the result (its reader then sees the rows end).
    public var stop: (@Sendable (QueryError) -> Void)?

    public init(
        result: QueryResult, progress: (@Sendable () -> QueryProgress)?, stop: (@Sendable (QueryError) -> Void)? = nil
    ) {
        self.result = result
        self.progress = progress
        self.stop = stop
    }
}

extension TAPQueryEngine {
    public func start(_ request: TAPQueryRequest) async throws -> TAPRunningQuery {
        TAPRunningQuery(result: try await execute(request), progress: nil)
    }
    public func tableSet() async throws -> TAPTableSet? { nil }
    public func availability() async -> TAPAvailability { TAPAvailability(isAvailable: true) }
    public var acceptsUploads: Bool { false }
}

public struct TAPAvailability: Sendable, Hashable {
    public var isAvailable: Bool
    public var note: String?

    public init(isAvailable: Bool, note: String? = nil) {
        (self.isAvailable, self.note) = (isAvailable, note)
    }
}

/// The published tables (VODataService tableset), which `/tables` renders as VOSI XML.
public struct TAPTableSet: Sendable, Hashable {
    public struct Schema: Sendable, Hashable {
        public var name: String
        public var title: String?
        public var description: String?
        public var tables: [Table]

        public init(name: String, title: String? = nil, description: String? = nil, tables: [Table]) {
            (self.name, self.title, self.description, self.tables) = (name, title, description, tables)
        }
    }

    public struct Table: Sendable, Hashable {
        /// The fully qualified name, as used in queries (`schema.table`).
        public var name: String
        public var title: String?
        public var description: String?
        /// `table` or `view` (VODataService `type`).
        public var type: String
        public var columns: [Column]
        public var foreignKeys: [ForeignKey]

        public init(
            name: String, title: String? = nil, description: String? = nil, type: String = "table",
            columns: [Column], foreignKeys: [ForeignKey] = []
        ) {
            (self.name, self.title, self.description) = (name, title, description)
            (self.type, self.columns, self.foreignKeys) = (type, columns, foreignKeys)
        }
    }

    public struct Column: Sendable, Hashable {
        public var field: FieldDescriptor
        public var indexed: Bool
        public var principal: Bool
        public var standard: Bool
        public var nullable: Bool

        public init(
            _ field: FieldDescriptor, indexed: Bool = false, principal: Bool = false,
            standard: Bool = false, nullable: Bool = true
        ) {
            self.field = field
            (self.indexed, self.principal, self.standard, self.nullable) = (indexed, principal, standard, nullable)
        }
    }

    public struct ForeignKey: Sendable, Hashable {
        public var targetTable: String
        /// (from column, target column) pairs.
        public var columns: [(from: String, target: String)]
        public var description: String?

        public init(targetTable: String, columns: [(from: String, target: String)], description: String? = nil) {
            (self.targetTable, self.columns, self.description) = (targetTable, columns, description)
        }

        public static func == (a: Self, b: Self) -> Bool {
            a.targetTable == b.targetTable && a.description == b.description
                && a.columns.map(\.from) == b.columns.map(\.from) && a.columns.map(\.target) == b.columns.map(\.target)
        }

        public func hash(into h: inout Hasher) {
            h.combine(targetTable)
            h.combine(description)
            for c in columns {
                h.combine(c.from)
                h.combine(c.target)
            }
        }
    }

    public var schemas: [Schema]

    public init(schemas: [Schema]) { self.schemas = schemas }
}
