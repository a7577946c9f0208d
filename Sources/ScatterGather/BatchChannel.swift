import SQLiteKit
import Synchronization
import Tabular

/// A bounded multi-producer, single-consumer channel of row batches. `send` suspends while
/// `capacity` batches wait unread, which is what bounds the memory between the chunk
/// statements and the writer; `finish` ends the stream, with an error or without.
final class BatchChannel: Sendable {
    private struct State {
        var buffer: [RowBatch] = []
        var head = 0
        var finished = false
        var failure: (any Error)?
        var consumerGone = false
        var waitingConsumer: CheckedContinuation<RowBatch?, any Error>?
        var waitingProducers: [CheckedContinuation<Void, any Error>] = []
        var count: Int { buffer.count - head }
    }

    private let state = Mutex(State())
    let capacity: Int
    let stats: ExecutorStats?

    init(capacity: Int, stats: ExecutorStats? = nil) {
        self.capacity = max(1, capacity)
        self.stats = stats
    }

    /// Hands a batch to the consumer, waiting while the buffer is full. Throws
    /// CancellationError when the consumer has gone or the stream was finished.
    func send(_ batch: RowBatch) async throws {
        while true {
            enum Action { case delivered(CheckedContinuation<RowBatch?, any Error>?), wait, stop }
            let action: Action = state.withLock { s in
                if s.consumerGone || s.finished { return .stop }
                if let consumer = s.waitingConsumer {
                    s.waitingConsumer = nil
                    return .delivered(consumer)
                }
                if s.count < capacity {
                    s.buffer.append(batch)
                    stats?.buffered(s.count)
                    return .delivered(nil)
                }
                return .wait
            }
            switch action {
            case .stop: throw CancellationError()
            case .delivered(let consumer):
                consumer?.resume(returning: batch)
                return
            case .wait:
                try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                    let resumeNow: Bool = state.withLock { s in
                        if s.consumerGone || s.finished || s.count < capacity { return true }
                        s.waitingProducers.append(c)
                        return false
                    }
                    if resumeNow { c.resume() }
                }
            }
        }
    }

    /// Whether `send` would return now without waiting: the consumer waits for a batch, the
    /// buffer has room, or the stream is over (the send then throws at once).
    var hasRoom: Bool {
        state.withLock { s in s.consumerGone || s.finished || s.waitingConsumer != nil || s.count < capacity }
    }

    /// Ends the stream. Batches already buffered are still delivered before the end or error.
    func finish(throwing error: (any Error)? = nil) {
        let (consumer, producers, failure):
            (CheckedContinuation<RowBatch?, any Error>?, [CheckedContinuation<Void, any Error>], (any Error)?) =
                state.withLock { s in
                    if s.finished { return (nil, [], nil) }
                    s.finished = true
                    s.failure = error
                    let c = s.count == 0 ? s.waitingConsumer : nil
                    if c != nil { s.waitingConsumer = nil }
                    let p = s.waitingProducers
                    s.waitingProducers = []
                    return (c, p, error)
                }
        if let consumer {
            if let failure { consumer.resume(throwing: failure) } else { consumer.resume(returning: nil) }
        }
        for p in producers { p.resume() }
    }

    /// The consumer stopped reading: wakes and stops the producers.
    func consumerCancelled() {
        let producers = state.withLock { s in
            s.consumerGone = true
            let p = s.waitingProducers
            s.waitingProducers = []
            return p
        }
        for p in producers { p.resume() }
    }

    /// The next batch, nil at the end; throws the error the stream was finished with.
    func next() async throws -> RowBatch? {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<RowBatch?, any Error>) in
            enum Action { case value(RowBatch), end((any Error)?), wait }
            let (action, producer): (Action, CheckedContinuation<Void, any Error>?) = state.withLock { s in
                if s.count > 0 {
                    let batch = s.buffer[s.head]
                    s.head += 1
                    if s.head == s.buffer.count {
                        s.buffer.removeAll(keepingCapacity: true)
                        s.head = 0
                    }
                    let p = s.waitingProducers.isEmpty ? nil : s.waitingProducers.removeFirst()
                    return (.value(batch), p)
                }
                if s.finished { return (.end(s.failure), nil) }
                s.waitingConsumer = c
                let p = s.waitingProducers.isEmpty ? nil : s.waitingProducers.removeFirst()
                return (.wait, p)
            }
            producer?.resume()
            switch action {
            case .value(let batch): c.resume(returning: batch)
            case .end(let error?): c.resume(throwing: error)
            case .end(nil): c.resume(returning: nil)
            case .wait: break
            }
        }
    }
}
