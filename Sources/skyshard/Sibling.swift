import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces this process with the executable `name` built beside `skyshard` (the benchmark and
/// the load generator are executables of their own, so that no service target carries their
/// code), passing `arguments` on; signals and the exit status are then the other program's own.
func execSibling(_ name: String, arguments: [String]) throws {
    let own = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    let path = own.deletingLastPathComponent().appendingPathComponent(name).path
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw ValidationError("\(name) is not beside skyshard (looked for \(path)): swift build --product \(name)")
    }
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    execv(path, argv)
    throw ValidationError("cannot run \(path): \(String(cString: strerror(errno)))")
}
