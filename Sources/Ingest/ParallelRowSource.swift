import Dispatch
import SQLiteKit
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One converted CSV row: its encoded record (header bytes still to be set), the watched values
/// (see `IngestEncoderSink.watch`) and its source as a `rowSequence`.
struct ParsedRow {
    let record: UnsafeMutableRawPointer
    let count: Int
    let int0: Int64?
    let real1: Double?
    let real2: Double?
    let seq: UInt64
}

/// Reads a table's CSV files and hands every well-formed row, converted and encoded, to the
/// caller's thread, in a deterministic order. A file at least `minSplitBytes` long with no
/// double quote in it (so every line feed ends a record) is cut at line feeds into `threads`
/// byte ranges parsed concurrently — parsing and number conversion are most of the work — and
/// their rows are taken in turns of one batch each; otherwise the file is read on the caller's
/// thread. Rows that cannot be converted are reported to the tracker by the parsing thread.
struct ParallelRowSource: Sendable {
    let plan: IngestTablePlan
    let watch: (Int, Int, Int)
    let threads: Int
    let minSplitBytes: Int
    let tracker: BadRowTracker

    func forEach(_ body: (ParsedRow) throws -> Void) throws {
        for (fileIndex, file) in plan.files.enumerated() {
            let parts = threads > 1 ? try Self.split(file.path, parts: threads, minBytes: minSplitBytes) : nil
            guard let parts, parts.count > 1 else {
                let reader = try CSVReader(path: file.path)
                let mapping = try plan.readHeader(reader)
                try parse(reader, mapping: mapping, fileIndex: fileIndex) { sink, seq in
                    try sink.encoder.bytes.withMutableBytes { raw in
                        try body(
                            ParsedRow(
                                record: raw.baseAddress!, count: raw.count, int0: sink.ints.0, real1: sink.reals.1,
                                real2: sink.reals.2, seq: seq))
                    }
                }
                continue
            }
            let header = try CSVReader(path: file.path, bufferSize: 1 << 16)
            let mapping = try plan.readHeader(header)
            try parallel(file.path, parts: parts, mapping: mapping, fileIndex: fileIndex, body)
        }
    }

    /// Converts the rows of `reader`, calling `emit` for every good one.
    private func parse(
        _ reader: CSVReader, mapping: [Int], fileIndex: Int, emit: (inout IngestEncoderSink, UInt64) throws -> Void
    ) throws {
        var sink = IngestEncoderSink()
        sink.watch = watch
        try plan.forEachRow(reader, mapping: mapping, tracker: tracker, into: &sink, begin: { $0.begin() }) { sink in
            try emit(&sink, rowSequence(file: fileIndex, line: reader.line))
        }
    }

    /// A batch of converted rows from one part.
    final class Batch: @unchecked Sendable {
        let bytes = CSVBuffer(capacity: 1 << 20)
        var rows: [(offset: Int, count: Int, int0: Int64?, real1: Double?, real2: Double?, seq: UInt64)] = []
    }

    /// A bounded queue of batches from one producer; nil batch = the end (or the producer's error).
    final class BatchQueue: @unchecked Sendable {
        private let slots: DispatchSemaphore
        private let items = DispatchSemaphore(value: 0)
        private let state = Mutex<(batches: [Batch?], error: (any Error)?, closed: Bool)>(([], nil, false))

        init(capacity: Int) { slots = DispatchSemaphore(value: capacity) }

        /// False when the consumer has gone.
        func put(_ batch: Batch?, error: (any Error)? = nil) -> Bool {
            slots.wait()
            let open = state.withLock { s -> Bool in
                if s.closed { return false }
                s.batches.append(batch)
                if let error { s.error = error }
                return true
            }
            items.signal()
            return open
        }

        func take() throws -> Batch? {
            items.wait()
            let (batch, error) = state.withLock { s in (s.batches.removeFirst(), s.error) }
            slots.signal()
            if batch == nil, let error { throw error }
            return batch
        }

        /// The consumer stops: producers blocked in `put` are released and told to stop.
        func close(capacity: Int) {
            state.withLock { $0.closed = true }
            for _ in 0..<capacity { slots.signal() }
        }
    }

