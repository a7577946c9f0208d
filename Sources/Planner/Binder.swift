import ADQL
import Catalog
import Tabular

/// A table of the FROM clause, resolved against the catalog.
public struct BoundTable: Sendable, Hashable {
    public var info: TableInfo
    /// The name the query uses for it: its alias, or the table name.
    public var correlation: String
}

/// One column of the result.
public struct OutputColumn: Sendable, Hashable {
    public var expression: Expression
    public var field: FieldDescriptor
}

/// A SELECT whose names are resolved: tables are `[schema, table]` with their correlation name
/// as alias, every column reference is `[correlation, column]` with catalog spelling (delimited),
/// `*` is expanded, and the result columns have unique names and types.
public struct BoundSelect: Sendable {
    public var statement: SelectStatement
    public var tables: [BoundTable]
    public var outputs: [OutputColumn]
    /// ORDER BY items with aliases and ordinals replaced by the expressions they name.
    public var orderBy: [OrderItem]
    public var offset: Int?
}

/// Resolves names against the catalog, following ADQL's case rules: regular identifiers match
/// case-insensitively, delimited ones exactly.
public final class Binder: Sendable {
    public let catalog: CatalogDescription
    public let functions: FunctionRegistry
    let columnIndex: ColumnIndex

    public convenience init(catalog: CatalogDescription, functions: FunctionRegistry = .standard) {
        self.init(catalog: catalog, functions: functions, columnIndex: ColumnIndex(catalog))
    }

    init(catalog: CatalogDescription, functions: FunctionRegistry, columnIndex: ColumnIndex) {
        self.catalog = catalog
        self.functions = functions
        self.columnIndex = columnIndex
    }

    static func error(_ message: String, at range: SourceRange) -> QueryError {
        if range == .synthesized { return QueryError(.semantic, message) }
        return QueryError(
            .semantic, "line \(range.start.line), column \(range.start.column): \(message)",
            line: range.start.line, column: range.start.column)
    }

    /// A shape that `QueryPlanner.checkShape` sends to the coordinator, found while binding:
    /// a fault of the planner, not of the query.
    static func unplannedShape(_ what: String) -> QueryError {
        QueryError(.internal, "the binder was given a \(what); such queries are planned by the coordinator")
    }

    // MARK: Tables

    func resolveTable(_ name: QualifiedName) throws -> TableInfo {
        let parts = name.parts
        let tableId = parts[parts.count - 1]
        let schemaId: Identifier? = parts.count >= 2 ? parts[parts.count - 2] : nil
        if parts.count > 3 {
            throw Self.error("table name \(name) has too many parts", at: name.range)
        }
        var candidates = columnIndex.tables(named: tableId.name, in: catalog).filter { tableId.matches($0.name) }
        if let schemaId { candidates = candidates.filter { schemaId.matches($0.schema) } }
        if candidates.count == 1 { return candidates[0] }
        if candidates.count > 1 {
            let names = candidates.map(\.qualifiedName).sorted().joined(separator: ", ")
            throw Self.error("table \(name) is ambiguous: it could be \(names)", at: name.range)
        }
        let known = catalog.tables.map(\.qualifiedName)
        let suggestions = Suggestions.closest(to: name.description, in: known)
        var message = "unknown table \(name)"
        if !suggestions.isEmpty { message += "; did you mean \(suggestions.joined(separator: " or "))?" }
        throw Self.error(message, at: name.range)
    }

