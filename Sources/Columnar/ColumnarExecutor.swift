import Tabular

/// Runs a `ColumnarPlan` over one chunk's column file: batches of `batchRows` rows, the filter
/// as a selection vector, then a hash GROUP BY (`GroupTable`) whose aggregate states are
/// updated one aggregate at a time over the selected rows. Returns the chunk statement's rows.
///
/// Throws `ColumnarFallback` for what it does not reproduce exactly (the worker then runs the
/// SQLite statement instead), and `CancellationError` when `shouldStop` says so between batches.
public struct ColumnarExecutor: Sendable {
    /// Groups one chunk may hold; beyond this the chunk falls back to SQLite. At most about
    /// (8 × (keys + 1) + 16 × aggregates + 8) bytes per group: 2^18 groups of one key and three
    /// aggregates take about 26 MB, per chunk statement running (two at once on two cores).
    public var maxGroups: Int
    public var batchRows: Int

    public static let defaultMaxGroups = 1 << 18

    public init(maxGroups: Int = ColumnarExecutor.defaultMaxGroups, batchRows: Int = 4096) {
        self.maxGroups = max(1, maxGroups)
        self.batchRows = max(1, batchRows)
    }

    public func run(_ plan: ColumnarPlan, file: MappedColumnFile, shouldStop: () -> Bool = { false }) throws -> RowBatch {
        // The NULL mask of a group is one 64-bit word.
        guard plan.keys.count < 64 else { throw ColumnarFallback("more than 63 group keys") }
        for name in plan.columns where file.columns[name] == nil {
            throw ColumnarFallback("column \(name) has no column file")
        }
        var groups = GroupTable(keyCount: plan.keys.count, maxGroups: maxGroups)
        var states = plan.aggregates.map { AggregateState($0.function, maxGroups: maxGroups) }
        if !plan.grouped { _ = try [UInt64(0)].withUnsafeBufferPointer { try groups.insert($0) } }
        var keyKinds = [KeyKind?](repeating: nil, count: plan.keys.count)
        let width = plan.keys.count + 1
        var start = 0
        var groupIds: [Int32] = []
        /// The selected rows' keys, row-major: one word per key, then the NULL mask.
        var matrix: [UInt64] = []
        while start < file.rowCount {
            if shouldStop() { throw CancellationError() }
            let count = min(batchRows, file.rowCount - start)
            let evaluator = VectorEvaluator(file: file, start: start, count: count)
            // The selection vector: rows of the batch where the filter is true.
            var selection: [Int32]
            if let filter = plan.filter {
                guard case .int(let truth, let nulls) = try evaluator.evaluate(filter) else {
                    throw ColumnarFallback("a filter that is not a condition")
                }
                selection = []
                selection.reserveCapacity(count)
                for i in 0..<count where Vector.truth(truth, nulls, i) { selection.append(Int32(i)) }
            } else {
                selection = (0..<Int32(count)).map { $0 }
            }
            start += count
            if selection.isEmpty { continue }
            // Group ids of the selected rows.
            if plan.grouped {
                matrix.removeAll(keepingCapacity: true)
                matrix.append(contentsOf: repeatElement(0, count: selection.count * width))
                for (k, expression) in plan.keys.enumerated() {
                    let key = try evaluator.evaluate(expression)
                    let kind = try KeyKind(key)
                    if let known = keyKinds[k], known != kind { throw ColumnarFallback("a key of mixed types") }
                    keyKinds[k] = kind
                    Self.fill(&matrix, key: k, width: width, from: key, selection: selection)
                }
                groupIds.removeAll(keepingCapacity: true)
                groupIds.reserveCapacity(selection.count)
                try matrix.withUnsafeBufferPointer { m in
                    for j in 0..<selection.count {
                        let row = UnsafeBufferPointer(rebasing: m[(j * width)..<((j + 1) * width)])
                        groupIds.append(try groups.insert(row))
                    }
                }
            } else {
                groupIds = Array(repeating: 0, count: selection.count)
            }
            for (a, aggregate) in plan.aggregates.enumerated() {
                let argument = try aggregate.argument.map { try evaluator.evaluate($0) }
                try states[a].update(groupCount: groups.count, groupIds: groupIds, selection: selection, argument: argument)
            }
        }
        // The rows: one per group, in the order the groups were met.
        var batch = RowBatch(columnCount: plan.outputs.count, reservingRows: groups.count)
        for g in 0..<groups.count {
            for output in plan.outputs {
                switch output {
                case .key(let k):
                    if groups.isNull(group: g, key: k) {
                        batch.append(.null)
                    } else {
                        batch.append(keyKinds[k]?.value(groups.word(group: g, key: k)) ?? .null)
                    }
                case .aggregate(let a):
                    batch.append(states[a].value(g))
                }
            }
        }
        return batch
    }

