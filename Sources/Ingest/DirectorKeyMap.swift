#if canImport(Glibc)
import SQLiteKit
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The director key → (chunkId, subChunkId) map that places child rows, in bounded memory.
///
/// While the director table is read, every accepted row adds an entry (key, location, row
/// sequence number) to an in-memory array; when it holds `budget` entries it is sorted and
/// written to a run file, and emptied. `finish` merges the runs (or sorts the array), keeps the
/// first row of each key (the later ones are reported as duplicates and dropped from their
/// chunks by sequence number) and writes the result, sorted by key, to `keys.sorted` (16 bytes
/// per key), which the director index is built from.
///
/// Child lookup: when all keys fit in the budget, one dictionary answers every child row
/// (`rangeCount == 1`). Otherwise the sorted keys are cut into ranges of `budget` keys; child
/// rows are first parked per range (on disk beyond the spill budget), then each range's keys are
/// loaded into a dictionary and its child rows placed. Memory holds at most one range.
final class DirectorKeyMap {
    struct Entry {
        var key: Int64
        var location: UInt64
        var seq: UInt64
    }

    let directory: String
    /// Keys held in memory (in the run being filled, or in one range's dictionary).
    let budget: Int
    private var pending: [Entry] = []
    private var runs: [String] = []
    private(set) var keyCount = 0
    /// The first key of each range (ranges of `budget` keys of `keys.sorted`), after `finish`.
    private(set) var rangeStarts: [Int64] = []
    /// The loaded range's keys → packed location.
    private(set) var lookup: [Int64: UInt64] = [:]
    private(set) var loadedRange = -1

    init(directory: String, budget: Int) {
        self.directory = directory
        self.budget = max(1, budget)
    }

    var sortedPath: String { "\(directory)/keys.sorted" }
    var rangeCount: Int { rangeStarts.count }
    /// Whether, after `finish`, one dictionary holds every key (no range passes needed).
    private(set) var allInMemory = false

    @inline(__always)
    func add(key: Int64, location: UInt64, seq: UInt64) throws {
        pending.append(Entry(key: key, location: location, seq: seq))
        if pending.count >= budget { try writeRun() }
    }

    private func sortPending() {
        pending.sort { ($0.key, $0.seq) < ($1.key, $1.seq) }
    }

    private func writeRun() throws {
        sortPending()
        let path = "\(directory)/keys.run\(runs.count)"
        let out = try RawFileWriter(path: path)
        for e in pending {
            out.put(UInt64(bitPattern: e.key))
            out.put(e.location)
            out.put(e.seq)
        }
        try out.finish()
        runs.append(path)
        pending.removeAll(keepingCapacity: true)
    }

    /// Merges what was added: calls `duplicate` for every entry that repeats an earlier row's key
    /// (in key order), writes `keys.sorted`, and prepares the lookup (the whole dictionary when
    /// everything fits, else the range starts). Run files are removed.
    func finish(duplicate: (Entry) throws -> Void) throws {
        let out = try RawFileWriter(path: sortedPath)
        var last: Int64? = nil
        var n = 0
        func take(_ e: Entry) throws {
            if e.key == last {
                try duplicate(e)
                return
            }
            last = e.key
            if n % budget == 0 { rangeStarts.append(e.key) }
            n += 1
            out.put(UInt64(bitPattern: e.key))
            out.put(e.location)
        }
        if runs.isEmpty {
            sortPending()
            for e in pending { try take(e) }
            if rangeStarts.count <= 1 {
                lookup.reserveCapacity(n)
                var prev: Int64? = nil
                for e in pending where e.key != prev {
                    lookup[e.key] = e.location
                    prev = e.key
                }
                loadedRange = 0
                allInMemory = true
            }
            pending = []
        } else {
            if !pending.isEmpty { try writeRun() }
            pending = []
            let readers = try runs.map { try RawFileReader(path: $0, recordSize: 24) }
            var heads: [Entry?] = readers.map { Self.readEntry($0) }
            while true {
                var best = -1
                for (i, h) in heads.enumerated() {
                    guard let h else { continue }
                    if best < 0 || (h.key, h.seq) < (heads[best]!.key, heads[best]!.seq) { best = i }
                }
                if best < 0 { break }
                try take(heads[best]!)
                heads[best] = Self.readEntry(readers[best])
            }
            for r in readers { try r.check() }
            for path in runs { unlink(path) }
            runs = []
        }
        try out.finish()
        keyCount = n
    }