    /// Flattens the FROM clause into its tables (left to right) and rewrites it to canonical form.
    func bindFrom(_ ref: TableReference, into tables: inout [BoundTable]) throws -> TableReference {
        switch ref {
        case .table(let name, let alias, let range):
            let info = try resolveTable(name)
            let correlation = alias?.name ?? info.name
            if let clash = tables.first(where: { CaseFolding.equalIgnoringCase($0.correlation, correlation) }) {
                throw Self.error(
                    "the name \(correlation) is used for two tables (\(clash.info.qualifiedName) and \(info.qualifiedName)); give one an alias",
                    at: alias?.range ?? range)
            }
            tables.append(BoundTable(info: info, correlation: correlation))
            return .table(
                QualifiedName([Identifier(info.schema, isDelimited: true), Identifier(info.name, isDelimited: true)]),
                alias: Identifier(correlation, isDelimited: true), range: range)
        case .derived(_, let alias, _):
            throw Self.unplannedShape("derived table \(alias)")
        case .join(var join):
            join.left = try bindFrom(join.left, into: &tables)
            join.right = try bindFrom(join.right, into: &tables)
            return .join(join)
        }
    }

    // MARK: Columns

    /// The names a SELECT's expressions see. A class: the binder's closures and the type
    /// inference share one scope instead of copying its tables for every node.
    final class Scope {
        let tables: [BoundTable]
        /// Select-list aliases, usable in ORDER BY (and, as SQLite allows, GROUP BY / HAVING).
        /// (A list: it is only ever scanned, for a name matching under ADQL's case rules; a later
        /// alias spelt the same replaces an earlier one.)
        var aliases: [(name: String, value: Expression)] = []
        /// Columns merged by USING or NATURAL joins (lower-cased name → the merged value), which
        /// an unqualified reference names without ambiguity.
        var merged: [String: Expression] = [:]
        /// The right-hand columns a merge hides from `*`.
        var hidden: Set<String> = []
        /// Aggregate calls bound so far (a clause that must hold none is checked by the count,
        /// not by another walk).
        var aggregateCalls = 0
        /// Each table's precomputed column list (names, FIELDs, references, and the folded-name
        /// table), looked up once per scope rather than per column reference (nil: the table is
        /// not in the catalog's index).
        let lists: [ColumnIndex.ColumnList?]
        private let columnIndex: ColumnIndex

        init(tables: [BoundTable], columnIndex: ColumnIndex) {
            self.tables = tables
            self.columnIndex = columnIndex
            self.lists = tables.map { columnIndex.catalogColumnList(of: $0.info) }
        }

        /// The FIELD of column `column` (exact name) of the first table called `correlation`.
        func field(correlation: String, column: String) -> FieldDescriptor? {
            guard let i = tables.firstIndex(where: { $0.correlation == correlation }) else { return nil }
            if let list = lists[i], let folded = list.folded {
                var found: Int?
                _ = folded.forEachMatch(column) { j in
                    if list.names[j] == column { found = j }
                    return found == nil
                }
                return found.map { list.fields[$0] }
            }
            return columnIndex.field(of: tables[i].info, exactly: column)
        }

        /// The columns of `tables[i]` whose names equal `name` ignoring case.
        func columns(ofTable i: Int, named name: String, index: ColumnIndex) -> [ColumnInfo] {
            index.columns(of: tables[i].info, named: name)
        }

        /// The bound reference to column `j` of `tables[i]`, at `range`: the catalog's
        /// precomputed one when the table is not aliased (no new node), else a new one.
        /// (`tables[i]` has a column list: `resolveFast` found the column in it.)
        func reference(table i: Int, column j: Int, range: SourceRange) -> Expression {
            let list = lists[i]!
            let shared = tables[i].correlation == tables[i].info.name
            return Expression(
                shared ? list.references[j].kind : Expression.column(tables[i].correlation, list.names[j]).kind, range: range)
        }
    }

