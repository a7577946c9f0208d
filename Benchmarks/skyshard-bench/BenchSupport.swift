import DemoData
import Foundation
import Ingest
import QueryEngine
import SQLiteKit
import ScatterGather
import Tabular

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small tools of `skyshard bench`: a monotonic clock, order statistics, an order-independent
/// checksum of a result, peak memory, child processes with their resource usage, and a
/// description of the machine.
public enum BenchClock {
    /// Nanoseconds of a monotonic clock.
    @inline(__always)
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Seconds between two `now()` readings.
    @inline(__always)
    public static func seconds(_ start: UInt64, _ end: UInt64) -> Double { Double(end &- start) / 1e9 }
}

/// Median and 90th percentile of a set of timings (seconds).
public struct TimingStats: Sendable, Codable {
    public var samples: [Double]

    public init(_ samples: [Double]) { self.samples = samples.sorted() }

    /// The value at quantile `q` (nearest rank).
    public func quantile(_ q: Double) -> Double {
        guard !samples.isEmpty else { return .nan }
        let rank = Int((q * Double(samples.count)).rounded(.up)) - 1
        return samples[Swift.min(samples.count - 1, Swift.max(0, rank))]
    }

    public var median: Double {
        guard !samples.isEmpty else { return .nan }
        let n = samples.count
        return n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2
    }

    public var p90: Double { quantile(0.9) }

    /// The sum of the samples.
    public var total: Double { samples.reduce(0, +) }
}

/// Row count and an order-independent checksum of a result: each row is rendered canonically
/// (integers exactly; integral reals below 2^53 as integers; other reals to 9 significant digits,
/// so that a SUM merged from per-chunk partial sums agrees with SQLite's single sum) and hashed
/// with FNV-1a; the row hashes are added. Two results with the same multiset of rows agree.
public struct ResultDigest: Sendable, Hashable, CustomStringConvertible {
    public var rows: Int
    public var checksum: UInt64

    public init() {
        rows = 0
        checksum = 0
    }

    public var description: String { "\(rows) rows, checksum \(String(checksum, radix: 16))" }

    public mutating func add<C: Collection>(row: C) where C.Element == Value {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func mix(_ bytes: some Sequence<UInt8>) {
            for b in bytes {
                h ^= UInt64(b)
                h = h &* 0x0000_0100_0000_01b3
            }
        }
        for v in row {
            mix(Self.canonical(v).utf8)
            mix(CollectionOfOne(0x1f))
        }
        rows += 1
        checksum = checksum &+ h
    }

    public mutating func add(batch: RowBatch) {
        for r in 0..<batch.rowCount { add(row: batch.row(r)) }
    }

    static func canonical(_ v: Value) -> String {
        switch v {
        case .null: return "∅"
        case .integer(let i): return String(i)
        case .real(let d):
            if d == d.rounded(), abs(d) < 9_007_199_254_740_992 { return String(Int64(d)) }
            return String(format: "%.9g", d)
        case .text(let s): return "'" + s
        case .blob(let b): return "x" + b.map { String($0, radix: 16) }.joined()
        }
    }
}

/// Peak resident memory.
public enum BenchMemory {
    /// VmHWM of this process in bytes (Linux), nil elsewhere.
    public static func peakResidentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kb = Int(parts[1]) { return kb * 1024 }
        }
        return nil
    }
}

/// What this process has used so far, as the bench counts it around each timed run: the bytes
/// the kernel fetched for it from storage (`read_bytes` of `/proc/self/io`, page-cache misses of
/// `read()` and of mapped pages alike), its major page faults, and the CPU time of all its
/// threads (user + system, `getrusage`).
///
/// A run that read from storage measured the disk as well as the engine. CPU time over wall
/// time says how many cores a run kept busy, and SkyShard's CPU time over SQLite's how much
/// more work it did for the same answer: together they separate the engine from the machine.
public struct RunCounters: Sendable, Equatable {
    public var readBytes: Int64
    public var majorFaults: Int64
    public var cpuSeconds: Double

    public static let zero = RunCounters(readBytes: 0, majorFaults: 0, cpuSeconds: 0)

    /// Whether anything was read from storage.
    public var readFromStorage: Bool { readBytes > 0 || majorFaults > 0 }

    /// The counters now; nil where `/proc/self/io` is missing (not Linux, or a kernel without
    /// task I/O accounting).
    public static func now() -> RunCounters? {
        guard let bytes = storageBytes(), let (faults, cpu) = usage() else { return nil }
        return RunCounters(readBytes: bytes, majorFaults: faults, cpuSeconds: cpu)
    }

