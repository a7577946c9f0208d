// The buffer the SQLite renderer writes SQL into: UTF-8 bytes in storage of its own.

/// The SQL being written: UTF-8 bytes appended in place (cheaper per append than a String),
/// turned into a String once at the end.
public struct SQLBuffer: Sendable {
    /// The bytes written so far, in storage of the buffer's own (copy-on-write): an append is
    /// a capacity test and a copy of its bytes, without `Array.append(contentsOf:)`'s generic
    /// path (a statement is written in a hundred or more small appends).
    private var storage: SQLBufferStorage

    public var bytes: [UInt8] { Array(storage.buffer) }

    public init(capacity: Int = 0) {
        storage = SQLBufferStorage(capacity: max(capacity, 16))
    }

    /// Room for `n` more bytes in storage of this buffer's own; returns where they go.
    @inline(__always)
    private mutating func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy(extra: n) }
        if storage.count + n > storage.capacity { storage.grow(toHold: storage.count + n) }
        let at = storage.base + storage.count
        storage.count += n
        return at
    }

    @inline(__always)
    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        guard n > 0, let source = bytes.baseAddress else { return }
        let at = reserve(n)
        // Most pieces are a few bytes (", ", " AS ", a name): copied here rather than through
        // a call of memcpy.
        if n <= 16 {
            for i in 0..<n { at[i] = source[i] }
        } else {
            at.initialize(from: source, count: n)
        }
    }

    public mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    /// The decimal digits of `value`, written in place (no String per number).
    public mutating func append(_ value: Int64) {
        if value < 0 {
            append(byte: 45)
            if value == .min { return append("9223372036854775808") }
        }
        var v = value.magnitude
        var digits = 1, scale: UInt64 = 1
        while v / scale >= 10 {
            scale *= 10
            digits += 1
        }
        let at = reserve(digits)
        for i in 0..<digits {
            at[i] = 48 + UInt8(v / scale)
            v %= scale
            scale /= 10
        }
    }

    public mutating func append(byte: UInt8) { reserve(1).pointee = byte }

    /// `"name"` with embedded double quotes doubled.
    public mutating func appendQuoted(_ name: String) {
        var name = name
        name.withUTF8 { utf8 in
            let quotes = utf8.reduce(0) { $1 == 34 ? $0 + 1 : $0 }
            let at = reserve(utf8.count + quotes + 2)
            at[0] = 34
            var i = 1
            if quotes == 0 {
                if let source = utf8.baseAddress { (at + 1).initialize(from: source, count: utf8.count) }
                i += utf8.count
            } else {
                for b in utf8 {
                    at[i] = b
                    i += 1
                    if b == 34 {
                        at[i] = 34
                        i += 1
                    }
                }
            }
            at[i] = 34
        }
    }

    public static func += (buffer: inout SQLBuffer, text: String) { buffer.append(text) }

    public var string: String { String(decoding: storage.buffer, as: UTF8.self) }
}

/// The bytes of an `SQLBuffer` (mutated only through a uniquely referenced buffer).
final class SQLBufferStorage: @unchecked Sendable {
    var base: UnsafeMutablePointer<UInt8>
    var count = 0
    var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    func copy(extra: Int) -> SQLBufferStorage {
        let copy = SQLBufferStorage(capacity: max(capacity, count + extra))
        copy.base.initialize(from: base, count: count)
        copy.count = count
        return copy
    }

    func grow(toHold needed: Int) {
        var newCapacity = 2 * capacity
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.initialize(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    deinit { base.deallocate() }
}
