import ADQL

// Conditions whose type only the catalog knows.
//
// The parser (ADQL's GrammarCheck) rejects conditions that are numbers, strings or geometries by
// their form: `WHERE 1`, `WHERE CONTAINS(...)`. A bare column or function call in a condition's
// place passes it, since a column may be boolean (`WHERE detect_isPrimary`). Once names are
// bound, its type is known: anything but a boolean is an error, as the grammar demands.

extension Binder {
    /// Checks the operands of `condition` (a bound WHERE, HAVING or ON condition) that stand
    /// where a condition belongs: the condition itself, AND/OR operands and NOT operands.
    func checkCondition(_ condition: Expression, clause: String, in scope: Scope) throws {
        var pending = [(condition, clause)]
        // A worklist, not recursion: a chain of thousands of ANDs is a valid condition.
        while let (e, context) = pending.popLast() {
            let inner = e.unparenthesized
            switch inner.kind {
            case .binary(let op, let left, let right) where op == .and || op == .or:
                pending.append((right, op.rawValue))
                pending.append((left, op.rawValue))
            case .not(let operand):
                pending.append((operand, "NOT"))
            case .column(let name):
                let field = TypeInference(scope: scope, functions: functions, columnIndex: columnIndex).field(of: inner)
                guard field.datatype != .boolean else { continue }
                throw Self.error(
                    "\(context) needs a condition (a comparison, BETWEEN, IN, LIKE, IS NULL or EXISTS), found the "
                        + "\(field.datatype.rawValue) column \(name.last.name); compare it, e.g. \(name.last.name) = 1",
                    at: e.range)
            case .function(let call) where functions.signature(of: call) != nil:
                throw Self.error(
                    "\(context) needs a condition (a comparison, BETWEEN, IN, LIKE, IS NULL or EXISTS), found "
                        + "\(call.name.name)(...), a value; compare it, e.g. \(call.name.name)(...) = 1",
                    at: e.range)
            default:
                continue
            }
        }
    }
}