    private static func readEntry(_ r: RawFileReader) -> Entry? {
        guard let p = r.next() else { return nil }
        return Entry(key: Int64(bitPattern: spillLoadU64(p)), location: spillLoadU64(p + 8), seq: spillLoadU64(p + 16))
    }

    /// The range that holds `key` (if it is a key at all).
    @inline(__always)
    func range(of key: Int64) -> Int {
        var lo = 0, hi = rangeStarts.count  // the last start ≤ key
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if rangeStarts[mid] <= key { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// Loads range `r`'s keys into `lookup` (replacing the previous range's).
    func load(range r: Int) throws {
        guard r != loadedRange else { return }
        lookup = [:]
        let reader = try RawFileReader(path: sortedPath, recordSize: 16, skipRecords: r * budget)
        lookup.reserveCapacity(min(budget, keyCount - r * budget))
        var k = 0
        while k < budget, let p = reader.next() {
            lookup[Int64(bitPattern: spillLoadU64(p))] = spillLoadU64(p + 8)
            k += 1
        }
        try reader.check()
        loadedRange = r
    }

    /// Every (key, location) in key order, from `keys.sorted`.
    func forEachSorted(_ body: (Int64, UInt64) throws -> Void) throws {
        let reader = try RawFileReader(path: sortedPath, recordSize: 16)
        while let p = reader.next() { try body(Int64(bitPattern: spillLoadU64(p)), spillLoadU64(p + 8)) }
        try reader.check()
    }

    /// Frees the lookup.
    func releaseLookup() {
        lookup = [:]
        loadedRange = -1
    }
}

/// Sequential little-endian writes to a new file, through a 1 MiB buffer.
final class RawFileWriter {
    let path: String
    private var fd: Int32
    private let buffer = CSVBuffer(capacity: 1 << 20)

    init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        if fd < 0 { throw IngestError.system("create", path, errno) }
    }

    deinit { if fd >= 0 { close(fd) } }

    @inline(__always) func put(_ v: UInt64) {
        buffer.appendRaw(v)
        if buffer.count >= 1 << 20 { flushOrRemember() }
    }

    private var failure: Int32 = 0

    private func flushOrRemember() {
        if failure == 0 { failure = buffer.writeAll(to: fd) }
        buffer.removeAll()
    }

    func finish() throws {
        flushOrRemember()
        let fd = self.fd
        self.fd = -1
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure != 0 { throw IngestError.system("write", path, failure) }
    }
}

/// Reads fixed-size records of a file in order, through a 1 MiB buffer.
final class RawFileReader {
    let path: String
    let recordSize: Int
    private var fd: Int32
    private let buffer: UnsafeMutableRawPointer
    private let capacity: Int
    private var have = 0
    private var at = 0
    private var failure: Int32 = 0

    init(path: String, recordSize: Int, skipRecords: Int = 0) throws {
        self.path = path
        self.recordSize = recordSize
        capacity = (1 << 20) / recordSize * recordSize
        buffer = .allocate(byteCount: capacity, alignment: 8)
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw IngestError.system("read", path, errno) }
        if skipRecords > 0 && lseek(fd, off_t(skipRecords * recordSize), SEEK_SET) < 0 {
            throw IngestError.system("seek in", path, errno)
        }
    }

    deinit {
        if fd >= 0 { close(fd) }
        buffer.deallocate()
    }

    /// The next record (valid until the next call), nil at the end of the file or on an error
    /// (`check` tells which).
    @inline(__always)
    func next() -> UnsafeRawPointer? {
        if at + recordSize > have && !refill() { return nil }
        defer { at += recordSize }
        return UnsafeRawPointer(buffer + at)
    }

    private func refill() -> Bool {
        let rest = have - at
        if rest > 0 { memmove(buffer, buffer + at, rest) }
        have = rest
        at = 0
        while have < recordSize {
            let n = read(fd, buffer + have, capacity - have)
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
                return false
            }
            if n == 0 {
                if have != 0 { failure = EIO }
                return false
            }
            have += n
        }
        return true
    }

    func check() throws {
        if failure != 0 { throw IngestError.system("read", path, failure) }
    }
}
