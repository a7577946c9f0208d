import Foundation
@testable import Shard
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The bench's count of what a timed run read from storage (`StorageReads`).
@Suite struct StorageReadsTests {
    @Test func readBytesIsTakenFromItsOwnLine() {
        let text = "rchar: 6976\nwchar: 10\nsyscr: 10\nsyscw: 0\nread_bytes: 40960\nwrite_bytes: 4096\n"
            + "cancelled_write_bytes: 0\n"
        #expect(StorageReads.readBytes(procIO: text) == 40960)
        #expect(StorageReads.readBytes(procIO: "rchar: 1\nwrite_bytes: 2\n") == nil)
        #expect(StorageReads.readBytes(procIO: "read_bytes: many\n") == nil)
        let a = StorageReads(bytes: 10, majorFaults: 3), b = StorageReads(bytes: 4, majorFaults: 1)
        #expect(a - b == StorageReads(bytes: 6, majorFaults: 2))
        #expect(a + b - a == b)
    }

    #if os(Linux)
    /// A file written, synced and dropped from the page cache is read back from the disk, and
    /// the counters say so; read again at once, it comes from the cache.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/io")))
    func aFileDroppedFromThePageCacheIsCountedWhenReadBack() throws {
        // On the package's own disk: a tmpfs temporary directory never reads from storage.
        let dir = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent(".build/storage-reads-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("data")
        let size = 8 << 20
        try Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: file)
        let fd = open(file.path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        #expect(fsync(fd) == 0)
        #expect(posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED)) == 0)

        func readAll() -> Int {
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            var total = 0, offset: off_t = 0
            while true {
                let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
                if n <= 0 { break }
                total += n
                offset += off_t(n)
            }
            return total
        }
        let before = try #require(StorageReads.now())
        #expect(readAll() == size)
        let cold = try #require(StorageReads.now()) - before
        #expect(cold.bytes >= Int64(size / 2), "read back from the disk: \(cold.bytes) bytes counted")

        let again = try #require(StorageReads.now())
        #expect(readAll() == size)
        let warm = try #require(StorageReads.now()) - again
        #expect(warm.bytes < Int64(size / 2), "read from the cache: \(warm.bytes) bytes counted")
    }
    #endif
}
