import ADQL
import Catalog
import Tabular

/// Renders planner ASTs to SQLite SQL through the ADQL module's renderer, with table names
/// mapped to where the tables live in a shard (or to the coordinator's merge table).
/// SQL is only ever produced from the AST: no user text is spliced into it.
enum SQLGeneration {
    struct ShardDialect: SQLiteDialect {
        let tables: TableMapper

        func tableReference(_ name: QualifiedName, alias: Identifier?, renderer: SQLiteRenderer) throws -> String {
            let sql: String
            if let alias, tables.overlapCorrelations.contains(alias.name), name.parts.count == 2,
                let info = tables.tables.first(where: { $0.correlation == alias.name })?.info
            {
                let table = SQLiteRenderer.quoteIdentifier(info.name)
                let overlap = SQLiteRenderer.quoteIdentifier(ShardTableNames.overlap(of: info.name))
                sql = "(SELECT * FROM \(table) UNION ALL SELECT * FROM \(overlap))"
            } else if name.parts.count == 2 {
                sql = tables.sqlName(schema: name.parts[0].name, table: name.parts[1].name)
            } else {
                sql = SQLiteRenderer.quotedName(name)
            }
            return alias.map { sql + " AS " + SQLiteRenderer.quoteIdentifier($0.name) } ?? sql
        }

        func appendColumnReference(_ name: QualifiedName, to out: inout SQLBuffer, renderer: SQLiteRenderer) throws {
            SQLiteRenderer.appendQuotedName(name, to: &out)
        }

        /// The merge rewrite's internal calls (names no bound query can call).
        func functionCall(_ call: FunctionCall, range: SourceRange, renderer: SQLiteRenderer) throws -> String? {
            guard call.name.isDelimited, call.arguments.count <= 1 else { return nil }
            switch call.name.name {
            case MergeRewriter.topKBoundParameter.name.name where call.arguments.isEmpty: return "?1"
            case MergeRewriter.averagePartial.name.name where call.arguments.count == 1:
                return "skyshard_avg_partial(" + (try renderer.render(call.arguments[0])) + ")"
            case MergeRewriter.averageMerge.name.name where call.arguments.count == 1:
                return "skyshard_avg_merge(" + (try renderer.render(call.arguments[0])) + ")"
            default: return nil
            }
        }
    }

    static func quote(_ name: String) -> String { SQLiteRenderer.quoteIdentifier(name) }

    static func render(_ query: Query, tables: TableMapper) throws -> String {
        do {
            return try SQLiteRenderer(dialect: ShardDialect(tables: tables)).render(query)
        } catch let error as ADQLError {
            throw queryError(error)
        }
    }

    /// A query that cannot be rendered as the user's error, at the position of its cause.
    static func queryError(_ error: ADQLError) -> QueryError {
        QueryError(
            .semantic, error.description, line: error.range == .synthesized ? nil : error.range.start.line,
            column: error.range == .synthesized ? nil : error.range.start.column, cause: error)
    }

    /// The renderer of merge-side expressions, built once (the merge rewriter renders one per
    /// node it compares).
    static let mergeRenderer = SQLiteRenderer(dialect: ShardDialect(tables: .merge))

    static func renderExpression(_ expression: Expression) throws -> String {
        do {
            return try mergeRenderer.render(expression)
        } catch let error as ADQLError {
            throw QueryError(.semantic, error.description, cause: error)
        }
    }
}
