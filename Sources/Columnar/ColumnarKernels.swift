/// The executor's tight loops: values read in place from the mapping (or from an evaluated
/// vector), a filter's column-against-constant conjuncts turned straight into a selection
/// vector, and group keys written into the key matrix. Each loop is chosen (operator, type,
/// NULLs or not) before it starts, so that no row pays for a switch.

/// Which rows of a batch are NULL.
enum Nulls {
    /// No row of the batch.
    case none
    /// A column file's bitmap (bit set = NULL); batch row `i` is file row `start + i`.
    case bits(UnsafePointer<UInt8>, start: Int)
    /// An evaluated vector's flags, by batch row.
    case flags(UnsafePointer<Bool>)

    /// The NULLs of a mapped column over file rows `start ..< start + count`: `.none` when the
    /// column has no NULL in them.
    init(_ column: MappedColumn, start: Int, count: Int) {
        guard let bits = column.nulls else {
            self = .none
            return
        }
        // Whole bytes where the rows cover them, single bits at the ends (batches start at a
        // multiple of 8 rows unless the batch size is not one).
        self = .none
        var row = start
        let end = start + count
        while row < end {
            if row & 7 == 0 && row + 8 <= end {
                if bits[row >> 3] != 0 { break }
                row += 8
            } else {
                if bits[row >> 3] & (1 << UInt8(row & 7)) != 0 { break }
                row += 1
            }
        }
        if row < end { self = .bits(bits, start: start) }
    }

    @inline(__always) func isNull(_ i: Int) -> Bool {
        switch self {
        case .none: return false
        case .bits(let bits, let start):
            let row = start &+ i
            return bits[row >> 3] & (1 << UInt8(truncatingIfNeeded: row & 7)) != 0
        case .flags(let flags): return flags[i]
        }
    }

    var isNone: Bool {
        if case .none = self { return true }
        return false
    }
}

/// The values of one column or expression over a batch, indexed by batch row, where they lie:
/// in the mapping (no copy) or in an evaluated vector's array.
enum BatchValues {
    case int64(UnsafePointer<Int64>, Nulls)
    case double(UnsafePointer<Double>, Nulls)
    /// Dictionary codes (checked against the dictionary when the file's column was first used).
    case codes(UnsafePointer<UInt32>, Nulls, dictionary: [String])
    /// A text constant.
    case constant(String)

    /// A mapped column's rows `start ..< start + count`, or nil for a column kind that goes
    /// through the evaluator (booleans, read as integers).
    init?(_ column: MappedColumn, start: Int, count: Int) {
        let nulls = Nulls(column, start: start, count: count)
        switch column.kind {
        case .int64: self = .int64(column.data.assumingMemoryBound(to: Int64.self) + start, nulls)
        case .double: self = .double(column.data.assumingMemoryBound(to: Double.self) + start, nulls)
        case .dictionaryText:
            self = .codes(column.data.assumingMemoryBound(to: UInt32.self) + start, nulls, dictionary: column.dictionary)
        case .bool: return nil
        }
    }

    var nulls: Nulls {
        switch self {
        case .int64(_, let n), .double(_, let n), .codes(_, let n, _): n
        case .constant: .none
        }
    }

    /// Calls `body` with an evaluated vector's values, valid only inside it.
    static func with<R>(_ vector: Vector, _ body: (BatchValues) throws -> R) rethrows -> R {
        func withNulls(_ n: [Bool]?, _ body: (Nulls) throws -> R) rethrows -> R {
            guard let n else { return try body(.none) }
            return try n.withUnsafeBufferPointer { try body(.flags($0.baseAddress!)) }
        }
        switch vector {
        case .int(let v, let n):
            return try v.withUnsafeBufferPointer { p in try withNulls(n) { try body(.int64(p.baseAddress!, $0)) } }
        case .real(let v, let n):
            return try v.withUnsafeBufferPointer { p in try withNulls(n) { try body(.double(p.baseAddress!, $0)) } }
        case .text(let v, let dictionary, let n):
            return try v.withUnsafeBufferPointer { p in
                try withNulls(n) { try body(.codes(p.baseAddress!, $0, dictionary: dictionary)) }
            }
        case .textConstant(let s): return try body(.constant(s))
        }
    }

