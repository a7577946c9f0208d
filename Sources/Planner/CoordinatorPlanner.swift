import ADQL
import Catalog
import Tabular

/// A query that does not distribute as one chunk statement and a merge (sub-queries, set
/// operations, WITH, derived tables, outer joins across partitioned tables, ...), answered in
/// two phases:
///
/// 1. *materialize*: every part that does distribute runs as a `DistributedPlan` into a
///    coordinator table `g<N>` — whole uncorrelated sub-queries where possible, otherwise the
///    rows of one partitioned table reference, restricted by the predicates of its own scope
///    that mention only it and reduced to the columns the query names;
/// 2. *finish*: the whole query, with those references replaced by the `g<N>` tables, runs in
///    the coordinator's SQLite database (replicated tables and TAP_SCHEMA attached).
///
/// The rows materialized are capped (`QueryPlanner.coordinatorRowLimit`); a query that needs
/// more fails with an error that says so, never with a partial answer.
public struct CoordinatorPlan: Sendable {
    public struct Step: Sendable {
        /// The coordinator table the rows go into.
        public var table: String
        /// Its columns, with the metadata of the values they hold.
        public var columns: [FieldDescriptor]
        public var plan: DistributedPlan
        /// What this step stands for, for `explain`.
        public var note: String
    }

    public var steps: [Step]
    /// The statement that finishes the query over the steps' tables.
    public var finalSQL: String
    /// Result column names, in order, when the query's select list fixes them (nil: take the
    /// names SQLite reports).
    public var columnNames: [String]?
    public var passes: [String]
    /// Rows the steps may materialize in total.
    public var rowLimit: Int
    /// The tables uploaded with the query, which the coordinator creates and fills before the
    /// finishing statement (which reads them by these names).
    public var uploadTables: [UploadTable] = []

    /// An uploaded table as a table of the coordinator database.
    public struct UploadTable: Sendable {
        /// Its name in the coordinator database (`TAP_UPLOAD.t` is `tap_upload_<n>`).
        public var table: String
        public var columns: [FieldDescriptor]
        public var rows: RowBatch
    }

    public var explanation: String {
        var lines = ["passes:"] + passes.map { "  - \($0)" }
        for step in steps {
            lines.append("step \(step.table) (\(step.note)): \(step.plan.chunkIds.count) of \(step.plan.totalChunks) chunks")
            lines.append(contentsOf: step.plan.explanation.split(separator: "\n").map { "    " + $0 })
        }
        lines.append("finish at the coordinator:")
        lines.append("  \(finalSQL)")
        return lines.joined(separator: "\n")
    }
}

/// Either plan shape.
public enum QueryPlan: Sendable {
    case distributed(DistributedPlan)
    case coordinated(CoordinatorPlan)

    public var explanation: String {
        switch self {
        case .distributed(let p): p.explanation
        case .coordinated(let p): p.explanation
        }
    }

    /// The scatter-gather plan, when the query distributes.
    public var distributed: DistributedPlan? {
        if case .distributed(let p) = self { return p }
        return nil
    }

    /// The chunks the query touches (of all its distributed parts).
    public var chunkIds: [Int] {
        switch self {
        case .distributed(let p): p.chunkIds
        case .coordinated(let p): Array(Set(p.steps.flatMap(\.plan.chunkIds))).sorted()
        }
    }
}

struct CoordinatorPlanner {
    let planner: QueryPlanner
    var steps: [CoordinatorPlan.Step] = []
    var passes: [String] = []
    /// Table references replaced by coordinator tables, keyed by their source range.
    var replacements: [SourceRange: String] = [:]
    /// Column names the query mentions anywhere (lower-cased), for column pruning.
    let mentioned: Set<String>
    let usesWildcard: Bool

