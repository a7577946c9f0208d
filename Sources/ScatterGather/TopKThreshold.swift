import Planner
import SQLiteKit
import Synchronization
import Tabular

/// The running bound of a `TopKBound` plan: the merge shows it every batch it receives, and
/// each chunk statement binds `current` as `?1` when it starts (`ChunkTask.boundParameters`).
///
/// It keeps the `count` best non-NULL keys seen so far in a heap whose root is the worst of
/// them; once there are `count`, that root is the bound: a row whose key is beyond it cannot
/// be among the `count` best. NULL keys are left out of the heap: descending, they sort after
/// every value (the chunk term drops them rightly); ascending, before (the term keeps them).
///
/// The keys must compare as SQLite compares them. They come from an INTEGER or REAL column,
/// whose values are integers or reals; a text or blob key, or integers and reals in the same
/// key (whose exact comparison this does not attempt), switch the bound off for the rest of
/// the query: later chunks then run without it, as before any rows arrived.
public final class TopKThreshold: Sendable, Hashable {
    public let bound: TopKBound

    private struct State {
        /// Heap of the best keys: the root is the worst of them.
        var heap: [Value] = []
        var kind: Kind = .unknown
        var current: Value = .null
    }

    private enum Kind { case unknown, integer, real, off }

    private let state = Mutex(State())

    public init(_ bound: TopKBound) {
        self.bound = bound
    }

    private let boundReads = Atomic<Int>(0)

    /// The value to bind as `?1` now: the `count`-th best key, or NULL.
    public var current: Value {
        let value = state.withLock { $0.current }
        if !value.isNull { boundReads.add(1, ordering: .relaxed) }
        return value
    }

    /// How many times `current` gave a bound (not NULL): chunk statements that started with one.
    public var boundedStarts: Int { boundReads.load(ordering: .relaxed) }

    /// Takes the keys of a batch of merge rows (`bound.column` of each row).
    public func observe(_ batch: RowBatch) {
        let column = bound.column, count = bound.count, descending = bound.descending
        guard count > 0, column < batch.columnCount else { return }
        state.withLock { s in
            if s.kind == .off { return }
            for row in 0..<batch.rowCount {
                let key = batch[row, column]
                switch (key, s.kind) {
                case (.null, _): continue
                case (.integer, .unknown): s.kind = .integer
                case (.real, .unknown): s.kind = .real
                case (.integer, .integer), (.real, .real): break
                default:
                    s.kind = .off
                    s.heap = []
                    s.current = .null
                    return
                }
                if s.heap.count < count {
                    s.heap.append(key)
                    Self.siftUp(&s.heap, from: s.heap.count - 1, descending: descending)
                } else if Self.better(key, than: s.heap[0], descending: descending) {
                    s.heap[0] = key
                    Self.siftDown(&s.heap, descending: descending)
                }
            }
            if s.heap.count == count { s.current = s.heap[0] }
        }
    }

    /// Whether `a` sorts before `b` in the result's order (both of one kind, not NULL).
    static func better(_ a: Value, than b: Value, descending: Bool) -> Bool {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): descending ? x > y : x < y
        case (.real(let x), .real(let y)): descending ? x > y : x < y
        default: false
        }
    }

    /// The root is the worst key: a parent is never better than its children.
    static func siftUp(_ heap: inout [Value], from index: Int, descending: Bool) {
        var i = index
        while i > 0 {
            let parent = (i - 1) / 2
            guard better(heap[parent], than: heap[i], descending: descending) else { return }
            heap.swapAt(parent, i)
            i = parent
        }
    }

    static func siftDown(_ heap: inout [Value], descending: Bool) {
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var worst = i
            if l < heap.count, better(heap[worst], than: heap[l], descending: descending) { worst = l }
            if r < heap.count, better(heap[worst], than: heap[r], descending: descending) { worst = r }
            if worst == i { return }
            heap.swapAt(i, worst)
            i = worst
        }
    }

    public static func == (a: TopKThreshold, b: TopKThreshold) -> Bool { a === b }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