    /// How a group key of these values turns back into values.
    var keyKind: KeyKind {
        switch self {
        case .int64: .int
        case .double: .real
        case .codes(_, _, let dictionary): .text(dictionary)
        case .constant(let s): .textConstant(s)
        }
    }

    /// Writes the selected rows' words into column `key` of the row-major `matrix` (`width`
    /// words a row), and their NULLs into each row's mask (its last word). Reals are keyed by
    /// their bits with 0.0 and -0.0 made one, as SQLite groups them.
    func fill(_ matrix: UnsafeMutableBufferPointer<UInt64>, key: Int, width: Int, selection: UnsafeBufferPointer<Int32>) {
        switch self {
        case .int64(let v, let n): Self.fill(matrix, key, width, selection, n) { UInt64(bitPattern: v[$0]) }
        case .double(let v, let n): Self.fill(matrix, key, width, selection, n) { (v[$0] + 0.0).bitPattern }
        case .codes(let v, let n, _): Self.fill(matrix, key, width, selection, n) { UInt64(v[$0]) }
        case .constant: break
        }
    }

    @inline(__always) private static func fill(
        _ m: UnsafeMutableBufferPointer<UInt64>, _ key: Int, _ width: Int, _ selection: UnsafeBufferPointer<Int32>,
        _ nulls: Nulls, _ word: (Int) -> UInt64
    ) {
        if nulls.isNone {
            var at = key
            for row in selection {
                m[at] = word(Int(row))
                at &+= width
            }
        } else {
            let bit = UInt64(1) << UInt64(key)
            for (j, row) in selection.enumerated() {
                let i = Int(row)
                if nulls.isNull(i) { m[j * width + width - 1] |= bit } else { m[j * width + key] = word(i) }
            }
        }
    }
}

/// Calls `body(group, row)` for every selected row whose value is not NULL; the group is 0
/// when there are no group ids (one group).
@inline(__always) func forEachValue(
    _ selection: UnsafeBufferPointer<Int32>, _ groupIds: UnsafeBufferPointer<Int32>?, _ nulls: Nulls,
    _ body: (Int, Int) throws -> Void
) rethrows {
    switch (groupIds, nulls.isNone) {
    case (nil, true):
        for row in selection { try body(0, Int(row)) }
    case (nil, false):
        for row in selection where !nulls.isNull(Int(row)) { try body(0, Int(row)) }
    case (let groups?, true):
        for j in 0..<selection.count { try body(Int(groups[j]), Int(selection[j])) }
    case (let groups?, false):
        for j in 0..<selection.count where !nulls.isNull(Int(selection[j])) { try body(Int(groups[j]), Int(selection[j])) }
    }
}

/// Folds the selected non-NULL values into `state` in row order (one group); returns the
/// state and how many values went in. The state stays in registers through the loop.
@inline(__always) func fold<V: RowValues, State>(
    _ values: V, _ selection: UnsafeBufferPointer<Int32>, _ nulls: Nulls, _ state: State,
    _ combine: (inout State, V.Value) -> Void
) -> (State, Int64) {
    var state = state
    var n = 0
    if nulls.isNone {
        for row in selection { combine(&state, values[Int(row)]) }
        n = selection.count
    } else {
        for row in selection where !nulls.isNull(Int(row)) {
            combine(&state, values[Int(row)])
            n &+= 1
        }
    }
    return (state, Int64(n))
}

/// A conjunct of a filter that compares a column with a constant, evaluated in place.
/// Comparisons follow the evaluator's: integers with integers exactly, anything with a real
/// as doubles, a text column through its sorted dictionary.
enum ColumnPredicate {
    case int(UnsafePointer<Int64>, MappedColumn, ComparisonOperator, Int64)
    case intAsReal(UnsafePointer<Int64>, MappedColumn, ComparisonOperator, Double)
    case real(UnsafePointer<Double>, MappedColumn, ComparisonOperator, Double)
    /// Codes against the constant's place in the dictionary (`DictionaryBound`).
    case codes(UnsafePointer<UInt32>, MappedColumn, ComparisonOperator, DictionaryBound)

