import ADQL
import Catalog
import Columnar

/// Compiles a chunk statement (the merge rewrite's, over one partitioned table) into the plan
/// of the vectorised executor (`Columnar.ColumnarPlan`) when every expression it needs is one
/// the executor supports: filters (comparisons, BETWEEN, IN, IS NULL, AND/OR/NOT), arithmetic,
/// the math functions, CONTAINS of a POINT in a CIRCLE and DISTANCE of two POINTs, and
/// COUNT/SUM/MIN/MAX/AVG partials with GROUP BY, or a DISTINCT over columns (the gather of
/// COUNT(DISTINCT)). Anything else is answered by SQLite, the source of truth, and the reason
/// is what EXPLAIN says.
struct ColumnarCompiler {
    let table: BoundTable

    /// The plan, or why the statement stays on SQLite.
    static func compile(_ query: Query, tables: [BoundTable]) -> Result<ColumnarPlan, Unsupported> {
        do {
            guard query.with.isEmpty, query.orderBy.isEmpty, query.offset == nil, case .select(let s) = query.body else {
                throw Unsupported("an ordered or compound chunk statement")
            }
            guard s.top == nil, s.having == nil else { throw Unsupported("TOP in the chunk statement") }
            guard tables.count == 1, tables[0].info.isPartitioned, s.from.count == 1,
                case .table = s.from[0]
            else { throw Unsupported("not one partitioned table") }
            return .success(try ColumnarCompiler(table: tables[0]).plan(s))
        } catch let error as Unsupported {
            return .failure(error)
        } catch {
            return .failure(Unsupported("\(error)"))
        }
    }

    struct Unsupported: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    func plan(_ s: SelectStatement) throws -> ColumnarPlan {
        let items: [Expression] = try s.items.map {
            guard case .expression(let e, _) = $0 else { throw Unsupported("a wildcard") }
            return e
        }
        let aggregating = s.quantifier == .distinct || !s.groupBy.isEmpty || items.contains(where: Self.isAggregate)
        if aggregating, let key = indexedKeyLookup(s.whereClause) {
            throw Unsupported("the index on \(key) finds the rows")
        }
        let filter = try s.whereClause.map(expression)
        if s.quantifier == .distinct {
            // The gather of an aggregate over DISTINCT values: the distinct rows of its columns.
            guard s.groupBy.isEmpty, !items.contains(where: { $0.contains(where: Self.isAggregate) }) else {
                throw Unsupported("DISTINCT with aggregates")
            }
            return ColumnarPlan(
                table: table.info.name, filter: filter, keys: try items.map(expression), aggregates: [],
                outputs: items.indices.map { .key($0) }, grouped: true)
        }
        guard !s.groupBy.isEmpty || items.contains(where: Self.isAggregate) else {
            throw Unsupported("a plain selection streams its rows")
        }
        let keys = try s.groupBy.map(expression)
        let groupKeys = try s.groupBy.map { try SQLGeneration.renderExpression($0.unparenthesized) }
        var aggregates: [ColumnarAggregate] = []
        var outputs: [ColumnarOutput] = []
        for item in items {
            if Self.isAggregate(item), case .function(let call) = item.kind {
                aggregates.append(try aggregate(call))
                outputs.append(.aggregate(aggregates.count - 1))
            } else if let k = groupKeys.firstIndex(of: try SQLGeneration.renderExpression(item.unparenthesized)) {
                outputs.append(.key(k))
            } else {
                throw Unsupported("a column that is neither a group key nor an aggregate")
            }
        }
        return ColumnarPlan(
            table: table.info.name, filter: filter, keys: keys, aggregates: aggregates, outputs: outputs,
            grouped: !s.groupBy.isEmpty)
    }

    /// The indexed key column (a director's key, a child's foreign key) that a top-level
    /// condition of `whereClause` holds equal to constants (`=`, `IN`): SQLite's index reads
    /// those few rows, where the executor would scan the whole chunk's columns.
    func indexedKeyLookup(_ whereClause: Expression?) -> String? {
        let key: String?
        switch table.info.partitioning {
        case .director(let spec): key = spec.keyColumn
        case .child(_, let foreignKey): key = foreignKey
        case .replicated: key = nil
        }
        guard let key, let conjuncts = whereClause?.conjuncts else { return nil }
        func isKey(_ e: Expression) -> Bool {
            guard case .column(let name) = e.unparenthesized.kind, name.parts.count == 2,
                name.parts[0].name == table.correlation
            else { return false }
            return name.parts[1].name.caseInsensitiveCompare(key) == .orderedSame
        }
        func isConstant(_ e: Expression) -> Bool {
            switch e.unparenthesized.kind {
            case .literal: true
            case .unary(_, let operand): isConstant(operand)
            default: false
            }
        }
        for term in conjuncts {
            switch term.unparenthesized.kind {
            case .binary(.equal, let a, let b) where (isKey(a) && isConstant(b)) || (isKey(b) && isConstant(a)):
                return key
            case .inList(let x, let list, negated: false) where isKey(x) && list.allSatisfy(isConstant):
                return key
            default:
                continue
            }
        }
        return nil
    }

    func aggregate(_ call: FunctionCall) throws -> ColumnarAggregate {
        if call.distinct {
            guard call.upperName == "COUNT", call.arguments.count == 1 else {
                throw Unsupported("an aggregate over DISTINCT values")
            }
            return ColumnarAggregate(.countDistinct, try expression(call.arguments[0]))
        }
        if call.name == MergeRewriter.averagePartial.name, call.arguments.count == 1 {
            return ColumnarAggregate(.averagePartial, try expression(call.arguments[0]))
        }
        if call.upperName == "COUNT" && call.star { return ColumnarAggregate(.countStar, nil) }
        guard call.arguments.count == 1 else { throw Unsupported("\(call.name.name) of \(call.arguments.count) arguments") }
        let function: ColumnarAggregate.Function
        switch call.upperName {
        case "COUNT": function = .count
        case "SUM": function = .sum
        case "MIN": function = .min
        case "MAX": function = .max
        default: throw Unsupported("the aggregate \(call.name.name)")
        }
        return ColumnarAggregate(function, try expression(call.arguments[0]))
    }

