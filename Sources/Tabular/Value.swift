/// One cell of a result row, in SQLite's storage classes.
public enum Value: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The numeric value as a Double, if the cell is numeric.
    public var doubleValue: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .real(let d): d
        default: nil
        }
    }

    public var int64Value: Int64? {
        switch self {
        case .integer(let i): i
        case .real(let d) where d.rounded() == d && abs(d) < 9.2e18: Int64(d)
        default: nil
        }
    }
}