    init(planner: QueryPlanner, query: Query) {
        self.planner = planner
        var names = Set<String>()
        query.walkExpressions { e in
            if case .column(let name) = e.kind { names.insert(name.last.name.lowercased()) }
            return true
        }
        mentioned = names
        var wildcard = false
        func scan(_ q: Query) {
            for s in q.body.selects {
                for item in s.items {
                    switch item {
                    case .wildcard, .qualifiedWildcard: wildcard = true
                    case .expression: break
                    }
                }
                for ref in s.from { scanRef(ref) }
            }
            for cte in q.with { scan(cte.query) }
            if case .nested(let inner) = q.body { scan(inner) }
        }
        func scanRef(_ ref: TableReference) {
            switch ref {
            case .table: break
            case .derived(let q, _, _): scan(q)
            case .join(let j):
                scanRef(j.left)
                scanRef(j.right)
                if j.natural { wildcard = true }
                if case .using? = j.condition { wildcard = true }
            }
        }
        scan(query)
        // Sub-queries inside expressions.
        query.walkExpressions { e in
            for sub in e.subqueries { scan(sub) }
            return true
        }
        usesWildcard = wildcard
    }

    /// `query`'s regions are folded (`QueryPlanner.plan` folds them first): its parts are planned
    /// with `QueryPlanner.distribute`, without folding again.
    static func plan(_ query: Query, planner: QueryPlanner) throws -> CoordinatorPlan {
        // Every function of the query must be known, including those only the finishing
        // statement evaluates: nothing unknown is passed through to SQLite.
        try query.walkExpressions { e in
            if case .function(let call) = e.kind {
                try planner.functions.check(call, range: e.range)
                try GeometryArguments.check(call, range: e.range)
            }
            return true
        }
        // Every column name too, so that a misspelt one is reported at its position rather
        // than by SQLite when the finishing statement is prepared.
        try planner.binder.checkCoordinatorNames(query)
        var coordinator = CoordinatorPlanner(planner: planner, query: query)
        let rewritten = try coordinator.process(query, ctes: [], topLevel: true)
        let widths = Dictionary(coordinator.steps.map { ($0.table, $0.columns.count) }, uniquingKeysWith: { a, _ in a })
        let sql: String
        do {
            sql = try SQLiteRenderer(
                dialect: FinishDialect(
                    replacements: coordinator.replacements, planner: planner, stepWidths: widths)
            )
            .render(rewritten)
        } catch let error as ADQLError {
            throw SQLGeneration.queryError(error)
        }
        var names: [String]?
        if case .select(let s) = query.body,
            !s.items.contains(where: {
                if case .expression = $0 { return false }
                return true
            })
        {
            var used = Set<String>()
            names = s.items.map { item in
                guard case .expression(let e, let alias) = item else { return "expr" }
                var name = alias?.name ?? Binder.defaultName(of: e)
                if used.contains(name.lowercased()) {
                    var n = 2
                    while used.contains("\(name)_\(n)".lowercased()) { n += 1 }
                    name = "\(name)_\(n)"
                }
                used.insert(name.lowercased())
                return name
            }
        }
        return CoordinatorPlan(
            steps: coordinator.steps, finalSQL: sql, columnNames: names,
            passes: coordinator.passes + [
                "finish: the whole query at the coordinator over \(coordinator.steps.count) materialized table(s)"
            ],
            rowLimit: planner.coordinatorRowLimit,
            uploadTables: planner.uploads.tables.enumerated().map { i, upload in
                CoordinatorPlan.UploadTable(
                    table: FinishDialect.uploadTable(i), columns: upload.info.columns.map(\.fieldDescriptor), rows: upload.rows)
            })
    }

    // MARK: Rewriting

