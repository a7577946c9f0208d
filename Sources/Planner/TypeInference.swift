import ADQL
import Catalog
import Tabular

/// Derives the VOTable FIELD of a bound expression: catalog metadata for columns, the
/// function's declared result for calls, the usual numeric promotion for arithmetic.
struct TypeInference {
    let scope: Binder.Scope
    let functions: FunctionRegistry
    let columnIndex: ColumnIndex

    func field(of expression: Expression) -> FieldDescriptor {
        switch expression.unparenthesized.kind {
        case .column(let name):
            if name.parts.count == 2, let field = scope.field(correlation: name.parts[0].name, column: name.parts[1].name) {
                return field
            }
            return FieldDescriptor(name: name.last.name, datatype: .char)
        case .literal(let literal):
            switch literal {
            case .integer(let v):
                return FieldDescriptor(name: "", datatype: (Int64(Int32.min)...Int64(Int32.max)).contains(v) ? .int : .long)
            case .real: return FieldDescriptor(name: "", datatype: .double)
            case .string: return FieldDescriptor(name: "", datatype: .char)
            case .boolean: return FieldDescriptor(name: "", datatype: .boolean)
            case .null: return FieldDescriptor(name: "", datatype: .char)
            }
        case .unary(_, let e):
            return field(of: e).numericOnly
        case .binary(let op, let a, let b):
            switch op {
            case .concatenate: return FieldDescriptor(name: "", datatype: .char)
            case .and, .or, .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
                return FieldDescriptor(name: "", datatype: .boolean)
            case .add, .subtract, .multiply, .divide:
                let fa = field(of: a), fb = field(of: b)
                let datatype = Self.promote(fa.datatype, fb.datatype)
                let unit = (op == .add || op == .subtract) && fa.unit == fb.unit ? fa.unit : nil
                return FieldDescriptor(name: "", datatype: datatype, unit: unit)
            }
        case .not, .between, .inList, .inSubquery, .exists, .isNull, .like:
            return FieldDescriptor(name: "", datatype: .boolean)
        case .function(let call):
            guard let signature = functions.signature(of: call) else {
                return FieldDescriptor(name: "", datatype: .double)
            }
            switch signature.result {
            case .double:
                return FieldDescriptor(name: "", datatype: .double, unit: signature.unit, ucd: signature.ucd)
            case .long: return FieldDescriptor(name: "", datatype: .long, ucd: call.upperName == "COUNT" ? "meta.number" : nil)
            case .integer: return FieldDescriptor(name: "", datatype: .int)
            case .string: return FieldDescriptor(name: "", datatype: .char)
            case .geometry(let xtype):
                // A REGION of a run-time string is text (a Box keeps its STC-S form), as CAST AS REGION.
                if xtype == "region" { return FieldDescriptor(name: "", datatype: .char, xtype: xtype) }
                return FieldDescriptor(name: "", datatype: .double, arraysize: "*", xtype: xtype)
            case .firstArgument:
                // Only this result needs the argument's FIELD.
                var f = call.arguments.first.map(field(of:)) ?? FieldDescriptor(name: "", datatype: .double)
                if call.upperName == "SUM", f.datatype.isInteger { f.datatype = .long }
                if f.datatype == .boolean, call.upperName == "SUM" { f.datatype = .long }
                f.description = nil
                return f
            }
        case .cast(_, let type):
            switch type {
            case .smallint: return FieldDescriptor(name: "", datatype: .short)
            case .integer: return FieldDescriptor(name: "", datatype: .int)
            case .bigint: return FieldDescriptor(name: "", datatype: .long)
            case .real: return FieldDescriptor(name: "", datatype: .float)
            case .doublePrecision: return FieldDescriptor(name: "", datatype: .double)
            case .char(let n), .varchar(let n):
                return FieldDescriptor(name: "", datatype: .char, arraysize: n.map { "\($0)*" } ?? "*")
            case .timestamp: return FieldDescriptor(name: "", datatype: .char, xtype: "timestamp")
            case .point: return FieldDescriptor(name: "", datatype: .double, arraysize: "2", xtype: "point")
            case .circle: return FieldDescriptor(name: "", datatype: .double, arraysize: "3", xtype: "circle")
            case .polygon: return FieldDescriptor(name: "", datatype: .double, arraysize: "*", xtype: "polygon")
            case .region: return FieldDescriptor(name: "", datatype: .char, xtype: "region")
            }
        case .caseWhen(_, let whens, let elseResult):
            let branches = whens.map(\.result) + (elseResult.map { [$0] } ?? [])
            let fields = branches.filter {
                if case .literal(.null) = $0.unparenthesized.kind { return false }; return true
            }
            .map(field(of:))
            guard var f = fields.first else { return FieldDescriptor(name: "", datatype: .char) }
            for other in fields.dropFirst() { f.datatype = Self.promote(f.datatype, other.datatype) }
            return f
        case .scalarSubquery:
            return FieldDescriptor(name: "", datatype: .double)
        case .parenthesized(let e):
            return field(of: e)
        }
    }

    static func promote(_ a: VODatatype, _ b: VODatatype) -> VODatatype {
        if a.isCharacter || b.isCharacter { return .char }
        if a == .double || b == .double || a == .float || b == .float { return .double }
        if a == .long || b == .long { return .long }
        if a == .boolean && b == .boolean { return .int }
        return .long
    }
}

extension FieldDescriptor {
    /// The descriptor with metadata that no longer applies after arithmetic removed.
    var numericOnly: FieldDescriptor {
        var f = self
        f.ucd = nil
        f.description = nil
        return f
    }
}
