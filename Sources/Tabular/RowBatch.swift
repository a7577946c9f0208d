/// A block of result rows stored row-major in one flat array, so that a batch of many rows is
/// one allocation rather than one per row.
public struct RowBatch: Sendable, Hashable {
    public let columnCount: Int
    public private(set) var values: [Value]

    public init(columnCount: Int, reservingRows rows: Int = 0) {
        precondition(columnCount >= 0)
        self.columnCount = columnCount
        self.values = []
        values.reserveCapacity(rows * columnCount)
    }

    public init(columnCount: Int, values: [Value]) {
        precondition(columnCount > 0 ? values.count % columnCount == 0 : values.isEmpty)
        self.columnCount = columnCount
        self.values = values
    }

    public var rowCount: Int { columnCount == 0 ? 0 : values.count / columnCount }
    public var isEmpty: Bool { values.isEmpty }

    public subscript(row: Int, column: Int) -> Value {
        values[row * columnCount + column]
    }

    public func row(_ index: Int) -> ArraySlice<Value> {
        values[(index * columnCount)..<((index + 1) * columnCount)]
    }

    public mutating func append<C: Collection>(row: C) where C.Element == Value {
        precondition(row.count == columnCount, "row has \(row.count) values, batch has \(columnCount) columns")
        values.append(contentsOf: row)
    }

    public mutating func append(_ value: consuming Value) { values.append(value) }

    /// Appends the rows of `other` (which has as many columns, or none).
    public mutating func append(contentsOf other: RowBatch) {
        precondition(other.columnCount == columnCount || other.isEmpty)
        values.append(contentsOf: other.values)
    }

    /// Keeps only the first `n` rows.
    public mutating func truncate(toRows n: Int) {
        if n < rowCount { values.removeSubrange((n * columnCount)...) }
    }

    public mutating func removeAll(keepingCapacity: Bool = true) {
        values.removeAll(keepingCapacity: keepingCapacity)
    }
}