    /// Writes key `key`'s words of the selected rows into column `key` of the row-major
    /// `matrix`, and its NULLs into each row's mask (the last word).
    static func fill(_ matrix: inout [UInt64], key: Int, width: Int, from vector: Vector, selection: [Int32]) {
        let bit = UInt64(1) << UInt64(key)
        let nulls = vector.nulls
        matrix.withUnsafeMutableBufferPointer { m in
            func put(_ word: (Int) -> UInt64) {
                for (j, row) in selection.enumerated() {
                    let i = Int(row)
                    if let nulls, nulls[i] {
                        m[j * width + width - 1] |= bit
                    } else {
                        m[j * width + key] = word(i)
                    }
                }
            }
            switch vector {
            case .int(let v, _): v.withUnsafeBufferPointer { v in put { UInt64(bitPattern: v[$0]) } }
            // 0.0 and -0.0 are one group, as in SQLite.
            case .real(let v, _): v.withUnsafeBufferPointer { v in put { (v[$0] + 0.0).bitPattern } }
            case .text(let v, _, _): v.withUnsafeBufferPointer { v in put { UInt64(v[$0]) } }
            case .textConstant: break
            }
        }
    }
}

/// The type of a group key's values, to turn its 64-bit words back into values.
enum KeyKind: Equatable {
    case int, real
    case text([String])
    case textConstant(String)

    init(_ v: Vector) throws {
        switch v {
        case .int: self = .int
        case .real: self = .real
        case .text(_, let dictionary, _): self = .text(dictionary)
        case .textConstant(let s): self = .textConstant(s)
        }
    }

    func value(_ word: UInt64) -> Value {
        switch self {
        case .int: .integer(Int64(bitPattern: word))
        case .real: .real(Double(bitPattern: word))
        case .text(let dictionary): Int(word) < dictionary.count ? .text(dictionary[Int(word)]) : .null
        case .textConstant(let s): .text(s)
        }
    }
}

/// A hash table from fixed-width keys (one 64-bit word per key column and a NULL mask) to
/// dense group ids, by open addressing with linear probing; keys are stored flat.
struct GroupTable {
    let keyCount: Int
    let maxGroups: Int
    /// `keyCount + 1` words per group: the keys, then the NULL mask.
    private(set) var words: [UInt64] = []
    private var slots: [Int32]
    private var mask: Int
    private(set) var count = 0

    init(keyCount: Int, maxGroups: Int) {
        self.keyCount = keyCount
        self.maxGroups = maxGroups
        slots = Array(repeating: -1, count: 64)
        mask = 63
    }

    func word(group: Int, key: Int) -> UInt64 { words[group * (keyCount + 1) + key] }
    func isNull(group: Int, key: Int) -> Bool { words[group * (keyCount + 1) + keyCount] & (1 << UInt64(key)) != 0 }

    @inline(__always) static func hash(_ row: UnsafeBufferPointer<UInt64>) -> Int {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        for w in row {
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
        }
        return Int(truncatingIfNeeded: h)
    }

    /// The id of the group whose words (keys, then NULL mask) are `row`, made when new.
    /// Throws `ColumnarFallback` beyond `maxGroups`.
    mutating func insert(_ row: UnsafeBufferPointer<UInt64>) throws -> Int32 {
        let width = keyCount + 1
        var slot = Self.hash(row) & mask
        while true {
            let g = Int(slots[slot])
            if g < 0 { break }
            let equal = words.withUnsafeBufferPointer { w in
                for k in 0..<width where w[g * width + k] != row[k] { return false }
                return true
            }
            if equal { return Int32(g) }
            slot = (slot + 1) & mask
        }
        guard count < maxGroups else {
            throw ColumnarFallback("more than \(maxGroups) groups in the chunk")
        }
        words.append(contentsOf: row)
        slots[slot] = Int32(count)
        count += 1
        // At most half full.
        if count * 2 > slots.count { grow() }
        return Int32(count - 1)
    }

    private mutating func grow() {
        let width = keyCount + 1
        slots = Array(repeating: -1, count: slots.count * 2)
        mask = slots.count - 1
        for g in 0..<count {
            let base = g * width
            var slot = words.withUnsafeBufferPointer { Self.hash(UnsafeBufferPointer(rebasing: $0[base..<(base + width)])) } & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(g)
        }
    }
}

/// One aggregate's state for every group, with SQLite's results: COUNT counts non-NULL
/// values; SUM of integers is an integer (an overflow leaves the chunk to SQLite, which
/// reports it), of reals a real summed in row order; SUM/MIN/MAX of no value are NULL; the
/// AVG partial is the 16-byte blob of `SQLiteKit.PartialAggregates`.
struct AggregateState {
    let function: ColumnarAggregate.Function
    var counts: [Int64] = []
    var ints: [Int64] = []
    var reals: [Double] = []
    var seen: [Bool] = []
    /// Whether the argument's values were reals (nil until the first batch).
    var isReal: Bool?
    /// COUNT(DISTINCT): the (group, value) pairs met, under the executor's bound on groups.
    var pairs: GroupTable?