    func expression(_ e: Expression) throws -> ColumnarExpression {
        switch e.kind {
        case .parenthesized(let inner): return try expression(inner)
        case .literal(let literal):
            switch literal {
            case .integer(let i): return .integer(i)
            case .real(let d, _): return .real(d)
            case .string(let s): return .text(s)
            case .null: return .null
            case .boolean: throw Unsupported("a boolean literal")
            }
        case .column(let name):
            guard name.parts.count == 2, name.parts[0].name == table.correlation,
                let column = table.info.columns.first(where: { $0.name == name.parts[1].name })
            else { throw Unsupported("the column \(name)") }
            switch column.sqliteType {
            case "INTEGER", "REAL", "TEXT": return .column(column.name)
            default: throw Unsupported("the \(column.datatype) column \(column.name)")
            }
        case .unary(let op, let operand):
            return try op == .plus ? expression(operand) : .negate(expression(operand))
        case .binary(let op, let a, let b):
            let x = try expression(a), y = try expression(b)
            switch op {
            case .add: return .arithmetic(.add, x, y)
            case .subtract: return .arithmetic(.subtract, x, y)
            case .multiply: return .arithmetic(.multiply, x, y)
            case .divide: return .arithmetic(.divide, x, y)
            case .equal: return .compare(.equal, x, y)
            case .notEqual: return .compare(.notEqual, x, y)
            case .less: return .compare(.less, x, y)
            case .lessOrEqual: return .compare(.lessOrEqual, x, y)
            case .greater: return .compare(.greater, x, y)
            case .greaterOrEqual: return .compare(.greaterOrEqual, x, y)
            case .and: return .and(x, y)
            case .or: return .or(x, y)
            case .concatenate: throw Unsupported("||")
            }
        case .not(let operand): return .not(try expression(operand))
        case .between(let x, let low, let high, let negated):
            return .between(try expression(x), try expression(low), try expression(high), negated: negated)
        case .inList(let x, let list, let negated):
            return .inList(try expression(x), try list.map(expression), negated: negated)
        case .isNull(let x, let negated): return .isNull(try expression(x), negated: negated)
        case .cast(let x, let type):
            switch type {
            case .smallint, .integer, .bigint: return .cast(try expression(x), toInteger: true)
            case .real, .doublePrecision: return .cast(try expression(x), toInteger: false)
            default: throw Unsupported("CAST to \(type)")
            }
        case .function(let call): return try function(call)
        default: throw Unsupported("an expression of its kind")
        }
    }

    func function(_ call: FunctionCall) throws -> ColumnarExpression {
        if call.isAggregateLike { throw Unsupported("a nested aggregate") }
        let upper = call.upperName
        if upper == "PI", call.arguments.isEmpty { return .real(Double.pi) }
        if let f = MathFunction(rawValue: upper), call.arguments.count == f.arity {
            return .math(f, try call.arguments.map(expression))
        }
        switch upper {
        case "CONTAINS" where call.arguments.count == 2:
            guard let point = coordinates(call.arguments[0], "POINT"), point.count == 2,
                let circle = circleCoordinates(call.arguments[1])
            else { throw Unsupported("CONTAINS of other shapes than a POINT in a CIRCLE") }
            return .containsCircle(
                lon: try expression(point[0]), lat: try expression(point[1]), circle: try circle.map(expression))
        case "DISTANCE":
            let args: [Expression]
            if call.arguments.count == 4 {
                args = call.arguments
            } else if call.arguments.count == 2, let a = coordinates(call.arguments[0], "POINT"),
                let b = coordinates(call.arguments[1], "POINT"), a.count == 2, b.count == 2
            {
                args = a + b
            } else {
                throw Unsupported("DISTANCE of other shapes than POINTs")
            }
            return .distance(try args.map(expression))
        default:
            throw Unsupported("the function \(call.name.name)")
        }
    }

    /// The coordinates of a `name(...)` constructor, without its coordinate system.
    func coordinates(_ e: Expression, _ name: String) -> [Expression]? {
        guard case .function(let call) = e.unparenthesized.kind, call.upperName == name else { return nil }
        var args = call.arguments
        if let first = args.first, case .literal(.string) = first.kind { args.removeFirst() }
        return args
    }

    /// CIRCLE(lon, lat, r) or CIRCLE(POINT(lon, lat), r) as (lon, lat, r).
    func circleCoordinates(_ e: Expression) -> [Expression]? {
        guard let args = coordinates(e, "CIRCLE") else { return nil }
        if args.count == 3 { return args }
        if args.count == 2, let centre = coordinates(args[0], "POINT"), centre.count == 2 { return centre + [args[1]] }
        return nil
    }
}

extension ColumnarCompiler {
    /// Whether `e` is a call of an aggregate or of the merge rewrite's AVG partial.
    static func isAggregate(_ e: Expression) -> Bool {
        guard case .function(let call) = e.kind else { return false }
        return call.isAggregateLike
    }
}

extension FunctionCall {
    /// An aggregate or the merge rewrite's AVG partial.
    fileprivate var isAggregateLike: Bool {
        name == MergeRewriter.averagePartial.name || ["COUNT", "SUM", "MIN", "MAX", "AVG"].contains(upperName)
    }
}
