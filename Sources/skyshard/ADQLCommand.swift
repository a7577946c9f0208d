import ADQL
import ArgumentParser
import Foundation

struct ADQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adql", abstract: "ADQL tools.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Check a query's syntax: print its canonical form (exit 0) or the error (exit 1).")

        @Argument(help: "The ADQL query (read from standard input when absent or -).")
        var query: String?

        func run() throws {
            let text = try readQuery(query)
            do {
                print(try ADQLParser.parse(text).canonicalADQL)
            } catch {
                print("error: \(error)")
                throw ExitCode(1)
            }
        }
    }
}
