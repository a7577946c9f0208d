import Synchronization

/// A query's result as it is produced: the column descriptions, known before the first row,
/// and the rows as an asynchronous sequence of batches. The producer is suspended while the
/// consumer is behind (back-pressure), so a result is never held whole in memory. Iterating
/// to the end either finishes normally or throws the error that ended the query; a consumer
/// that stops early must call `cancel()` so the producer's work stops.
public struct QueryResult: Sendable {
    public let fields: [FieldDescriptor]
    public let batches: RowBatchSequence
    private let onCancel: @Sendable () -> Void

    public init(fields: [FieldDescriptor], batches: RowBatchSequence, onCancel: @escaping @Sendable () -> Void) {
        self.fields = fields
        self.batches = batches
        self.onCancel = onCancel
    }

    /// Stops the producer. Safe to call more than once and after the end.
    public func cancel() { onCancel() }

    /// A result whose rows are all in memory already (small results, metadata queries).
    public static func materialized(fields: [FieldDescriptor], rows: [RowBatch]) -> QueryResult {
        let box = SharedIterator(rows)
        return QueryResult(fields: fields, batches: RowBatchSequence { box.next() }, onCancel: {})
    }

    /// Reads the whole result into memory (tests, small results, the coordinator's finishing step).
    public func collect() async throws -> RowBatch {
        var all = RowBatch(columnCount: fields.count)
        for try await batch in batches {
            // The first batch is taken as it is (most small results are one batch).
            if all.isEmpty && batch.columnCount == all.columnCount { all = batch } else { all.append(contentsOf: batch) }
        }
        return all
    }
}

/// A type-erased asynchronous sequence of row batches.
public struct RowBatchSequence: AsyncSequence, Sendable {
    public typealias Element = RowBatch
    private let nextBatch: @Sendable () async throws -> RowBatch?

    public init(next: @escaping @Sendable () async throws -> RowBatch?) {
        self.nextBatch = next
    }

    /// Stateless apart from the producer's closure, so copies share one position.
    public struct AsyncIterator: AsyncIteratorProtocol, Sendable {
        let nextBatch: @Sendable () async throws -> RowBatch?
        public mutating func next() async throws -> RowBatch? { try await nextBatch() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(nextBatch: nextBatch) }
}

/// Hands out the elements of an array in order, each once, to any number of threads; the
/// array lets go of an element when it is handed out.
package final class SharedIterator<Element: Sendable>: Sendable {
    private let state: Mutex<(elements: [Element?], next: Int)>

    package init(_ elements: [Element]) { state = Mutex((elements.map(Optional.some), 0)) }

    package func next() -> Element? {
        state.withLock { s in
            guard s.next < s.elements.count else { return nil }
            defer {
                s.elements[s.next] = nil
                s.next += 1
            }
            return s.elements[s.next]
        }
    }
}