    /// The (table, column) indices of the one column `name` refers to, through the tables'
    /// folded-name tables; nil when that is not certain (no table, non-ASCII names, none or
    /// several matches): `resolveColumn` then decides, and reports the errors.
    func resolveFast(_ name: QualifiedName, in scope: Scope) -> (table: Int, column: Int)? {
        // The column's name and kind read in place (not a copy of its Identifier, range and
        // all); a qualifier only sliced when there is one.
        let last = name.parts.count - 1
        let columnName = name.parts[last].name
        let delimited = name.parts[last].isDelimited
        var match: (table: Int, column: Int)?
        var count = 0
        for i in scope.tables.indices {
            if last > 0 && !Self.qualifier(name.parts[..<last], matches: scope.tables[i]) { continue }
            guard let list = scope.lists[i], let folded = list.folded else { return nil }
            let ascii = folded.forEachMatch(columnName) { j in
                // Folded equality is ASCII case-insensitive equality: a regular identifier
                // matches; a delimited one only as spelled.
                if delimited && list.names[j] != columnName { return true }
                count += 1
                if match == nil { match = (i, j) }
                return count < 2
            }
            if !ascii || count > 1 { return nil }
        }
        return count == 1 ? match : nil
    }

    /// The table (its correlation name) and the catalog spelling of the column `name` refers to.
    func resolveColumn(_ name: QualifiedName, in scope: Scope) throws -> (correlation: String, column: String) {
        let parts = name.parts
        let columnId = parts[parts.count - 1]
        let qualifier = parts.dropLast()
        // The tables' columns named `columnId`, by table index (tables are not copied while
        // looking: this runs for every column reference).
        func candidates(_ found: (Int, String) -> Bool) {
            for i in scope.tables.indices {
                if !qualifier.isEmpty && !Self.qualifier(qualifier, matches: scope.tables[i]) { continue }
                let columns = scope.columns(ofTable: i, named: columnId.name, index: columnIndex)
                for j in columns.indices where columnId.matches(columns[j].name) {
                    if !found(i, columns[j].name) { return }
                }
            }
        }
        var match: (table: Int, column: String)?
        var count = 0
        candidates { i, column in
            count += 1
            if match == nil { match = (i, column) }
            return count < 2
        }
        if count == 1, let match { return (scope.tables[match.table].correlation, match.column) }
        if count > 1 {
            var names: [String] = []
            candidates { i, column in
                names.append("\(scope.tables[i].correlation).\(column)")
                return true
            }
            throw Self.error("column \(name) is ambiguous: it could be \(names.joined(separator: ", "))", at: name.range)
        }
        if !qualifier.isEmpty && !scope.tables.contains(where: { Self.qualifier(qualifier, matches: $0) }) {
            let known = scope.tables.map(\.correlation).joined(separator: ", ")
            throw Self.error(
                "\(QualifiedName(Array(qualifier))) does not name a table of the FROM clause (\(known))", at: name.range)
        }
        let known = scope.tables.flatMap { t in t.info.columns.map(\.name) }
        let suggestions = Suggestions.closest(to: columnId.name, in: known)
        var message = "unknown column \(name)"
        if !suggestions.isEmpty { message += "; did you mean \(suggestions.joined(separator: " or "))?" }
        throw Self.error(message, at: name.range)
    }

    static func qualifier(_ q: [Identifier], matches table: BoundTable) -> Bool {
        qualifier(q[...], matches: table)
    }

    static func qualifier(_ q: ArraySlice<Identifier>, matches table: BoundTable) -> Bool {
        switch q.count {
        case 1:
            return q[q.startIndex].matches(table.correlation)
        case 2:
            return q[q.startIndex + 1].matches(table.info.name) && q[q.startIndex].matches(table.info.schema)
                && table.correlation == table.info.name
        default:
            return false
        }
    }

