/// A table's ASCII column names by case-folded spelling, built once per catalog: finding the
/// columns a name may refer to hashes the name's bytes once, folding as it goes, instead of
/// building a lower-cased String and hashing it through `Hasher` (the binder and the type
/// inference look up every column reference this way).
///
/// Built only for tables whose column names are all ASCII: a name with other letters may
/// fold in Unicode's ways (the Kelvin sign lower-cases to `k`), which the general path handles.
/// A class: a scope holds its tables' name tables without copying their arrays.
final class FoldedNameTable: Sendable {
    /// The folded names one after another; name `i` is `bytes[starts[i] ..< starts[i + 1]]`.
    private let bytes: [UInt8]
    private let starts: [Int]
    /// Open addressing: `slots[h & mask]` is 1 + the first column index with that folded name
    /// (0: empty); `next[i]` is 1 + the next column index with the same folded name.
    private let slots: [Int32]
    private let next: [Int32]
    private let mask: Int

    /// nil when some name is not ASCII.
    init?(_ names: [String]) {
        var bytes: [UInt8] = [], starts = [0]
        for name in names {
            for c in name.utf8 {
                if c >= 0x80 { return nil }
                bytes.append(Self.fold(c))
            }
            starts.append(bytes.count)
        }
        var capacity = 8
        while capacity < names.count * 2 { capacity *= 2 }
        var slots = [Int32](repeating: 0, count: capacity)
        var next = [Int32](repeating: 0, count: names.count)
        let mask = capacity - 1
        for i in names.indices.reversed() {
            let key = bytes[starts[i]..<starts[i + 1]]
            var slot = Self.hash(key) & mask
            while slots[slot] != 0 {
                let first = Int(slots[slot]) - 1
                if bytes[starts[first]..<starts[first + 1]].elementsEqual(key) { break }
                slot = (slot + 1) & mask
            }
            // Reversed insertion keeps each chain in catalog order.
            next[i] = slots[slot]
            slots[slot] = Int32(i + 1)
        }
        self.bytes = bytes
        self.starts = starts
        self.slots = slots
        self.next = next
        self.mask = mask
    }

    /// Calls `body` with the index of each column whose name equals `name` ignoring ASCII
    /// case, in catalog order, until it returns false. Returns false when `name` is not ASCII
    /// (the caller then takes the general path).
    @inline(__always)
    func forEachMatch(_ name: String, _ body: (Int) -> Bool) -> Bool {
        var name = name
        guard let first = name.withUTF8({ firstMatch($0) }) else { return false }
        var i = first
        while i >= 0 {
            if !body(i) { break }
            i = Int(next[i]) - 1
        }
        return true
    }

    /// The first column whose folded name is `query` folded: its index, -1 for none, nil when
    /// `query` is not ASCII.
    private func firstMatch(_ query: UnsafeBufferPointer<UInt8>) -> Int? {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in query {
            if c >= 0x80 { return nil }
            h = (h ^ UInt64(Self.fold(c))) &* 0x100_0000_01b3
        }
        var slot = Int(truncatingIfNeeded: h) & mask
        // Through pointers: the indices come from the table itself (no bounds tests per byte).
        return bytes.withUnsafeBufferPointer { folded in
            starts.withUnsafeBufferPointer { starts in
                slots.withUnsafeBufferPointer { slots in
                    while slots[slot] != 0 {
                        let i = Int(slots[slot]) - 1
                        let start = starts[i], count = starts[i + 1] - start
                        if count == query.count {
                            var n = 0
                            while n < count && folded[start + n] == Self.fold(query[n]) { n += 1 }
                            if n == count { return i }
                        }
                        slot = (slot + 1) & mask
                    }
                    return -1
                }
            }
        }
    }

    /// FNV-1a over folded bytes.
    private static func hash(_ key: ArraySlice<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in key { h = (h ^ UInt64(c)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h)
    }

    @inline(__always)
    private static func fold(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c + 32 : c }
}
