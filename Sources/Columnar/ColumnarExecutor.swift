import Tabular

/// Runs a `ColumnarPlan` over one chunk's column file: batches of `batchRows` rows, the filter
/// as a selection vector, then a hash GROUP BY (`GroupTable`) whose aggregate states are
/// updated one aggregate at a time over the selected rows. Returns the chunk statement's rows.
/// Plain columns (a filter's column-against-constant conjuncts, keys, aggregate arguments) are
/// read in place from the mapping (`ColumnarKernels`); other expressions go through
/// `VectorEvaluator`.
///
/// Throws `ColumnarFallback` for what it does not reproduce exactly (the worker then runs the
/// SQLite statement instead), and `CancellationError` when `shouldStop` says so between batches.
public struct ColumnarExecutor: Sendable {
    /// Groups one chunk may hold; beyond this the chunk falls back to SQLite. At most about
    /// (8 × (keys + 1) + 16 × aggregates + 8) bytes per group, and up to 32 more for the keys
    /// held in the hash slots of one key: 2^18 groups of one key and three aggregates take about
    /// 34 MB, per chunk statement running (two at once on two cores).
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
        for name in plan.columns {
            guard let column = file.columns[name] else { throw ColumnarFallback("column \(name) has no column file") }
            do {
                try file.checkCodes(of: column)
            } catch {
                // A damaged file: SQLite, the source of truth, answers.
                throw ColumnarFallback("\(error)")
            }
        }
        var groups = GroupTable(keyCount: plan.keys.count, maxGroups: maxGroups)
        var states = plan.aggregates.map { AggregateState($0.function, maxGroups: maxGroups) }
        if !plan.grouped { _ = try [UInt64(0)].withUnsafeBufferPointer { try groups.insert($0) } }
        var keyKinds = [KeyKind?](repeating: nil, count: plan.keys.count)
        let width = plan.keys.count + 1
        // What is read in place: the filter's column-against-constant conjuncts, and the keys
        // and aggregate arguments that are plain columns.
        let predicates = plan.filter.flatMap { ColumnPredicate.conjuncts(of: $0, in: file) }
        func inPlace(_ e: ColumnarExpression?) -> MappedColumn? {
            guard case .column(let name)? = e, let column = file.columns[name], column.kind != .bool else { return nil }
            return column
        }
        let keyColumns = plan.keys.map { inPlace($0) }
        let argumentColumns = plan.aggregates.map { inPlace($0.argument) }
        // One text key read in place: its groups by code (the last slot for NULL), found once.
        var groupOfCode: [Int32] = []
        if plan.keys.count == 1, let column = keyColumns[0], column.kind == .dictionaryText,
            column.dictionary.count < maxGroups
        {
            groupOfCode = Array(repeating: -1, count: column.dictionary.count + 1)
        }
        // Buffers reused by every batch.
        let selection = UnsafeMutableBufferPointer<Int32>.allocate(capacity: batchRows)
        selection.initialize(repeating: 0)
        defer { selection.deallocate() }
        let groupIds = UnsafeMutableBufferPointer<Int32>.allocate(capacity: batchRows)
        groupIds.initialize(repeating: 0)
        defer { groupIds.deallocate() }
        /// The selected rows' keys, row-major: one word per key, then the NULL mask.
        let matrix = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: batchRows * width)
        matrix.initialize(repeating: 0)
        defer { matrix.deallocate() }
        var start = 0
        while start < file.rowCount {
            if shouldStop() { throw CancellationError() }
            let count = min(batchRows, file.rowCount - start)
            let evaluator = VectorEvaluator(file: file, start: start, count: count)
            // The selection vector: rows of the batch where the filter is true.
            var selected = count
            if let predicates {
                for (i, predicate) in predicates.enumerated() where selected > 0 {
                    selected = predicate.refine(selection, count: selected, all: i == 0, start: start, batchRows: count)
                }
            } else if let filter = plan.filter {
                guard case .int(let truth, let nulls) = try evaluator.evaluate(filter) else {
                    throw ColumnarFallback("a filter that is not a condition")
                }
                selected = 0
                for i in 0..<count where Vector.truth(truth, nulls, i) {
                    selection[selected] = Int32(i)
                    selected += 1
                }
            } else {
                for i in 0..<count { selection[i] = Int32(i) }
            }
            let rows = UnsafeBufferPointer(rebasing: selection[0..<selected])
            let batchStart = start
            start += count
            if selected == 0 { continue }
            // Group ids of the selected rows.
            if plan.grouped {
                if !groupOfCode.isEmpty, let column = keyColumns[0] {
                    keyKinds[0] = .text(column.dictionary)
                    try groupByCode(column, start: batchStart, count: count, rows, &groupOfCode, &groups, into: groupIds)
                } else if plan.keys.count == 1, let column = keyColumns[0],
                    let values = BatchValues(column, start: batchStart, count: count), values.nulls.isNone
                {
                    // One numeric key without NULLs in the batch: straight to the table.
                    keyKinds[0] = values.keyKind
                    switch values {
                    case .int64(let v, _):
                        for (j, row) in rows.enumerated() { groupIds[j] = try groups.insert(key: UInt64(bitPattern: v[Int(row)])) }
                    case .double(let v, _):
                        for (j, row) in rows.enumerated() { groupIds[j] = try groups.insert(key: (v[Int(row)] + 0.0).bitPattern) }
                    case .codes(let v, _, _):
                        for (j, row) in rows.enumerated() { groupIds[j] = try groups.insert(key: UInt64(v[Int(row)])) }
                    case .constant:
                        for j in 0..<rows.count { groupIds[j] = try groups.insert(key: 0) }
                    }
                } else {
                    let m = UnsafeMutableBufferPointer(rebasing: matrix[0..<(selected * width)])
                    m.update(repeating: 0)
                    for (k, expression) in plan.keys.enumerated() {
                        func put(_ values: BatchValues) throws {
                            let kind = values.keyKind
                            if let known = keyKinds[k], known != kind { throw ColumnarFallback("a key of mixed types") }
                            keyKinds[k] = kind
                            values.fill(m, key: k, width: width, selection: rows)
                        }
                        if let column = keyColumns[k], let values = BatchValues(column, start: batchStart, count: count) {
                            try put(values)
                        } else {
                            try BatchValues.with(try evaluator.evaluate(expression), put)
                        }
                    }
                    let keys = UnsafeBufferPointer(m)
                    // A chunk's rows come in runs of equal keys (as tract and patch): a row
                    // whose words are the previous row's takes its group without a lookup.
                    for j in 0..<selected {
                        let base = j * width
                        var same = j > 0
                        for k in 0..<width where same { same = keys[base + k] == keys[base - width + k] }
                        if same {
                            groupIds[j] = groupIds[j - 1]
                        } else {
                            groupIds[j] = try groups.insert(UnsafeBufferPointer(rebasing: keys[base..<(base + width)]))
                        }
                    }
                }
            }
            let ids: UnsafeBufferPointer<Int32>? = plan.grouped ? UnsafeBufferPointer(rebasing: groupIds[0..<selected]) : nil
            for (a, aggregate) in plan.aggregates.enumerated() {
                if let column = argumentColumns[a], let values = BatchValues(column, start: batchStart, count: count) {
                    try states[a].update(groupCount: groups.count, groupIds: ids, selection: rows, argument: values)
                } else if let argument = aggregate.argument {
                    try BatchValues.with(try evaluator.evaluate(argument)) {
                        try states[a].update(groupCount: groups.count, groupIds: ids, selection: rows, argument: $0)
                    }
                } else {
                    try states[a].update(groupCount: groups.count, groupIds: ids, selection: rows, argument: nil)
                }
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

    /// Group ids of the selected rows for one dictionary-coded key read in place: a code's
    /// group is looked up in the table once (`groupOfCode`, NULL in its last slot).
    private func groupByCode(
        _ column: MappedColumn, start: Int, count: Int, _ selection: UnsafeBufferPointer<Int32>,
        _ groupOfCode: inout [Int32], _ groups: inout GroupTable, into groupIds: UnsafeMutableBufferPointer<Int32>
    ) throws {
        let codes = column.data.assumingMemoryBound(to: UInt32.self) + start
        let nulls = Nulls(column, start: start, count: count)
        let nullSlot = groupOfCode.count - 1
        for (j, row) in selection.enumerated() {
            let i = Int(row)
            let isNull = nulls.isNull(i)
            let slot = isNull ? nullSlot : Int(codes[i])
            var g = groupOfCode[slot]
            if g < 0 {
                let words: (UInt64, UInt64) = isNull ? (0, 1) : (UInt64(codes[i]), 0)
                g = try withUnsafeBytes(of: words) { try groups.insert($0.bindMemory(to: UInt64.self)) }
                groupOfCode[slot] = g
            }
            groupIds[j] = g
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
    /// With one key: the key word of each slot's group, so that a probe compares in place
    /// (the NULL group is not in the slots: `nullGroup`).
    private var slotKeys: [UInt64]
    private var nullGroup: Int32 = -1
    private var mask: Int
    private(set) var count = 0

    init(keyCount: Int, maxGroups: Int) {
        self.keyCount = keyCount
        self.maxGroups = maxGroups
        slots = Array(repeating: -1, count: 64)
        slotKeys = keyCount == 1 ? Array(repeating: 0, count: 64) : []
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

    /// The hash of one key word (a 64-bit finaliser: every bit of the word reaches the low
    /// bits the mask keeps).
    @inline(__always) static func hash(_ w: UInt64) -> Int {
        var h = w ^ (w >> 33)
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return Int(truncatingIfNeeded: h)
    }

    /// The id of the group whose words (keys, then NULL mask) are `row`, made when new.
    /// Throws `ColumnarFallback` beyond `maxGroups`.
    mutating func insert(_ row: UnsafeBufferPointer<UInt64>) throws -> Int32 {
        if keyCount == 1 { return row[1] == 0 ? try insert(key: row[0]) : try insertNull() }
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
        try add(row, slot: slot)
        return Int32(count - 1)
    }

    /// With one key: the group of the non-NULL key word `key`, made when new.
    @inline(__always) mutating func insert(key: UInt64) throws -> Int32 {
        var slot = Self.hash(key) & mask
        while true {
            let g = slots[slot]
            if g < 0 { break }
            if slotKeys[slot] == key { return g }
            slot = (slot + 1) & mask
        }
        slotKeys[slot] = key
        try withUnsafeBytes(of: (key, UInt64(0))) { try add($0.bindMemory(to: UInt64.self), slot: slot) }
        return Int32(count - 1)
    }

    /// With one key: the NULL group, made when new.
    private mutating func insertNull() throws -> Int32 {
        if nullGroup >= 0 { return nullGroup }
        guard count < maxGroups else { throw ColumnarFallback("more than \(maxGroups) groups in the chunk") }
        words.append(0)
        words.append(1)
        nullGroup = Int32(count)
        count += 1
        return nullGroup
    }

    /// Makes a group of `row` in the free `slot`.
    private mutating func add(_ row: UnsafeBufferPointer<UInt64>, slot: Int) throws {
        guard count < maxGroups else {
            throw ColumnarFallback("more than \(maxGroups) groups in the chunk")
        }
        words.append(contentsOf: row)
        slots[slot] = Int32(count)
        count += 1
        // At most half full.
        if count * 2 > slots.count { grow() }
    }

    private mutating func grow() {
        let width = keyCount + 1
        slots = Array(repeating: -1, count: slots.count * 2)
        mask = slots.count - 1
        if keyCount == 1 {
            slotKeys = Array(repeating: 0, count: slots.count)
            for g in 0..<count where words[g * 2 + 1] == 0 {
                let key = words[g * 2]
                var slot = Self.hash(key) & mask
                while slots[slot] >= 0 { slot = (slot + 1) & mask }
                slots[slot] = Int32(g)
                slotKeys[slot] = key
            }
            return
        }
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
    /// COUNT(DISTINCT): the (group, value) pairs met (the values alone without GROUP BY),
    /// under the executor's bound on groups; made by the first batch.
    var pairs: GroupTable?

    /// The executor's bound on groups, for `pairs`.
    let maxGroups: Int

    init(_ function: ColumnarAggregate.Function, maxGroups: Int) {
        self.function = function
        self.maxGroups = maxGroups
    }

    /// COUNT(DISTINCT): adds the selected rows' values (`word` of a batch row) to `table`,
    /// counting each new one for its group.
    @inline(__always) private static func addDistinct(
        _ table: inout GroupTable, _ counts: UnsafeMutableBufferPointer<Int64>, _ selection: UnsafeBufferPointer<Int32>,
        _ groupIds: UnsafeBufferPointer<Int32>?, _ nulls: Nulls, _ word: (Int) -> UInt64
    ) throws {
        if groupIds == nil {
            try forEachValue(selection, nil, nulls) { _, row in
                let before = table.count
                _ = try table.insert(key: word(row))
                if table.count > before { counts[0] += 1 }
            }
            return
        }
        // The words: the group, the value, an empty NULL mask.
        try forEachValue(selection, groupIds, nulls) { g, row in
            let before = table.count
            _ = try withUnsafeBytes(of: (UInt64(g), word(row), UInt64(0))) { try table.insert($0.bindMemory(to: UInt64.self)) }
            if table.count > before { counts[g] += 1 }
        }
    }

    /// Adds the selected rows (`selection`, batch rows) of a batch, of groups `groupIds` (one
    /// per selected row; nil: all of group 0), whose argument values are `argument`.
    mutating func update(
        groupCount: Int, groupIds: UnsafeBufferPointer<Int32>?, selection: UnsafeBufferPointer<Int32>,
        argument: BatchValues?
    ) throws {
        if counts.count < groupCount {
            let more = groupCount - counts.count
            counts += repeatElement(0, count: more)
            ints += repeatElement(0, count: more)
            reals += repeatElement(0, count: more)
            seen += repeatElement(false, count: more)
        }
        if function == .countStar {
            if let groupIds {
                counts.withUnsafeMutableBufferPointer { c in for g in groupIds { c[Int(g)] += 1 } }
            } else {
                counts[0] += Int64(selection.count)
            }
            return
        }
        guard let argument else { throw ColumnarFallback("an aggregate without its argument") }
        let nulls = argument.nulls
        if function == .count {
            counts.withUnsafeMutableBufferPointer { c in forEachValue(selection, groupIds, nulls) { g, _ in c[g] += 1 } }
            return
        }
        if function == .countDistinct {
            // Each new (group, value) pair counts once for its group; NULL is not counted.
            // Without GROUP BY (one group) the pairs are the values alone: one key word.
            var table = pairs ?? GroupTable(keyCount: groupIds == nil ? 1 : 2, maxGroups: maxGroups)
            pairs = nil  // uniquely referenced while it grows (no copy of its arrays)
            defer { pairs = table }
            try counts.withUnsafeMutableBufferPointer { c in
                switch argument {
                case .int64(let v, _): try Self.addDistinct(&table, c, selection, groupIds, nulls) { UInt64(bitPattern: v[$0]) }
                case .double(let v, _): try Self.addDistinct(&table, c, selection, groupIds, nulls) { (v[$0] + 0.0).bitPattern }
                case .codes(let v, _, _): try Self.addDistinct(&table, c, selection, groupIds, nulls) { UInt64(v[$0]) }
                case .constant: try Self.addDistinct(&table, c, selection, groupIds, nulls) { _ in 0 }
                }
            }
            return
        }
        switch argument {
        case .int64(let v, _):
            if isReal == true { throw ColumnarFallback("an aggregate over mixed types") }
            isReal = false
            if groupIds == nil {
                // One group: the state in registers through the batch.
                switch function {
                case .averagePartial:
                    // Summed as doubles, as `skyshard_avg_partial` does.
                    let (sum, n) = fold(IntegersAsReals(base: v), selection, nulls, reals[0]) { $0 += $1 }
                    reals[0] = sum
                    counts[0] += n
                    return
                case .min, .max:
                    (seen[0], ints[0]) = extremum(PlainValues(base: v), selection, nulls, isMin: function == .min, (seen[0], ints[0]))
                    return
                default: break
                }
            }
            switch function {
            case .sum:
                try ints.withUnsafeMutableBufferPointer { s in
                    try seen.withUnsafeMutableBufferPointer { seen in
                        try forEachValue(selection, groupIds, nulls) { g, row in
                            let (sum, overflow) = s[g].addingReportingOverflow(v[row])
                            // SQLite reports "integer overflow": let it.
                            if overflow { throw ColumnarFallback("integer overflow in SUM") }
                            s[g] = sum
                            seen[g] = true
                        }
                    }
                }
            case .min, .max:
                let isMin = function == .min
                ints.withUnsafeMutableBufferPointer { m in
                    seen.withUnsafeMutableBufferPointer { seen in
                        forEachValue(selection, groupIds, nulls) { g, row in
                            let x = v[row]
                            if !seen[g] || (isMin ? x < m[g] : x > m[g]) { m[g] = x }
                            seen[g] = true
                        }
                    }
                }
            case .averagePartial:
                // Summed as doubles, as `skyshard_avg_partial` does.
                reals.withUnsafeMutableBufferPointer { s in
                    counts.withUnsafeMutableBufferPointer { c in
                        forEachValue(selection, groupIds, nulls) { g, row in
                            s[g] += Double(v[row])
                            c[g] += 1
                        }
                    }
                }
            case .count, .countStar, .countDistinct: break
            }
        case .double(let v, _):
            if isReal == false { throw ColumnarFallback("an aggregate over mixed types") }
            isReal = true
            if groupIds == nil {
                // One group: the state in registers through the batch, summed in row order.
                switch function {
                case .sum, .averagePartial:
                    let (sum, n) = fold(PlainValues(base: v), selection, nulls, reals[0]) { $0 += $1 }
                    reals[0] = sum
                    if function == .sum {
                        if n > 0 { seen[0] = true }
                    } else {
                        counts[0] += n
                    }
                    return
                case .min, .max:
                    (seen[0], reals[0]) = extremum(PlainValues(base: v), selection, nulls, isMin: function == .min, (seen[0], reals[0]))
                    return
                default: break
                }
            }
            switch function {
            case .sum:
                reals.withUnsafeMutableBufferPointer { s in
                    seen.withUnsafeMutableBufferPointer { seen in
                        forEachValue(selection, groupIds, nulls) { g, row in
                            s[g] += v[row]
                            seen[g] = true
                        }
                    }
                }
            case .min, .max:
                let isMin = function == .min
                reals.withUnsafeMutableBufferPointer { m in
                    seen.withUnsafeMutableBufferPointer { seen in
                        forEachValue(selection, groupIds, nulls) { g, row in
                            let x = v[row]
                            if !seen[g] || (isMin ? x < m[g] : x > m[g]) { m[g] = x }
                            seen[g] = true
                        }
                    }
                }
            case .averagePartial:
                reals.withUnsafeMutableBufferPointer { s in
                    counts.withUnsafeMutableBufferPointer { c in
                        forEachValue(selection, groupIds, nulls) { g, row in
                            s[g] += v[row]
                            c[g] += 1
                        }
                    }
                }
            case .count, .countStar, .countDistinct: break
            }
        case .codes, .constant:
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

/// MIN (`isMin`) or MAX of one group through a batch: `state` is whether a value was seen,
/// and the extremum so far.
@inline(__always) func extremum<V: RowValues>(
    _ values: V, _ selection: UnsafeBufferPointer<Int32>, _ nulls: Nulls, isMin: Bool, _ state: (Bool, V.Value)
) -> (Bool, V.Value) {
    fold(values, selection, nulls, state) { m, x in
        if !m.0 || (isMin ? x < m.1 : x > m.1) { m = (true, x) }
    }.0
}