    func bindExpression(_ expression: Expression, in scope: Scope, allowAliases: Bool = false) throws -> Expression {
        try expression.rewrite(intoSubqueries: false) { e in
            switch e.kind {
            case .column(let name):
                if name.parts.count == 1, !scope.merged.isEmpty,
                    let mergedColumn = scope.merged[CaseFolding.key(name.parts[0].name)]
                {
                    return mergedColumn
                }
                if allowAliases, name.parts.count == 1 {
                    let key = name.parts[0]
                    if let aliased = scope.aliases.first(where: { key.matches($0.name) })?.value,
                        (try? resolveColumn(name, in: scope)) == nil
                    {
                        return aliased
                    }
                }
                if let (i, j) = resolveFast(name, in: scope) { return scope.reference(table: i, column: j, range: e.range) }
                let (correlation, column) = try resolveColumn(name, in: scope)
                return Expression(
                    .column(QualifiedName([Identifier(correlation, isDelimited: true), Identifier(column, isDelimited: true)])),
                    range: e.range)
            case .function(let call) where call.upperName == "IN_UNIT":
                try functions.check(call, range: e.range)
                // IN_UNIT(value, 'unit') → value × factor, from the value's unit in the catalog.
                guard case .literal(.string(let target)) = call.arguments[1].unparenthesized.kind else {
                    throw Self.error("the unit of IN_UNIT must be a string literal", at: call.arguments[1].range)
                }
                let value = try bindExpression(call.arguments[0], in: scope, allowAliases: allowAliases)
                let field = TypeInference(scope: scope, functions: functions, columnIndex: columnIndex).field(of: value)
                guard let unit = field.unit, !unit.isEmpty else {
                    throw Self.error("IN_UNIT needs a value with a known unit; this one has none", at: call.arguments[0].range)
                }
                let factor = try UnitConversion.factor(from: unit, to: target, range: e.range)
                return Expression(
                    .parenthesized(
                        Expression(
                            .binary(
                                .multiply, Expression(.parenthesized(value)),
                                Expression(.literal(.real(factor, text: "\(factor)")))))),
                    range: e.range)
            case .function(let call):
                try functions.check(call, range: e.range)
                try GeometryArguments.check(call, range: e.range)
                if e.isAggregateCall { scope.aggregateCalls += 1 }
                // Literal arguments (a CIRCLE's centre and radius, a POLYGON's signed vertices)
                // have nothing to bind: the call is kept rather than rebuilt.
                if call.arguments.allSatisfy(Self.isSignedLiteral) { return e }
                return nil
            case .exists, .scalarSubquery, .inSubquery:
                throw Self.unplannedShape("sub-query")
            default:
                return nil
            }
        }
    }

    /// A literal, or a sign applied to one (`-37`): binding leaves it as it is.
    static func isSignedLiteral(_ e: Expression) -> Bool {
        switch e.kind {
        case .literal: true
        case .unary(_, let operand): if case .literal = operand.kind { true } else { false }
        default: false
        }
    }

    // MARK: SELECT

