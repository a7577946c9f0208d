import Foundation
import Testing

@testable import skyshard_bench

#if canImport(Glibc)
import Glibc
#endif

/// The bench's counters around a timed run (`RunCounters`).
@Suite(.serialized) struct RunCountersTests {
    @Test func readBytesIsTakenFromItsOwnLine() {
        let text =
            "rchar: 6976\nwchar: 10\nsyscr: 10\nsyscw: 0\nread_bytes: 40960\nwrite_bytes: 4096\n"
            + "cancelled_write_bytes: 0\n"
        #expect(RunCounters.readBytes(procIO: text) == 40960)
        #expect(RunCounters.readBytes(procIO: "rchar: 1\nwrite_bytes: 2\n") == nil)
        #expect(RunCounters.readBytes(procIO: "read_bytes: many\n") == nil)
        let a = RunCounters(readBytes: 10, majorFaults: 3, cpuSeconds: 1.5)
        let b = RunCounters(readBytes: 4, majorFaults: 1, cpuSeconds: 0.25)
        #expect(a - b == RunCounters(readBytes: 6, majorFaults: 2, cpuSeconds: 1.25))
        #expect(a + b - a == b)
        #expect(!RunCounters(readBytes: 0, majorFaults: 0, cpuSeconds: 9).readFromStorage)
        #expect(RunCounters(readBytes: 0, majorFaults: 1, cpuSeconds: 0).readFromStorage)
    }

    #if os(Linux)
    /// CPU time counts this process's work: a busy loop moves it by 50 ms well before a
    /// generous wall-clock limit.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/io")))
    func cpuTimeGrowsWithWork() throws {
        let before = try #require(RunCounters.now())
        let start = Date()
        var x: UInt64 = 1, used = 0.0
        while used < 0.05 && Date().timeIntervalSince(start) < 20 {
            for i in 0..<100_000 { x = x &* 6364136223846793005 &+ UInt64(i) }
            used = try #require(RunCounters.now()).cpuSeconds - before.cpuSeconds
        }
        #expect(x != 0)
        #expect(used >= 0.05, "CPU time after a busy loop: \(used) s")
    }

    /// `measure` counts the CPU time its body used. (The counters are the process's: other
    /// tests running at the same time add to them, so only lower bounds are checked.)
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/io")))
    func measureCountsItsBody() async throws {
        let (x, used) = await RunCounters.measure { () -> UInt64 in
            let start = Date()
            var x: UInt64 = 1
            let cpu0 = RunCounters.usage()?.cpuSeconds ?? 0
            while (RunCounters.usage()?.cpuSeconds ?? 0) - cpu0 < 0.03 && Date().timeIntervalSince(start) < 20 {
                for i in 0..<100_000 { x = x &* 6364136223846793005 &+ UInt64(i) }
            }
            return x
        }
        #expect(x != 0)
        let counters = try #require(used)
        #expect(counters.cpuSeconds >= 0.03, "CPU time of the body: \(counters.cpuSeconds) s")
    }

    /// A file written, synced and dropped from the page cache is read back from the disk, and
    /// the counters say so.
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
        let before = try #require(RunCounters.now())
        #expect(readAll() == size)
        let cold = try #require(RunCounters.now()) - before
        #expect(cold.readBytes >= Int64(size / 2), "read back from the disk: \(cold.readBytes) bytes counted")

    }
    #endif
}
