import ArgumentParser
import LoadTest

/// `skyshard-loadtest`: the load generator as an executable of its own, so that its HTTP client is
/// never linked into the service; `skyshard loadtest` runs it. (Parsed and run here, as
/// ArgumentParser's async `main` does: from another module the synchronous `main` is chosen.)
@main
struct SkyShardLoadTest {
    static func main() async {
        do {
            var command = try LoadTestCommand.parseAsRoot()
            if let load = command as? LoadTestCommand {
                try await load.run()
            } else {
                try command.run()  // --help, --version
            }
        } catch {
            LoadTestCommand.exit(withError: error)
        }
    }
}