    mutating func process(_ query: Query, ctes: Set<String>, topLevel: Bool) throws -> Query {
        // An uncorrelated query that distributes is materialized whole.
        if !topLevel, query.with.isEmpty, !Self.mentionsAny(query, of: ctes),
            case .distributed(let plan)? = try? planner.distribute(QueryPlanner.FoldedQuery(query: query))
        {
            let table = addStep(plan: plan, columns: plan.fields, note: "sub-query, distributed")
            passes.append("materialize-subquery: \(table) from a distributable sub-query")
            return Query(
                body: .select(
                    SelectStatement(
                        items: [.wildcard(.synthesized)],
                        from: [.table(QualifiedName([Identifier(table, isDelimited: true)]), alias: nil, range: .synthesized)])))
        }
        var q = query
        var visible = ctes
        var with: [CommonTableExpression] = []
        for cte in query.with {
            var c = cte
            c.query = try process(cte.query, ctes: visible, topLevel: false)
            with.append(c)
            visible.insert(cte.name.name.lowercased())
        }
        q.with = with
        q.body = try processBody(query.body, ctes: visible)
        q.orderBy = try query.orderBy.map { item in
            var i = item
            i.expression = try processExpression(item.expression, ctes: visible)
            return i
        }
        return q
    }

    mutating func processBody(_ body: QueryBody, ctes: Set<String>) throws -> QueryBody {
        switch body {
        case .select(let s): return .select(try processSelect(s, ctes: ctes))
        case .setOperation(let op, let all, let l, let r):
            return .setOperation(op, all: all, left: try processBody(l, ctes: ctes), right: try processBody(r, ctes: ctes))
        case .nested(let q): return .nested(try process(q, ctes: ctes, topLevel: true))
        }
    }

    mutating func processExpression(_ e: Expression, ctes: Set<String>) throws -> Expression {
        try e.rewrite(intoSubqueries: false) { node in
            switch node.kind {
            case .inSubquery(let x, let q, let negated):
                return Expression(
                    .inSubquery(
                        try processExpression(x, ctes: ctes),
                        try process(q, ctes: ctes, topLevel: false), negated: negated),
                    range: node.range)
            case .exists(let q):
                return Expression(.exists(try process(q, ctes: ctes, topLevel: false)), range: node.range)
            case .scalarSubquery(let q):
                return Expression(.scalarSubquery(try process(q, ctes: ctes, topLevel: false)), range: node.range)
            default:
                return nil
            }
        }
    }

    mutating func processSelect(_ select: SelectStatement, ctes: Set<String>) throws -> SelectStatement {
        var s = select
        // The tables of this scope, for deciding which predicates mention one table only.
        var scopeTables: [(range: SourceRange, correlation: String, info: TableInfo?, outer: Bool)] = []
        func collect(_ ref: TableReference, underOuterJoin: Bool) {
            switch ref {
            case .table(let name, let alias, let range):
                let info = Self.isCTE(name, ctes) ? nil : try? planner.binder.resolveTable(name)
                scopeTables.append((range, alias?.name ?? name.last.name, info, underOuterJoin))
            case .derived(_, let alias, let range):
                scopeTables.append((range, alias.name, nil, underOuterJoin))
            case .join(let j):
                let outer = underOuterJoin || j.kind == .left || j.kind == .right || j.kind == .full
                collect(j.left, underOuterJoin: outer)
                collect(j.right, underOuterJoin: outer)
            }
        }
        for ref in select.from { collect(ref, underOuterJoin: false) }

        let conjuncts = select.whereClause?.conjuncts ?? []
        var from: [TableReference] = []
        for ref in select.from {
            from.append(
                try ref.rewriteLeaves { leaf in
                    switch leaf {
                    case .table(let name, let alias, let range):
                        if Self.isCTE(name, ctes) { return nil }
                        let info = try planner.binder.resolveTable(name)
                        guard info.isPartitioned else { return nil }
                        let entry = scopeTables.first { $0.range == range }
                        let correlation = alias?.name ?? info.name
                        let pushed =
                            entry?.outer == true
                            ? []
                            : conjuncts.filter {
                                Self.mentionsOnly(
                                    $0, correlation: correlation, info: info, scope: scopeTables.map { ($0.correlation, $0.info) }
                                )
                            }
                        try gather(info, correlation: correlation, predicates: pushed, range: name.range)
                        return nil
                    case .derived(let q, let alias, let range):
                        let processed = try process(q, ctes: ctes, topLevel: false)
                        return .derived(processed, alias: alias, range: range)
                    case .join:
                        return nil
                    }
                })
        }
        s.from = try from.map { try processJoinConditions($0, ctes: ctes) }
        s.items = try select.items.map { item in
            if case .expression(let e, let alias) = item {
                return .expression(try processExpression(e, ctes: ctes), alias: alias)
            }
            return item
        }
        s.whereClause = try select.whereClause.map { try processExpression($0, ctes: ctes) }
        s.groupBy = try select.groupBy.map { try processExpression($0, ctes: ctes) }
        s.having = try select.having.map { try processExpression($0, ctes: ctes) }
        return s
    }

