import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the load generator sends: the DP0 mix of small and larger queries, or objectId lookups only.
public enum LoadMix: String, Sendable, Codable, CaseIterable {
    /// objectId lookups, small cones, light curves, TAP_SCHEMA browsing, async aggregates.
    case dp0
    /// `SELECT * FROM Object WHERE objectId = …` over TAP sync, nothing else.
    case lookup
}

/// The settings of one load test, checked: every value is inside the bounds below, so a run is
/// bounded in time and in requests, and the target is on this machine unless `allowRemote`.
public struct LoadTestOptions: Sendable, Equatable {
    /// The TAP service's base URL (`…/tap`); its `/sync` and `/async` are loaded.
    public var url: URL
    public var users: Int
    /// The run stops after this long …
    public var duration: Duration
    /// … or after this many requests have been sent, whichever comes first.
    public var maxRequests: Int
    public var mix: LoadMix
    /// Each user waits this long (on average; uniformly 0.5–1.5 times) between its requests.
    public var thinkTime: Duration
    /// One request (one async job from submission to its result) may take this long.
    public var requestTimeout: Duration
    /// The local server process whose memory is reported; found from the port when nil.
    public var pid: Int32?
    public var seed: UInt64

    /// The bounds of the settings.
    public static let userRange = 1...10_000
    public static let durationRange = 0.1...86_400.0
    public static let maxRequestsRange = 1...100_000_000
    public static let thinkTimeRange = 0...600_000
    public static let timeoutRange = 0.1...3_600.0

    /// Checks every value; throws `LoadTestError.invalidOption` naming the option at fault.
    public init(
        url text: String, users: Int, durationSeconds: Double, maxRequests: Int = 1_000_000, mix: LoadMix = .dp0,
        thinkTimeMilliseconds: Int = 0, timeoutSeconds: Double = 60, pid: Int32? = nil, allowRemote: Bool = false,
        seed: UInt64 = 1
    ) throws {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            throw LoadTestError(.invalidOption, "--url \(text) is not an http(s) URL with a host (e.g. http://127.0.0.1:8080/tap)")
        }
        let loopback = Self.isLoopback(host: host)
        if !loopback && !allowRemote {
            throw LoadTestError(
                .refusedRemote,
                "--url \(text): \(host) is not a loopback address; loading another machine needs --allow-remote")
        }
        if pid != nil && !loopback {
            throw LoadTestError(.invalidOption, "--pid names a process of this machine, but \(host) is not a loopback address")
        }
        try Self.check("--users", users, Self.userRange)
        try Self.check("--max-requests", maxRequests, Self.maxRequestsRange)
        try Self.check("--think-time", thinkTimeMilliseconds, Self.thinkTimeRange)
        guard Self.durationRange.contains(durationSeconds) else {
            throw LoadTestError(.invalidOption, "--duration \(durationSeconds) must be within \(Self.durationRange) seconds")
        }
        guard Self.timeoutRange.contains(timeoutSeconds) else {
            throw LoadTestError(.invalidOption, "--timeout \(timeoutSeconds) must be within \(Self.timeoutRange) seconds")
        }
        if let pid, pid <= 0 { throw LoadTestError(.invalidOption, "--pid \(pid) is not a process id") }
        var base = url.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        guard let cleaned = URL(string: base) else {
            throw LoadTestError(.invalidOption, "--url \(text) is not a URL")
        }
        self.url = cleaned
        self.users = users
        self.duration = .milliseconds(Int64((durationSeconds * 1000).rounded()))
        self.maxRequests = maxRequests
        self.mix = mix
        self.thinkTime = .milliseconds(thinkTimeMilliseconds)
        self.requestTimeout = .milliseconds(Int64((timeoutSeconds * 1000).rounded()))
        self.pid = pid
        self.seed = seed
    }

    private static func check(_ name: String, _ value: Int, _ range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw LoadTestError(.invalidOption, "\(name) \(value) must be within \(range.lowerBound)…\(range.upperBound)")
        }
    }

    /// Whether `host` names this machine's loopback interface: `localhost`, 127.0.0.0/8, `::1`, or
    /// an IPv4-mapped 127.x address. Names are not resolved: any other name counts as remote.
    public static func isLoopback(host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, name, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { $0[0] } == 127
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, name, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }  // ::1
            let mapped = bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff
            return mapped && bytes[12] == 127
        }
        return false
    }
}

/// The load generator's error: a code and a message for a person.
public struct LoadTestError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        /// An option is out of its bounds or malformed.
        case invalidOption
        /// The URL is not on this machine and `--allow-remote` was not given.
        case refusedRemote
        /// The service could not be prepared for the test (the start-up queries failed).
        case discovery
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