    /// The filter as conjuncts of column-against-constant comparisons (AND, BETWEEN), or nil
    /// when it is anything else (the evaluator runs it).
    static func conjuncts(of filter: ColumnarExpression, in file: MappedColumnFile) -> [ColumnPredicate]? {
        var out: [ColumnPredicate] = []
        func add(_ e: ColumnarExpression) -> Bool {
            switch e {
            case .and(let a, let b): return add(a) && add(b)
            // Within a WHERE, x BETWEEN a AND b holds exactly when both comparisons do.
            case .between(let x, let low, let high, negated: false):
                return add(.compare(.greaterOrEqual, x, low)) && add(.compare(.lessOrEqual, x, high))
            case .compare(let op, .column(let name), let constant):
                guard let p = predicate(op, name, constant, file) else { return false }
                out.append(p)
                return true
            case .compare(let op, let constant, .column(let name)):
                guard let p = predicate(op.swapped, name, constant, file) else { return false }
                out.append(p)
                return true
            default: return false
            }
        }
        return add(filter) ? out : nil
    }

    private static func predicate(
        _ op: ComparisonOperator, _ name: String, _ constant: ColumnarExpression, _ file: MappedColumnFile
    ) -> ColumnPredicate? {
        guard let column = file.columns[name] else { return nil }
        switch (column.kind, constant) {
        case (.int64, .integer(let k)): return .int(column.data.assumingMemoryBound(to: Int64.self), column, op, k)
        case (.int64, .real(let d)): return .intAsReal(column.data.assumingMemoryBound(to: Int64.self), column, op, d)
        case (.double, .integer(let k)): return .real(column.data.assumingMemoryBound(to: Double.self), column, op, Double(k))
        case (.double, .real(let d)): return .real(column.data.assumingMemoryBound(to: Double.self), column, op, d)
        case (.dictionaryText, .text(let s)):
            return .codes(
                column.data.assumingMemoryBound(to: UInt32.self), column, op, DictionaryBound(s, in: column.dictionary))
        default: return nil
        }
    }

    /// Keeps in `selection[0 ..< count]` (batch rows, ascending) the rows of the batch that
    /// starts at file row `start` where the comparison is true (not NULL); with `all`, the
    /// selection is every row of the batch (`count` of them) and is written from scratch.
    /// Returns the new count.
    func refine(
        _ selection: UnsafeMutableBufferPointer<Int32>, count: Int, all: Bool, start: Int, batchRows: Int
    ) -> Int {
        switch self {
        case .int(let v, let column, let op, let k):
            let nulls = Nulls(column, start: start, count: batchRows)
            return Self.refine(PlainValues(base: v + start), op, k, selection, count, all, nulls)
        case .intAsReal(let v, let column, let op, let d):
            let nulls = Nulls(column, start: start, count: batchRows)
            return Self.refine(IntegersAsReals(base: v + start), op, d, selection, count, all, nulls)
        case .real(let v, let column, let op, let d):
            let nulls = Nulls(column, start: start, count: batchRows)
            return Self.refine(PlainValues(base: v + start), op, d, selection, count, all, nulls)
        case .codes(let v, let column, let op, let bound):
            let nulls = Nulls(column, start: start, count: batchRows)
            let codes = PlainValues(base: v + start)
            switch op {
            case .equal:
                guard bound.exact else { return 0 }
                return Self.loop(codes, bound.position, Equal.self, selection, count, all, nulls)
            case .notEqual:
                // Every code differs from a string not in the dictionary (code ≥ 0 always holds).
                guard bound.exact else { return Self.loop(codes, 0, GreaterOrEqual.self, selection, count, all, nulls) }
                return Self.loop(codes, bound.position, NotEqual.self, selection, count, all, nulls)
            case .less: return Self.loop(codes, bound.position, Less.self, selection, count, all, nulls)
            case .lessOrEqual: return Self.loop(codes, bound.after, Less.self, selection, count, all, nulls)
            case .greater: return Self.loop(codes, bound.after, GreaterOrEqual.self, selection, count, all, nulls)
            case .greaterOrEqual: return Self.loop(codes, bound.position, GreaterOrEqual.self, selection, count, all, nulls)
            }
        }
    }

    /// The loop of `op` against `k`, chosen once.
    @inline(__always) private static func refine<V: RowValues>(
        _ values: V, _ op: ComparisonOperator, _ k: V.Value, _ selection: UnsafeMutableBufferPointer<Int32>,
        _ count: Int, _ all: Bool, _ nulls: Nulls
    ) -> Int {
        switch op {
        case .equal: loop(values, k, Equal.self, selection, count, all, nulls)
        case .notEqual: loop(values, k, NotEqual.self, selection, count, all, nulls)
        case .less: loop(values, k, Less.self, selection, count, all, nulls)
        case .lessOrEqual: loop(values, k, LessOrEqual.self, selection, count, all, nulls)
        case .greater: loop(values, k, Greater.self, selection, count, all, nulls)
        case .greaterOrEqual: loop(values, k, GreaterOrEqual.self, selection, count, all, nulls)
        }
    }