    mutating func processJoinConditions(_ ref: TableReference, ctes: Set<String>) throws -> TableReference {
        guard case .join(var j) = ref else { return ref }
        j.left = try processJoinConditions(j.left, ctes: ctes)
        j.right = try processJoinConditions(j.right, ctes: ctes)
        if case .on(let e)? = j.condition { j.condition = .on(try processExpression(e, ctes: ctes)) }
        return .join(j)
    }

    /// Adds a step that gathers the rows of one partitioned table reference.
    mutating func gather(_ info: TableInfo, correlation: String, predicates: [Expression], range: SourceRange) throws {
        let columns = info.columns.filter { usesWildcard || mentioned.contains($0.name.lowercased()) }
        let selected = columns.isEmpty ? [info.columns[0]] : columns
        let statement = SelectStatement(
            items: selected.map { .expression(.column(correlation, $0.name), alias: Identifier($0.name, isDelimited: true)) },
            from: [
                .table(
                    QualifiedName([Identifier(info.schema, isDelimited: true), Identifier(info.name, isDelimited: true)]),
                    alias: Identifier(correlation, isDelimited: true), range: .synthesized)
            ],
            whereClause: Expression.and(predicates))
        // One table reference, and predicates that hold no sub-query: it always distributes.
        let plan: DistributedPlan
        switch try planner.distribute(QueryPlanner.FoldedQuery(query: Query(body: .select(statement)))) {
        case .distributed(let distributed): plan = distributed
        case .needsCoordinator(let reason):
            throw QueryError(.internal, "the rows of \(info.qualifiedName) AS \(correlation) cannot be gathered: \(reason)")
        }
        let table = addStep(
            plan: plan, columns: selected.map(\.fieldDescriptor),
            note: "\(info.qualifiedName) AS \(correlation), \(predicates.count) predicate(s) pushed down")
        replacements[range] = table
        passes.append(
            "gather: \(table) ← \(info.name) AS \(correlation) (\(selected.count) column(s), \(predicates.count) predicate(s))")
    }

    mutating func addStep(plan: DistributedPlan, columns: [FieldDescriptor], note: String) -> String {
        let table = "g\(steps.count)"
        steps.append(CoordinatorPlan.Step(table: table, columns: columns, plan: plan, note: note))
        return table
    }

    // MARK: Helpers

    static func isCTE(_ name: QualifiedName, _ ctes: Set<String>) -> Bool {
        name.parts.count == 1 && ctes.contains(name.parts[0].name.lowercased())
    }

    static func mentionsAny(_ query: Query, of ctes: Set<String>) -> Bool {
        guard !ctes.isEmpty else { return false }
        var found = false
        func scanRef(_ ref: TableReference) {
            switch ref {
            case .table(let name, _, _): if isCTE(name, ctes) { found = true }
            case .derived(let q, _, _): if mentionsAny(q, of: ctes) { found = true }
            case .join(let j):
                scanRef(j.left)
                scanRef(j.right)
            }
        }
        for s in query.body.selects { for r in s.from { scanRef(r) } }
        query.walkExpressions { e in
            for sub in e.subqueries where mentionsAny(sub, of: ctes) { found = true }
            return !found
        }
        return found
    }