    /// Binds a query of the shape `QueryPlanner.checkShape` lets through.
    func bind(_ query: QueryPlanner.SingleSelect) throws -> BoundSelect {
        let select = query.select
        var tables: [BoundTable] = []
        let from = try select.from.map { try bindFrom($0, into: &tables) }
        if tables.isEmpty { throw QueryError(.semantic, "a query needs a FROM clause") }
        let scope = Scope(tables: tables, columnIndex: columnIndex)

        // Join conditions.
        let boundFrom = try from.map { try bindJoinConditions($0, scope: scope) }

        // Select list with * expanded.
        var outputs: [OutputColumn] = []
        outputs.reserveCapacity(select.items.count)
        var usedNames: [String: Int] = [:]
        // One name per item, at least (no rehashing while they are added).
        usedNames.reserveCapacity(select.items.count)
        /// `key` is `CaseFolding.key(preferredName)` when the caller has it.
        func addOutput(_ expression: Expression, preferredName: String, key: String? = nil, known: FieldDescriptor? = nil) {
            var name = preferredName
            let key = key ?? CaseFolding.key(name)
            if let count = usedNames[key] {
                var n = count + 1
                while usedNames[(name + "_\(n)").lowercased()] != nil { n += 1 }
                usedNames[key] = n
                name += "_\(n)"
                usedNames[CaseFolding.key(name)] = 1
            } else {
                usedNames[key] = 1
            }
            var field = known ?? TypeInference(scope: scope, functions: functions, columnIndex: columnIndex).field(of: expression)
            field.name = name
            outputs.append(OutputColumn(expression: expression, field: field))
        }
        /// Every column of `table`, from the catalog's precomputed list (names, keys, FIELDs and,
        /// for the table's own name as correlation, the bound references).
        func addColumns(of table: BoundTable, merging: Bool) {
            let columns = columnIndex.columnList(of: table.info)
            let references = table.correlation == table.info.name ? columns.references : nil
            outputs.reserveCapacity(outputs.count + columns.names.count)
            usedNames.reserveCapacity(usedNames.count + columns.names.count)
            for i in columns.names.indices {
                let name = columns.names[i]
                if merging {
                    if !scope.hidden.isEmpty && scope.hidden.contains("\(table.correlation)\u{0}\(name)") { continue }
                    if let merged = scope.merged[columns.keys[i]] {
                        addOutput(merged, preferredName: name, key: columns.keys[i])
                        continue
                    }
                }
                addOutput(
                    references?[i] ?? .column(table.correlation, name), preferredName: name,
                    key: columns.keys[i], known: columns.fields[i])
            }
        }
        /// The select items when they are exactly one table's precomputed expansion.
        var expandedItems: [SelectItem]?
        // By index: `for item in` copied every item (alias and all) before looking at it.
        for itemIndex in select.items.indices {
            switch select.items[itemIndex] {
            case .wildcard:
                let merging = !scope.hidden.isEmpty || !scope.merged.isEmpty
                // `SELECT * FROM t` (t not aliased): the expansion is the same every time.
                if select.items.count == 1, tables.count == 1, !merging, tables[0].correlation == tables[0].info.name,
                    let expansion = columnIndex.columnList(of: tables[0].info).expansion
                {
                    (outputs, expandedItems, usedNames) = expansion
                    continue
                }
                for table in tables { addColumns(of: table, merging: merging) }
            case .qualifiedWildcard(let name, let range):
                guard let table = tables.first(where: { Self.qualifier(name.parts, matches: $0) }) else {
                    throw Self.error("\(name) does not name a table of the FROM clause", at: range)
                }
                addColumns(of: table, merging: false)
            case .expression(let expression, let alias):
                if case .column(let name) = expression.kind, scope.merged.isEmpty {
                    // A bare column: what `bindExpression` and the type inference find, without
                    // the rewrite's closure and a second dispatch on the node.
                    if let (i, j) = resolveFast(name, in: scope), let list = scope.lists[i] {
                        addOutput(
                            scope.reference(table: i, column: j, range: expression.range),
                            preferredName: alias?.name ?? list.names[j], known: list.fields[j])
                        continue
                    }
                    let (correlation, column) = try resolveColumn(name, in: scope)
                    let bound = Expression.column(correlation, column)
                    addOutput(
                        Expression(bound.kind, range: expression.range), preferredName: alias?.name ?? column,
                        known: scope.field(correlation: correlation, column: column))
                    continue
                }
                let bound = try bindExpression(expression, in: scope)
                addOutput(bound, preferredName: alias?.name ?? Self.defaultName(of: bound))
            }
        }
        // By index: items and outputs are read in place, not copied.
        for n in 0..<min(select.items.count, outputs.count) {
            if case .expression(_, let alias?) = select.items[n] {
                if let i = scope.aliases.firstIndex(where: { $0.name == alias.name }) {
                    scope.aliases[i].value = outputs[n].expression
                } else {
                    scope.aliases.append((alias.name, outputs[n].expression))
                }
            }
        }

        let aggregatesBefore = scope.aggregateCalls
        let whereClause = try select.whereClause.map { try bindExpression($0, in: scope) }
        // (Equivalent to `whereClause.containsAggregate`: binding WHERE replaces no node by one
        // holding an aggregate, and keeps literal-argument calls, which hold none, as they are.)
        if let whereClause, scope.aggregateCalls > aggregatesBefore {
            throw Self.error("aggregate functions are not allowed in WHERE; use HAVING", at: whereClause.range)
        }
        if let whereClause { try checkCondition(whereClause, clause: "WHERE", in: scope) }
        let groupBy = try select.groupBy.map { try bindExpression($0, in: scope, allowAliases: true) }
        let having = try select.having.map { try bindExpression($0, in: scope, allowAliases: true) }
        if let having { try checkCondition(having, clause: "HAVING", in: scope) }

        var orderBy: [OrderItem] = []
        for item in query.orderBy {
            var bound = item
            let e = item.expression.unparenthesized
            if case .literal(.integer(let ordinal)) = e.kind {
                guard ordinal >= 1 && ordinal <= outputs.count else {
                    throw Self.error(
                        "ORDER BY \(ordinal) is not a column of the select list (1...\(outputs.count))",
                        at: item.range)
                }
                bound.expression = outputs[Int(ordinal) - 1].expression
            } else if case .column(let name) = e.kind, name.parts.count == 1,
                let output = outputs.first(where: { name.parts[0].matches($0.field.name) }),
                (try? resolveColumn(name, in: scope)) == nil
                    || select.items.contains(where: {
                        if case .expression(_, let alias?) = $0 { return name.parts[0].matches(alias.name) }
                        return false
                    })
            {
                bound.expression = output.expression
            } else {
                bound.expression = try bindExpression(item.expression, in: scope, allowAliases: true)
            }
            orderBy.append(bound)
        }

        var statement = select
        statement.from = boundFrom
        statement.items =
            expandedItems
            ?? outputs.indices.map { Self.selectItem(expression: outputs[$0].expression, name: outputs[$0].field.name) }
        statement.whereClause = whereClause
        statement.groupBy = groupBy
        statement.having = having
        return BoundSelect(statement: statement, tables: tables, outputs: outputs, orderBy: orderBy, offset: query.offset)
    }

