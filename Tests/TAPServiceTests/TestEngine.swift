import Synchronization
import TAPService
import Tabular

/// What the test engine's streaming producer has done, shared with the test, and the signals
/// that replace sleeping: a test awaits `untilCancelled()`; a producer holding its rows back
/// awaits `untilReleased()`, which takes one of the test's `release()` calls.
final class ProducerProbe: Sendable {
    private struct State {
        var produced = 0
        var cancelled = false
        var cancelWaiters: [CheckedContinuation<Void, Never>] = []
        var releases = 0
        var releaseWaiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())
    var produced: Int { state.withLock { $0.produced } }
    var cancelled: Bool { state.withLock { $0.cancelled } }
    func didProduce(_ n: Int) { state.withLock { $0.produced += n } }

    func cancel() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.cancelled = true
            defer { s.cancelWaiters = [] }
            return s.cancelWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once `cancel()` has been called (at once if it has been already), or when the
    /// waiting task is cancelled (a test's time limit): the caller then finds `cancelled` false.
    func untilCancelled() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { s -> Bool in
                    if s.cancelled || Task.isCancelled { return true }
                    s.cancelWaiters.append(continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
                defer { s.cancelWaiters = [] }
                return s.cancelWaiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    func release() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.releaseWaiters.isEmpty {
                s.releases += 1
                return nil
            }
            return s.releaseWaiters.removeFirst()
        }
        waiter?.resume()
    }

    /// Returns once a `release()` is available, and takes it.
    func untilReleased() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { s -> Bool in
                if s.releases > 0 {
                    s.releases -= 1
                    return true
                }
                s.releaseWaiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}

final class RequestLog: Sendable {
    private let requests = Mutex<[TAPQueryRequest]>([])
    func append(_ r: TAPQueryRequest) { requests.withLock { $0.append(r) } }
    var last: TAPQueryRequest? { requests.withLock { $0.last } }
    var count: Int { requests.withLock { $0.count } }
}

/// An engine serving fixed rows, a large generated result, and errors, chosen by the query text.
struct TestEngine: TAPQueryEngine {
    static let fields = [
        FieldDescriptor(name: "id", datatype: .long, ucd: "meta.id"),
        FieldDescriptor(name: "ra", datatype: .double, unit: "deg"),
        FieldDescriptor(name: "name", datatype: .char),
        FieldDescriptor(name: "ok", datatype: .boolean),
    ]

    static let smallRows: [[Value]] = [
        [.integer(1), .real(10.5), .text("alpha"), .integer(1)],
        [.integer(2), .real(.nan), .text("<b>&\"c\""), .integer(0)],
        [.integer(3), .null, .null, .null],
        [.integer(4), .real(-0.25), .text("δ, \"quoted\""), .integer(1)],
        [.integer(5), .real(359.999), .text("five"), .integer(0)],
    ]

    let bigRowCount: Int
    let probe: ProducerProbe
    let log = RequestLog()
    /// Whether the service is to hand this engine uploaded tables (the real engine's until it
    /// reads them: no).
    let acceptsUploads: Bool

    init(bigRowCount: Int = 200_000, probe: ProducerProbe = ProducerProbe(), acceptsUploads: Bool = false) {
        self.bigRowCount = bigRowCount
        self.probe = probe
        self.acceptsUploads = acceptsUploads
    }

    var lastRequest: TAPQueryRequest? { log.last }

    func execute(_ request: TAPQueryRequest) async throws -> QueryResult {
        log.append(request)
        let q = request.adql.trimmed().lowercased()
        switch q {
        case "select bad from":
            throw QueryError(.syntax, "line 1, column 16: unexpected end of query after FROM", line: 1, column: 16)
        case "select * from secret":
            throw QueryError(.forbidden, "table secret is not public")
        case "select * from busy":
            throw QueryError(.unavailable, "worker 2 is down")
        case "select * from slow":
            throw QueryError(.timeout, "the query ran longer than 600 s")
        case "select * from nothere":
            throw QueryError(.semantic, "table nothere does not exist", line: 1, column: 15)
        case "select * from crash":
            throw QueryError(.internal, "sqlite: disk I/O error in /data/chunk_1234.db", context: ["chunk": "1234"])
        case "select * from weird":
            struct Weird: Error {}
            throw Weird()
        case "select * from misaligned":
            // An engine bug: batches narrower than the fields.
            return .materialized(fields: Self.fields, rows: [RowBatch(columnCount: 2, values: [.integer(1), .real(2)])])
        case "select * from slowstart":
            // The first rows come only when the test releases them (after it has seen keep-alives).
            let batch = Self.batch(Self.smallRows)
            let state = Mutex(0)
            let probe = self.probe
            return QueryResult(
                fields: Self.fields,
                batches: RowBatchSequence {
                    let n = state.withLock { s -> Int in
                        s += 1; return s
                    }
                    guard n == 1 else { return nil }
                    await probe.untilReleased()
                    return batch
                }, onCancel: { probe.release() })
        case "select * from idle":
            // Produces nothing until cancelled.
            let probe = self.probe
            return QueryResult(
                fields: Self.fields,
                batches: RowBatchSequence {
                    await probe.untilCancelled()
                    return nil
                }, onCancel: { probe.cancel() })
        case "select * from big":
            return bigResult(rows: bigRowCount)
        case "select * from failing":
            // Two batches, then a worker failure.
            let batch = Self.batch(Self.smallRows)
            let state = Mutex(0)
            return QueryResult(
                fields: Self.fields,
                batches: RowBatchSequence {
                    let n = state.withLock { s -> Int in
                        s += 1; return s
                    }
                    if n <= 2 { return batch }
                    throw QueryError(.unavailable, "worker 3 went away")
                }, onCancel: {})
        default:
            return .materialized(
                fields: Self.fields,
                rows: [
                    Self.batch(Array(Self.smallRows[0..<2])),
                    Self.batch(Array(Self.smallRows[2...])),
                ])
        }
    }

    static func batch(_ rows: [[Value]]) -> RowBatch {
        var b = RowBatch(columnCount: fields.count)
        for r in rows { b.append(row: r) }
        return b
    }

    /// Generated rows, produced on demand (a pull producer: it runs only as fast as the consumer).
    func bigResult(rows total: Int) -> QueryResult {
        let probe = self.probe
        let next = Mutex(0)
        let batchSize = 1000
        return QueryResult(
            fields: Self.fields,
            batches: RowBatchSequence {
                if probe.cancelled { return nil }
                let start = next.withLock { n -> Int in
                    defer { n += batchSize }; return n
                }
                guard start < total else { return nil }
                var b = RowBatch(columnCount: Self.fields.count, reservingRows: batchSize)
                for i in start..<min(start + batchSize, total) {
                    b.append(row: [
                        .integer(Int64(i)), .real(Double(i) * 0.001),
                        .text("object number \(i) with some padding text"), .integer(Int64(i & 1)),
                    ])
                }
                probe.didProduce(b.rowCount)
                return b
            }, onCancel: { probe.cancel() })
    }
}

extension String {
    func trimmed() -> String {
        var s = self[...]
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}
