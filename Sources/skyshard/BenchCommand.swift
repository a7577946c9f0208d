import ArgumentParser

/// `skyshard bench ARGS`: runs `skyshard-bench ARGS`, the benchmark suite, which is built as
/// an executable of its own (Benchmarks/skyshard-bench) so that no library carries benchmark
/// code. Kept so that `skyshard bench` goes on working for the people and scripts that use it.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark SkyShard against single-file SQLite (runs skyshard-bench; see skyshard-bench --help).")

    @Argument(parsing: .captureForPassthrough, help: "Options of skyshard-bench.")
    var arguments: [String] = []

    func run() throws { try execSibling("skyshard-bench", arguments: arguments) }
}

/// `skyshard loadtest --url U --users N --duration S [--mix dp0|lookup] [--think-time MS] …`:
/// runs `skyshard-loadtest` with the same options, the load generator (Sources/LoadTest), whose
/// HTTP client is kept out of the service's executable.
struct LoadTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadtest",
        abstract: "Load a TAP service with N concurrent users and report latency (runs skyshard-loadtest).",
        // No help flag of its own: `skyshard loadtest --help` passes on and prints the generator's.
        helpNames: [])

    @Argument(parsing: .captureForPassthrough, help: "Options of skyshard-loadtest.")
    var arguments: [String] = []

    func run() throws { try execSibling("skyshard-loadtest", arguments: arguments) }
}