    /// A bound output as a select item: its expression, aliased to its (delimited) name.
    static func selectItem(_ output: OutputColumn) -> SelectItem {
        selectItem(expression: output.expression, name: output.field.name)
    }

    static func selectItem(expression: Expression, name: String) -> SelectItem {
        .expression(expression, alias: Identifier(name, isDelimited: true))
    }

    private func bindJoinConditions(_ ref: TableReference, scope: Scope) throws -> TableReference {
        guard case .join(var join) = ref else { return ref }
        join.left = try bindJoinConditions(join.left, scope: scope)
        join.right = try bindJoinConditions(join.right, scope: scope)
        let kind = join.kind
        /// Records that `name` is merged from left.l and right.r.
        func merge(_ name: String, _ l: BoundTable, _ r: BoundTable) {
            let left = Expression.column(l.correlation, name), right = Expression.column(r.correlation, name)
            let value: Expression
            switch kind {
            case .right: value = right
            case .full: value = Expression(.function(FunctionCall(name: Identifier("COALESCE"), arguments: [left, right])))
            default: value = left
            }
            scope.merged[CaseFolding.key(name)] = value
            scope.hidden.insert("\(r.correlation)\u{0}\(name)")
        }
        switch join.condition {
        case .on(let e)?:
            let bound = try bindExpression(e, in: scope)
            try checkCondition(bound, clause: "ON", in: scope)
            join.condition = .on(bound)
        case .using(let columns)?:
            // USING (c) → ON left.c = right.c, on the rightmost table of each side that has c.
            let leftTables = Self.tables(of: join.left, in: scope)
            let rightTables = Self.tables(of: join.right, in: scope)
            var condition: Expression?
            for column in columns {
                guard let l = leftTables.last(where: { $0.info.columns.contains { column.matches($0.name) } }),
                    let r = rightTables.last(where: { $0.info.columns.contains { column.matches($0.name) } }),
                    let lc = l.info.columns.first(where: { column.matches($0.name) }),
                    let rc = r.info.columns.first(where: { column.matches($0.name) })
                else {
                    throw Self.error("USING column \(column) is not in both sides of the join", at: column.range)
                }
                let eq = Expression(.binary(.equal, .column(l.correlation, lc.name), .column(r.correlation, rc.name)))
                condition = condition.map { Expression(.binary(.and, $0, eq)) } ?? eq
                merge(lc.name, l, r)
            }
            join.condition = condition.map { .on($0) }
        case nil:
            if join.natural {
                let leftTables = Self.tables(of: join.left, in: scope)
                let rightTables = Self.tables(of: join.right, in: scope)
                var condition: Expression?
                for r in rightTables {
                    for rc in r.info.columns {
                        if let l = leftTables.first(where: { $0.info.column(named: rc.name) != nil }) {
                            let eq = Expression(.binary(.equal, .column(l.correlation, rc.name), .column(r.correlation, rc.name)))
                            condition = condition.map { Expression(.binary(.and, $0, eq)) } ?? eq
                            merge(rc.name, l, r)
                        }
                    }
                }
                join.natural = false
                join.condition = condition.map { .on($0) }
                if condition == nil { join.kind = .cross }
            }
        }
        return .join(join)
    }