    init(_ function: ColumnarAggregate.Function, maxGroups: Int) {
        self.function = function
        if function == .countDistinct { pairs = GroupTable(keyCount: 2, maxGroups: maxGroups) }
    }

    mutating func update(groupCount: Int, groupIds: [Int32], selection: [Int32], argument: Vector?) throws {
        if counts.count < groupCount {
            let more = groupCount - counts.count
            counts += repeatElement(0, count: more)
            ints += repeatElement(0, count: more)
            reals += repeatElement(0, count: more)
            seen += repeatElement(false, count: more)
        }
        if function == .countStar {
            for g in groupIds { counts[Int(g)] += 1 }
            return
        }
        guard let argument else { throw ColumnarFallback("an aggregate without its argument") }
        let nulls = argument.nulls
        if function == .count {
            for (j, row) in selection.enumerated() where !(nulls?[Int(row)] ?? false) { counts[Int(groupIds[j])] += 1 }
            return
        }
        if function == .countDistinct, var table = pairs {
            pairs = nil  // uniquely referenced while it grows (no copy of its arrays)
            // Each new (group, value) pair counts once for its group; NULL is not counted.
            var words = [UInt64](repeating: 0, count: selection.count * 3)
            ColumnarExecutor.fill(&words, key: 1, width: 3, from: argument, selection: selection)
            for (j, row) in selection.enumerated() where !(nulls?[Int(row)] ?? false) {
                words[j * 3] = UInt64(groupIds[j])
                let before = table.count
                _ = try words.withUnsafeBufferPointer { try table.insert(UnsafeBufferPointer(rebasing: $0[(j * 3)..<(j * 3 + 3)])) }
                if table.count > before { counts[Int(groupIds[j])] += 1 }
            }
            pairs = table
            return
        }
        switch argument {
        case .int(let v, _):
            if isReal == true { throw ColumnarFallback("an aggregate over mixed types") }
            isReal = false
            switch function {
            case .sum:
                for (j, row) in selection.enumerated() where !(nulls?[Int(row)] ?? false) {
                    let g = Int(groupIds[j])
                    let (s, overflow) = ints[g].addingReportingOverflow(v[Int(row)])
                    // SQLite reports "integer overflow": let it.
                    if overflow { throw ColumnarFallback("integer overflow in SUM") }
                    ints[g] = s
                    seen[g] = true
                }
            case .min, .max:
                let isMin = function == .min
                for (j, row) in selection.enumerated() where !(nulls?[Int(row)] ?? false) {
                    let g = Int(groupIds[j]), x = v[Int(row)]
                    if !seen[g] || (isMin ? x < ints[g] : x > ints[g]) { ints[g] = x }
                    seen[g] = true
                }
            case .averagePartial:
                // Summed as doubles, as `skyshard_avg_partial` does.
                for (j, row) in selection.enumerated() where !(nulls?[Int(row)] ?? false) {
                    let g = Int(groupIds[j])
                    reals[g] += Double(v[Int(row)])
                    counts[g] += 1
                }
            case .count, .countStar, .countDistinct: break
            }
        case .real(let v, _):
            if isReal == false { throw ColumnarFallback("an aggregate over mixed types") }
            isReal = true
            switch function {
            case .sum:
                for (j, row) in selection.enumerated() where !(nulls?[Int(row)] ?? false) {
                    let g = Int(groupIds[j])
                    reals[g] += v[Int(row)]
                    seen[g] = true
                }
            case .min, .max:
                let isMin = function == .min
                for (j, row) in selection.enumerated() where !(nulls?[Int(row)] ?? false) {
                    let g = Int(groupIds[j]), x = v[Int(row)]
                    if !seen[g] || (isMin ? x < reals[g] : x > reals[g]) { reals[g] = x }
                    seen[g] = true
                }
            case .averagePartial:
                for (j, row) in selection.enumerated() where !(nulls?[Int(row)] ?? false) {
                    let g = Int(groupIds[j])
                    reals[g] += v[Int(row)]
                    counts[g] += 1
                }
            case .count, .countStar, .countDistinct: break
            }
        case .text, .textConstant:
            throw ColumnarFallback("\(function.rawValue) of text")
        }
    }

    func value(_ g: Int) -> Value {
        let has = g < seen.count && seen[g]
        switch function {
        case .countStar, .count, .countDistinct: return .integer(g < counts.count ? counts[g] : 0)
        case .sum, .min, .max:
            guard has else { return .null }
            return isReal == true ? .real(reals[g]) : .integer(ints[g])
        case .averagePartial:
            let sum = g < reals.count ? reals[g] : 0
            let count = g < counts.count ? counts[g] : 0
            var bytes = [UInt8]()
            bytes.reserveCapacity(16)
            withUnsafeBytes(of: sum.bitPattern.littleEndian) { bytes += $0 }
            withUnsafeBytes(of: UInt64(bitPattern: count).littleEndian) { bytes += $0 }
            return .blob(bytes)
        }
    }
}
