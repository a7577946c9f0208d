import ArgumentParser
import Foundation

/// `skyshard-loadtest` (and `skyshard loadtest`, which runs it): the command line of a load test.
public struct LoadTestCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "loadtest",
        abstract: "Load a TAP service with N concurrent users (DP0 query mix or objectId lookups) and report latency.",
        discussion: """
            Each user sends one request at a time over a keep-alive connection. The ids and positions \
            queried are learnt from the service at start. Reports throughput, p50/p95/p99/max per query \
            kind, errors by kind, and the server's peak RSS and RssAnon when it runs on this machine.
            """)

    @Option(help: "The TAP service's base URL, e.g. http://127.0.0.1:8080/tap (loopback only without --allow-remote).")
    var url: String

    @Option(help: "Concurrent users (\(LoadTestOptions.userRange.lowerBound)–\(LoadTestOptions.userRange.upperBound)).")
    var users: Int

    @Option(help: "Seconds to run (at most \(Int(LoadTestOptions.durationRange.upperBound))).")
    var duration: Double

    @Option(help: "dp0 (lookups, cones, light curves, TAP_SCHEMA, async aggregates) or lookup (objectId lookups only).")
    var mix: LoadMix = .dp0

    @Option(help: "Milliseconds a user waits between requests (on average; uniformly 0.5–1.5 times).")
    var thinkTime: Int = 0

    @Option(help: "Stop after this many requests, even before the duration is over.")
    var maxRequests: Int = 1_000_000

    @Option(help: "Seconds one request (an async job: to its result) may take before it counts as a timeout.")
    var timeout: Double = 60

    @Option(help: "The server's process id, for its memory (found from the URL's port when omitted).")
    var pid: Int32?

    @Flag(help: "Allow a URL that is not a loopback address (loads another machine).")
    var allowRemote = false

    @Option(help: "Seed of the users' random choices (the same seed repeats the same requests).")
    var seed: UInt64 = 1

    @Option(help: "Also write the report as JSON to this file.")
    var json: String?

    public init() {}

    /// The options checked; the errors name the option at fault.
    public func options() throws -> LoadTestOptions {
        do {
            return try LoadTestOptions(
                url: url, users: users, durationSeconds: duration, maxRequests: maxRequests, mix: mix,
                thinkTimeMilliseconds: thinkTime, timeoutSeconds: timeout, pid: pid, allowRemote: allowRemote, seed: seed)
        } catch let error as LoadTestError {
            throw ValidationError(error.message)
        }
    }

    public func validate() throws { _ = try self.options() }

    public func run() async throws {
        let options = try self.options()
        let report: LoadReport
        do {
            report = try await LoadRunner.run(options) { line in
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        } catch let error as LoadTestError {
            FileHandle.standardError.write(Data("skyshard loadtest: \(error.message)\n".utf8))
            throw ExitCode(2)
        }
        FileHandle.standardOutput.write(Data(report.text.utf8))
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
        }
    }
}

extension LoadMix: ExpressibleByArgument {}