    /// The selection loop, compiled once per value reader and comparison (generic
    /// specialisation): writes each candidate row and advances past it when it holds, so that
    /// the loop has no branch on the outcome.
    private static func loop<V: RowValues, C: RowComparison>(
        _ values: V, _ k: V.Value, _: C.Type, _ selection: UnsafeMutableBufferPointer<Int32>, _ count: Int, _ all: Bool,
        _ nulls: Nulls
    ) -> Int {
        var n = 0
        switch (all, nulls.isNone) {
        case (true, true):
            for i in 0..<count {
                selection[n] = Int32(truncatingIfNeeded: i)
                n &+= C.holds(values[i], k) ? 1 : 0
            }
        case (true, false):
            for i in 0..<count {
                selection[n] = Int32(truncatingIfNeeded: i)
                n &+= (C.holds(values[i], k) && !nulls.isNull(i)) ? 1 : 0
            }
        case (false, true):
            for j in 0..<count {
                let i = Int(selection[j])
                selection[n] = Int32(truncatingIfNeeded: i)
                n &+= C.holds(values[i], k) ? 1 : 0
            }
        case (false, false):
            for j in 0..<count {
                let i = Int(selection[j])
                selection[n] = Int32(truncatingIfNeeded: i)
                n &+= (C.holds(values[i], k) && !nulls.isNull(i)) ? 1 : 0
            }
        }
        return n
    }
}

/// A batch's values by batch row, as a type so that loops over them are specialised.
protocol RowValues {
    associatedtype Value: Comparable
    subscript(_ i: Int) -> Value { get }
}

struct PlainValues<T: Comparable>: RowValues {
    let base: UnsafePointer<T>
    @inline(__always) subscript(_ i: Int) -> T { base[i] }
}

/// Integers compared with a real: as doubles, as the evaluator does.
struct IntegersAsReals: RowValues {
    let base: UnsafePointer<Int64>
    @inline(__always) subscript(_ i: Int) -> Double { Double(base[i]) }
}

/// A comparison operator as a type (see `ColumnPredicate.loop`).
protocol RowComparison {
    static func holds<T: Comparable>(_ a: T, _ b: T) -> Bool
}

enum Equal: RowComparison {
    @inline(__always) static func holds<T: Comparable>(_ a: T, _ b: T) -> Bool { a == b }
}
enum NotEqual: RowComparison {
    @inline(__always) static func holds<T: Comparable>(_ a: T, _ b: T) -> Bool { a != b }
}
enum Less: RowComparison {
    @inline(__always) static func holds<T: Comparable>(_ a: T, _ b: T) -> Bool { a < b }
}
enum LessOrEqual: RowComparison {
    @inline(__always) static func holds<T: Comparable>(_ a: T, _ b: T) -> Bool { a <= b }
}
enum Greater: RowComparison {
    @inline(__always) static func holds<T: Comparable>(_ a: T, _ b: T) -> Bool { a > b }
}
enum GreaterOrEqual: RowComparison {
    @inline(__always) static func holds<T: Comparable>(_ a: T, _ b: T) -> Bool { a >= b }
}

/// A text constant's place in a column's sorted dictionary (byte order, as SQLite's BINARY
/// collation): `position` is the first code whose string is ≥ it, `exact` whether that string
/// is it, `after` the first code whose string is > it.
struct DictionaryBound {
    var position: UInt32
    var after: UInt32
    var exact: Bool

    init(_ s: String, in dictionary: [String]) {
        let key = Array(s.utf8)
        var low = 0, high = dictionary.count
        while low < high {
            let mid = (low + high) / 2
            if Array(dictionary[mid].utf8).lexicographicallyPrecedes(key) { low = mid + 1 } else { high = mid }
        }
        exact = low < dictionary.count && dictionary[low] == s
        position = UInt32(truncatingIfNeeded: low)
        after = UInt32(truncatingIfNeeded: low + (exact ? 1 : 0))
    }
}
