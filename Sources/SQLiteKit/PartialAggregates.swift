import CSQLite

/// The aggregates of the merge rewrite's AVG (see `Planner.MergeRewriter`): each chunk's
/// `skyshard_avg_partial(x)` is one aggregate per row, as SQLite's own AVG is, instead of a
/// SUM and a COUNT (two aggregate steps per row); the coordinator's `skyshard_avg_merge(p)`
/// combines the partials. Registered with the user functions on every connection.
///
/// A partial is a 16-byte blob: the sum of the values as a double, then the count of values
/// as a 64-bit integer, both little-endian. As SQLite's AVG, the partial skips NULL and counts
/// every other value, adding its numeric value (`sqlite3_value_double`); integers are summed
/// as doubles (a 64-bit sum of large ids would overflow where AVG does not). The merge is NULL
/// when no values were counted.
enum PartialAggregates {
    typealias Step = @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void
    typealias Final = @convention(c) (OpaquePointer?) -> Void

    struct Accumulator {
        var sum: Double
        var count: Int64
    }

    static let partialSize: Int32 = 16

    static func register(on connection: SQLiteConnection) {
        let flags = SQLITE_UTF8 | SQLITE_INNOCUOUS | SQLITE_DETERMINISTIC
        for (name, step, final) in [
            ("skyshard_avg_partial", partialStep, partialFinal),
            ("skyshard_avg_merge", mergeStep, mergeFinal),
        ] as [(String, Step, Final)] {
            let rc = sqlite3_create_function_v2(connection.handle, name, 1, flags, nil, nil, step, final, nil)
            assert(rc == SQLITE_OK, "cannot register \(name): \(rc)")
        }
    }

    @inline(__always)
    static func accumulator(_ ctx: OpaquePointer?) -> UnsafeMutablePointer<Accumulator>? {
        sqlite3_aggregate_context(ctx, Int32(MemoryLayout<Accumulator>.size))?.assumingMemoryBound(to: Accumulator.self)
    }

    static let partialStep: Step = { ctx, _, argv in
        guard let value = argv?[0], sqlite3_value_type(value) != SQLITE_NULL else { return }
        guard let acc = accumulator(ctx) else { return sqlite3_result_error_nomem(ctx) }
        acc.pointee.sum += sqlite3_value_double(value)
        acc.pointee.count += 1
    }

    static let partialFinal: Final = { ctx in
        // Size 0: no allocation for a group that never stepped (zeroes).
        let acc =
            sqlite3_aggregate_context(ctx, 0)?.assumingMemoryBound(to: Accumulator.self).pointee
            ?? Accumulator(sum: 0, count: 0)
        var bytes = (acc.sum.bitPattern.littleEndian, UInt64(bitPattern: acc.count).littleEndian)
        withUnsafeBytes(of: &bytes) { raw in
            sqlite3_result_blob(ctx, raw.baseAddress, partialSize, SQLITE_TRANSIENT_PTR)
        }
    }

    static let mergeStep: Step = { ctx, _, argv in
        guard let value = argv?[0], sqlite3_value_type(value) != SQLITE_NULL else { return }
        guard sqlite3_value_type(value) == SQLITE_BLOB, sqlite3_value_bytes(value) == partialSize,
            let blob = sqlite3_value_blob(value)
        else { return sqlite3_result_error(ctx, "skyshard_avg_merge: not a partial average", -1) }
        guard let acc = accumulator(ctx) else { return sqlite3_result_error_nomem(ctx) }
        let sum = Double(bitPattern: UInt64(littleEndian: blob.loadUnaligned(as: UInt64.self)))
        let count = Int64(bitPattern: UInt64(littleEndian: blob.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        // A count no partial can hold (negative, or a total beyond Int64) is an error, not a trap.
        let (total, overflow) = acc.pointee.count.addingReportingOverflow(count)
        guard count >= 0, !overflow else {
            return sqlite3_result_error(ctx, "skyshard_avg_merge: not a partial average (bad count)", -1)
        }
        acc.pointee.sum += sum
        acc.pointee.count = total
    }

    static let mergeFinal: Final = { ctx in
        guard let acc = sqlite3_aggregate_context(ctx, 0)?.assumingMemoryBound(to: Accumulator.self).pointee,
            acc.count > 0
        else { return sqlite3_result_null(ctx) }
        sqlite3_result_double(ctx, acc.sum / Double(acc.count))
    }
}