    /// Whether every column of `e` belongs to the table `correlation` of this scope (and `e`
    /// holds no sub-query), so that filtering that table's rows by `e` first loses nothing.
    static func mentionsOnly(
        _ e: Expression, correlation: String, info: TableInfo, scope: [(String, TableInfo?)]
    ) -> Bool {
        var ok = true
        var any = false
        e.walk(intoSubqueries: false) { node in
            switch node.kind {
            case .exists, .scalarSubquery, .inSubquery:
                ok = false
            case .column(let name):
                any = true
                let column = name.last
                guard info.columns.contains(where: { column.matches($0.name) }) else {
                    ok = false
                    break
                }
                if name.parts.count >= 2 {
                    if !name.parts[name.parts.count - 2].matches(correlation) { ok = false }
                } else {
                    // Unqualified: it must not name a column of another table of the scope
                    // (or one we know nothing of, such as a derived table).
                    for (other, otherInfo) in scope where other.lowercased() != correlation.lowercased() {
                        guard let otherInfo else {
                            ok = false
                            break
                        }
                        if otherInfo.columns.contains(where: { column.matches($0.name) }) { ok = false }
                    }
                }
            default:
                break
            }
            return ok
        }
        return ok && any
    }
}

/// Renders the finishing statement: replaced references become their coordinator tables,
/// replicated tables and TAP_SCHEMA their attached databases.
struct FinishDialect: SQLiteDialect {
    let replacements: [SourceRange: String]
    let planner: QueryPlanner
    /// Columns of each coordinator table `g<N>`.
    var stepWidths: [String: Int] = [:]

    func tableReference(_ name: QualifiedName, alias: Identifier?, renderer: SQLiteRenderer) throws -> String {
        let correlation = alias?.name
        if name.parts.count == 1, name.parts[0].name.hasPrefix("g"), name.parts[0].isDelimited {
            return SQLiteRenderer.defaultTableReference(name, alias: alias)
        }
        if let info = try? planner.binder.resolveTable(name) {
            let corr = correlation ?? info.name
            if let upload = planner.uploads.index(of: info) {
                return SQLiteRenderer.quoteIdentifier(Self.uploadTable(upload)) + " AS " + SQLiteRenderer.quoteIdentifier(corr)
            }
            if let table = replacements[name.range] {
                return SQLiteRenderer.quoteIdentifier(table) + " AS " + SQLiteRenderer.quoteIdentifier(corr)
            }
            let mapped = TableMapper(tables: [BoundTable(info: info, correlation: corr)])
                .sqlName(schema: info.schema, table: info.name)
            return mapped + " AS " + SQLiteRenderer.quoteIdentifier(corr)
        }
        return SQLiteRenderer.defaultTableReference(name, alias: alias)
    }

    /// The coordinator table of the upload at `index` (`CoordinatorPlan.uploadTables`).
    static func uploadTable(_ index: Int) -> String { "tap_upload_\(index)" }

    func columnReference(_ name: QualifiedName, renderer: SQLiteRenderer) throws -> String {
        // schema.table.column → table.column (tables are known by their correlation name).
        SQLiteRenderer.quotedName(QualifiedName(Array(name.parts.suffix(2))))
    }

    func wildcardQualifier(_ name: QualifiedName, renderer: SQLiteRenderer) throws -> String {
        SQLiteRenderer.quoteIdentifier(name.last.name)
    }

    /// Coordinator tables and catalog tables (whole: a gathered table keeps every column when
    /// the query has `*`).
    func tableWidth(_ name: QualifiedName) -> Int? {
        if name.parts.count == 1, let width = stepWidths[name.parts[0].name] { return width }
        return (try? planner.binder.resolveTable(name))?.columns.count
    }
}