    static func tables(of ref: TableReference, in scope: Scope) -> [BoundTable] {
        switch ref {
        case .table(_, let alias, _):
            return scope.tables.filter { $0.correlation == alias?.name }
        case .derived: return []
        case .join(let join): return tables(of: join.left, in: scope) + tables(of: join.right, in: scope)
        }
    }

    /// TAP's naming of unnamed select items: a column keeps its name; a function call is named
    /// after the function; anything else is `expr`.
    static func defaultName(of expression: Expression) -> String {
        switch expression.unparenthesized.kind {
        case .column(let name): return name.last.name
        case .function(let call): return call.name.name.lowercased()
        case .cast(let inner, _): return defaultName(of: inner)
        default: return "expr"
        }
    }
}

/// The catalog's columns by table and lower-cased name, built once per catalog so that
/// resolving a name is a hash lookup rather than a scan of every column of every table.
final class ColumnIndex: Sendable {
    /// Tables by (schema, name): no key string is built per lookup.
    private struct TableKey: Hashable {
        var schema: String
        var name: String
    }
    private let byTable: [TableKey: [String: [ColumnInfo]]]
    /// Each column's result FIELD by exact name, built once (not per reference).
    private let fields: [TableKey: [String: FieldDescriptor]]
    /// Each table's columns in order, for expanding `*` without a lookup per column.
    private let lists: [TableKey: ColumnList]
    /// Positions in the catalog's table list by case-folded table name.
    private let tablePositions: [String: [Int]]

    /// A table's columns in catalog order: names, case-folded keys, FIELDs, and references
    /// `[table, column]` (both delimited) as `*` binds them when the table is not aliased.
    /// A class: a scope holds its tables' lists without copying their arrays.
    final class ColumnList: Sendable {
        let names: [String]
        let keys: [String]
        let fields: [FieldDescriptor]
        let references: [Expression]
        /// The names by ASCII-folded spelling (nil when some name is not ASCII).
        let folded: FoldedNameTable?
        /// The whole expansion of `*` over the table alone, when the table is not aliased and
        /// no two of its column names fold to the same key (nil otherwise): the output
        /// columns, the select items naming them, and the used-names table they leave behind.
        let expansion: (outputs: [OutputColumn], items: [SelectItem], usedNames: [String: Int])?