    private func parallel(
        _ path: String, parts: [(range: Range<Int64>, firstLine: Int)], mapping: [Int], fileIndex: Int,
        _ body: (ParsedRow) throws -> Void
    ) throws {
        let capacity = 3
        let queues = parts.map { _ in BatchQueue(capacity: capacity) }
        let group = DispatchGroup()
        for (k, part) in parts.enumerated() {
            let queue = queues[k]
            DispatchQueue.global().async(group: group) {
                do {
                    let reader = try CSVReader(path: path, range: part.range, firstLine: part.firstLine)
                    var batch = Batch()
                    try self.parse(reader, mapping: mapping, fileIndex: fileIndex) { sink, seq in
                        let b = sink.encoder.bytes
                        batch.rows.append((batch.bytes.count, b.count, sink.ints.0, sink.reals.1, sink.reals.2, seq))
                        batch.bytes.append(b)
                        if batch.bytes.count >= 1 << 20 {
                            if !queue.put(batch) { throw IngestError.cancelled }
                            batch = Batch()
                        }
                    }
                    if !batch.rows.isEmpty && !queue.put(batch) { return }
                    _ = queue.put(nil)
                } catch {
                    _ = queue.put(nil, error: error)
                }
            }
        }
        defer {
            for q in queues { q.close(capacity: capacity) }
            group.wait()
        }
        var live = Array(queues.indices)
        while !live.isEmpty {
            var next: [Int] = []
            for k in live {
                guard let batch = try queues[k].take() else { continue }
                next.append(k)
                try batch.bytes.withMutableBytes { raw in
                    for r in batch.rows {
                        try body(
                            ParsedRow(
                                record: raw.baseAddress! + r.offset, count: r.count, int0: r.int0, real1: r.real1, real2: r.real2,
                                seq: r.seq))
                    }
                }
            }
            live = next
        }
    }

    /// Byte ranges of the data lines of `path` (after the header), cut after line feeds, with
    /// the line number each starts at; nil when the file is small or holds a double quote.
    static func split(_ path: String, parts: Int, minBytes: Int) throws -> [(range: Range<Int64>, firstLine: Int)]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw IngestError.system("open", path, errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, Int(st.st_size) >= max(minBytes, 1) else { return nil }
        let size = Int(st.st_size)
        // One scan per part, in parallel, with pread (a mapping would count the whole file in
        // the RSS): any double quote? how many line feeds? where is the first one?
        let slice = (size + parts - 1) / parts
        let scans = Mutex([(quote: Bool, lines: Int, firstFeed: Int?)](repeating: (false, 0, nil), count: parts))
        DispatchQueue.concurrentPerform(iterations: parts) { k in
            let lo = min(size, k * slice), hi = min(size, lo + slice)
            let block = 1 << 22
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: block, alignment: 16)
            defer { buffer.deallocate() }
            var quote = false, lines = 0, firstFeed: Int? = nil
            var at = lo
            while at < hi && !quote {
                let n = pread(fd, buffer, min(block, hi - at), off_t(at))
                if n <= 0 {
                    if n < 0 && errno == EINTR { continue }
                    quote = true  // unreadable here: do not split (the serial reader reports it)
                    break
                }
                quote = memchr(buffer, 34, n) != nil
                var q = 0
                while q < n, let nl = memchr(buffer + q, 10, n - q) {
                    let off = UnsafeRawPointer(buffer).distance(to: UnsafeRawPointer(nl))
                    if firstFeed == nil { firstFeed = at + off }
                    lines += 1
                    q = off + 1
                }
                at += n
            }
            scans.withLock { $0[k] = (quote, lines, firstFeed) }
        }
        let result = scans.withLock { $0 }
        if result.contains(where: \.quote) { return nil }
        // Cut after the first line feed of each slice (line 1 is the header). The line after a
        // cut is the number of line feeds before the slice start plus 2.
        var starts: [(offset: Int, line: Int)] = []
        var linesBefore = 0
        for k in 0..<parts {
            if let feed = result[k].firstFeed, feed + 1 < size { starts.append((feed + 1, linesBefore + 2)) }
            linesBefore += result[k].lines
        }
        guard starts.count > 1 else { return nil }
        var out: [(range: Range<Int64>, firstLine: Int)] = []
        for (k, s) in starts.enumerated() {
            let end = k + 1 < starts.count ? starts[k + 1].offset : size
            out.append((Int64(s.offset)..<Int64(end), s.line))
        }
        return out
    }
}