    /// What `body` used. `/proc/self/io` is read before the CPU clock is taken and after it is
    /// taken again, so that reading it (a file read and a parse) does not count as the run's CPU
    /// time.
    public static func measure<T>(_ body: () async throws -> T) async rethrows -> (T, RunCounters?) {
        let bytes0 = storageBytes(), usage0 = usage()
        let result = try await body()
        let usage1 = usage(), bytes1 = storageBytes()
        guard let b0 = bytes0, let b1 = bytes1, let u0 = usage0, let u1 = usage1 else { return (result, nil) }
        return (
            result,
            RunCounters(
                readBytes: b1 - b0, majorFaults: u1.majorFaults - u0.majorFaults,
                cpuSeconds: u1.cpuSeconds - u0.cpuSeconds)
        )
    }

    static func storageBytes() -> Int64? {
        #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return nil }
        return readBytes(procIO: text)
        #else
        return nil
        #endif
    }

    static func usage() -> (majorFaults: Int64, cpuSeconds: Double)? {
        #if os(Linux)
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return nil }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return (Int64(usage.ru_majflt), seconds(usage.ru_utime) + seconds(usage.ru_stime))
        #else
        return nil
        #endif
    }

    /// The `read_bytes:` field of a `/proc/<pid>/io` text.
    static func readBytes(procIO text: String) -> Int64? {
        for line in text.split(separator: "\n") where line.hasPrefix("read_bytes:") {
            return Int64(line.dropFirst("read_bytes:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    public static func + (a: RunCounters, b: RunCounters) -> RunCounters {
        RunCounters(
            readBytes: a.readBytes + b.readBytes, majorFaults: a.majorFaults + b.majorFaults,
            cpuSeconds: a.cpuSeconds + b.cpuSeconds)
    }

    public static func - (a: RunCounters, b: RunCounters) -> RunCounters {
        RunCounters(
            readBytes: a.readBytes - b.readBytes, majorFaults: a.majorFaults - b.majorFaults,
            cpuSeconds: a.cpuSeconds - b.cpuSeconds)
    }
}

/// A child process run to completion, with its own resource usage (`wait4`).
public struct ChildRun: Sendable {
    public var status: Int32
    public var seconds: Double
    /// Peak resident set of the child, bytes.
    public var maxRSSBytes: Int
    public var userSeconds: Double
    public var systemSeconds: Double
    /// What the child wrote to standard output.
    public var output: String

    /// Runs `executable` with `arguments`; standard error is passed through, standard output
    /// captured.
    public static func run(_ executable: String, _ arguments: [String]) throws -> ChildRun {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw BenchError("pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let started = BenchClock.now()
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw BenchError("cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n <= 0 { break }
            output.append(contentsOf: buffer[0..<n])
        }
        close(fds[0])
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let ended = BenchClock.now()
        func secs(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        // WEXITSTATUS / WIFEXITED are macros Swift does not import.
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ChildRun(
            status: exit, seconds: BenchClock.seconds(started, ended), maxRSSBytes: Int(usage.ru_maxrss) * 1024,
            userSeconds: secs(usage.ru_utime), systemSeconds: secs(usage.ru_stime),
            output: String(decoding: output, as: UTF8.self))
    }
}

public struct BenchError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The machine a benchmark ran on.
public struct MachineInfo: Sendable, Codable {
    public var cores: Int
    public var cpuModel: String
    public var memoryBytes: Int
    public var swiftVersion: String
    public var buildConfiguration: String
    public var date: String
    public var kernel: String

    public static func current(swiftVersion: String?) -> MachineInfo {
        var model = "unknown"
        if let cpu = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = cpu.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
            let colon = line.firstIndex(of: ":")
        {
            model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var memory = Int(ProcessInfo.processInfo.physicalMemory)
        if let mem = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
            let line = mem.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") })
        {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kb = Int(parts[1]) { memory = kb * 1024 }
        }
        #if DEBUG
        let config = "debug"
        #else
        let config = "release"
        #endif
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var uts = utsname()
        uname(&uts)
        let kernel = withUnsafeBytes(of: &uts.release) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return MachineInfo(
            cores: ProcessInfo.processInfo.activeProcessorCount, cpuModel: model, memoryBytes: memory,
            swiftVersion: swiftVersion ?? Self.swiftVersion() ?? "unknown", buildConfiguration: config,
            date: formatter.string(from: Date()), kernel: kernel)
    }

    /// The first line of `swift --version`, if a swift is on the PATH.
    static func swiftVersion() -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(dir)/swift"
            guard FileManager.default.isExecutableFile(atPath: path),
                let run = try? ChildRun.run(path, ["--version"]), run.status == 0
            else { continue }
            let text = run.output.split(separator: "\n").first.map(String.init) ?? ""
            return text.isEmpty ? nil : text
        }
        return nil
    }
}
