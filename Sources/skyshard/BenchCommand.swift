import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `skyshard bench ARGS`: runs `skyshard-bench ARGS`, the benchmark suite, which is built as
/// an executable of its own (Benchmarks/skyshard-bench) so that no library carries benchmark
/// code. Kept so that `skyshard bench` goes on working for the people and scripts that use it.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark SkyShard against single-file SQLite (runs skyshard-bench; see skyshard-bench --help).")

    @Argument(parsing: .captureForPassthrough, help: "Options of skyshard-bench.")
    var arguments: [String] = []

    func run() throws {
        let own = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let bench = own.deletingLastPathComponent().appendingPathComponent("skyshard-bench").path
        guard FileManager.default.isExecutableFile(atPath: bench) else {
            throw ValidationError(
                "skyshard-bench is not beside skyshard (looked for \(bench)): swift build --product skyshard-bench")
        }
        // Replace this process, so that signals and the exit status are the benchmark's own.
        let argv = ([bench] + arguments).map { strdup($0) } + [nil]
        execv(bench, argv)
        throw ValidationError("cannot run \(bench): \(String(cString: strerror(errno)))")
    }
}