        init(_ table: TableInfo) {
            names = table.columns.map(\.name)
            keys = names.map(CaseFolding.key)
            fields = table.columns.map(\.fieldDescriptor)
            references = names.map { .column(table.name, $0) }
            folded = FoldedNameTable(names)
            let usedNames = Dictionary(keys.map { ($0, 1) }, uniquingKeysWith: { a, _ in a })
            if usedNames.count == keys.count {
                var outputs: [OutputColumn] = []
                for i in names.indices {
                    var field = fields[i]
                    field.name = names[i]
                    outputs.append(OutputColumn(expression: references[i], field: field))
                }
                expansion = (outputs, outputs.map(Binder.selectItem), usedNames)
            } else {
                expansion = nil
            }
        }
    }

    init(_ catalog: CatalogDescription) {
        var index: [TableKey: [String: [ColumnInfo]]] = [:]
        var fields: [TableKey: [String: FieldDescriptor]] = [:]
        var lists: [TableKey: ColumnList] = [:]
        var tablePositions: [String: [Int]] = [:]
        for (position, table) in catalog.tables.enumerated() {
            tablePositions[CaseFolding.key(table.name), default: []].append(position)
            var columns: [String: [ColumnInfo]] = [:]
            var exact: [String: FieldDescriptor] = [:]
            for column in table.columns {
                columns[CaseFolding.key(column.name), default: []].append(column)
                exact[column.name] = column.fieldDescriptor
            }
            let key = TableKey(schema: table.schema, name: table.name)
            index[key] = columns
            fields[key] = exact
            lists[key] = ColumnList(table)
        }
        byTable = index
        self.fields = fields
        self.lists = lists
        self.tablePositions = tablePositions
    }

    /// The tables of `catalog` (the one this index was built from) whose names equal `name`
    /// ignoring case, in catalog order.
    func tables(named name: String, in catalog: CatalogDescription) -> [TableInfo] {
        guard let positions = tablePositions[CaseFolding.key(name)] else { return [] }
        return positions.compactMap { $0 < catalog.tables.count ? catalog.tables[$0] : nil }
    }

    /// The columns of `table` in order (computed on the spot for a table outside the catalog).
    func columnList(of table: TableInfo) -> ColumnList {
        lists[TableKey(schema: table.schema, name: table.name)] ?? ColumnList(table)
    }

    /// The precomputed columns of `table` (nil for a table outside the catalog).
    func catalogColumnList(of table: TableInfo) -> ColumnList? {
        lists[TableKey(schema: table.schema, name: table.name)]
    }

    /// The FIELD of the column of `table` named exactly `name`.
    func field(of table: TableInfo, exactly name: String) -> FieldDescriptor? {
        guard let exact = fields[TableKey(schema: table.schema, name: table.name)] else {
            return table.columns.first { $0.name == name }?.fieldDescriptor
        }
        return exact[name]
    }

    /// The column of `table` named exactly `name`.
    func column(of table: TableInfo, exactly name: String) -> ColumnInfo? {
        columns(of: table, named: name).first { $0.name == name }
    }

    /// The columns of `table` whose names equal `name` ignoring case.
    func columns(of table: TableInfo, named name: String) -> [ColumnInfo] {
        guard let columns = byTable[TableKey(schema: table.schema, name: table.name)] else {
            return table.columns.filter { CaseFolding.equalIgnoringCase($0.name, name) }
        }
        return columns[CaseFolding.key(name)] ?? []
    }
}

/// "Did you mean" suggestions by edit distance.
enum Suggestions {
    static func closest(to name: String, in candidates: [String], limit: Int = 3) -> [String] {
        let target = Array(name.lowercased().unicodeScalars)
        let scored = Set(candidates).map { candidate -> (String, Int) in
            (candidate, distance(target, Array(candidate.lowercased().unicodeScalars)))
        }
        let threshold = max(2, target.count / 3)
        return scored.filter { $0.1 <= threshold }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(limit).map(\.0)
    }

    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

extension Expression {
    static func column(_ table: String, _ column: String) -> Expression {
        Expression(.column(QualifiedName([Identifier(table, isDelimited: true), Identifier(column, isDelimited: true)])))
    }
}
