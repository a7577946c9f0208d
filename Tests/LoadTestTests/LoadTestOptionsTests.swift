import ArgumentParser
import Foundation
import Testing

@testable import LoadTest

/// The command line of `skyshard loadtest`: bounds of every option, and the refusal of targets
/// outside this machine unless `--allow-remote` is given.
@Suite struct LoadTestOptionsTests {
    static let base = ["--url", "http://127.0.0.1:8080/tap", "--users", "10", "--duration", "5"]

    @Test(arguments: [
        "http://127.0.0.1:8080/tap", "http://127.1.2.3/tap", "http://localhost:9000/tap", "http://LOCALHOST/tap",
        "http://[::1]:8080/tap", "http://[::ffff:127.0.0.1]:8080/tap",
    ])
    func loopbackURLsAreAccepted(url: String) throws {
        let options = try LoadTestOptions(url: url, users: 1, durationSeconds: 1)
        #expect(options.url.absoluteString == url)
    }

    @Test(arguments: [
        "http://example.org/tap", "http://10.0.0.1:8080/tap", "http://192.168.1.2/tap", "http://[2001:db8::1]/tap",
        "http://128.0.0.1/tap", "http://0.0.0.0:8080/tap", "http://localhost.example.org/tap", "http://[::2]/tap",
        "https://data.lsst.cloud/api/tap",
    ])
    func remoteURLsAreRefusedUnlessAllowed(url: String) throws {
        let error = #expect(throws: LoadTestError.self) {
            try LoadTestOptions(url: url, users: 1, durationSeconds: 1)
        }
        #expect(error?.code == .refusedRemote)
        #expect(error?.message.contains("--allow-remote") == true)
        let allowed = try LoadTestOptions(url: url, users: 1, durationSeconds: 1, allowRemote: true)
        #expect(allowed.url.absoluteString == url)
        // The command line refuses it the same way.
        #expect(throws: (any Error).self) {
            try LoadTestCommand.parse(["--url", url, "--users", "1", "--duration", "1"])
        }
        _ = try LoadTestCommand.parse(["--url", url, "--users", "1", "--duration", "1", "--allow-remote"])
    }

    /// Each bad value is refused with a message that names its option.
    @Test(arguments: [
        (["--users", "0"], "--users"), (["--users", "10001"], "--users"), (["--duration", "0"], "--duration"),
        (["--duration", "-3"], "--duration"), (["--duration", "100000"], "--duration"),
        (["--think-time", "-1"], "--think-time"), (["--max-requests", "0"], "--max-requests"),
        (["--timeout", "0"], "--timeout"), (["--pid", "0"], "--pid"), (["--mix", "scan"], "mix"),
        (["--url", "ftp://127.0.0.1/tap"], "--url"), (["--url", "127.0.0.1:8080"], "--url"),
    ])
    func badValuesAreRefusedNamingTheOption(change: [String], option: String) {
        var arguments = Self.base
        arguments.append(contentsOf: change)  // a repeated option takes its last value
        do {
            _ = try LoadTestCommand.parse(arguments)
            Issue.record("accepted \(arguments)")
        } catch {
            #expect(LoadTestCommand.message(for: error).contains(option), "\(LoadTestCommand.message(for: error))")
        }
    }

    @Test func thePidOfARemoteServerIsRefused() {
        #expect(throws: LoadTestError.self) {
            try LoadTestOptions(url: "http://10.1.1.1/tap", users: 1, durationSeconds: 1, pid: 42, allowRemote: true)
        }
    }

    @Test func requiredOptionsAreRequired() {
        for missing in ["--url", "--users", "--duration"] {
            var arguments = Self.base
            let index = arguments.firstIndex(of: missing)!
            arguments.removeSubrange(index...index + 1)
            #expect(throws: (any Error).self) { try LoadTestCommand.parse(arguments) }
        }
    }

    @Test func defaultsAndValuesReachTheOptions() throws {
        let command = try LoadTestCommand.parse(
            Self.base + ["--mix", "lookup", "--think-time", "250", "--max-requests", "77", "--pid", "4242", "--seed", "9"])
        let options = try command.options()
        #expect(options.users == 10)
        #expect(options.duration == .seconds(5))
        #expect(options.mix == .lookup)
        #expect(options.thinkTime == .milliseconds(250))
        #expect(options.maxRequests == 77)
        #expect(options.pid == 4242)
        #expect(options.seed == 9)
        let defaults = try LoadTestCommand.parse(Self.base).options()
        #expect(defaults.mix == .dp0)
        #expect(defaults.thinkTime == .zero)
        #expect(defaults.maxRequests == 1_000_000)
    }
}
