import Access
import ArgumentParser
import Foundation

/// `skyshard token add|remove|list`: the bearer tokens of the token file that `serve` and
/// `demo` read with `--token-file` (docs/operations.md, "Users and tokens").
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Issue, revoke and list the bearer tokens of a token file.",
        subcommands: [TokenAddCommand.self, TokenRemoveCommand.self, TokenListCommand.self])
}

struct TokenFileOption: ParsableArguments {
    @Option(help: "The token file (created with mode 0600 if missing).")
    var tokenFile: String
}

/// The user a command is about, and the token file.
struct TokenUserArguments: ParsableArguments {
    @Argument(help: "The user (letters, digits, '.', '_', '@', '-').")
    var user: String

    @OptionGroup var file: TokenFileOption
}

struct TokenAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Issue a new token for USER; the token is printed once, as the last line of the output.")

    @OptionGroup var arguments: TokenUserArguments

    func run() throws {
        do {
            let file = arguments.file
            let (token, record) = try TokenFile.addToken(for: arguments.user, in: file.tokenFile)
            // The token last, alone on its line, so that a script can take the last line.
            let text = """
                issued token \(record.id) for user \(record.user) in \(file.tokenFile)
                only its hash is kept: copy the token now, it is not shown again
                \(token.text)

                """
            FileHandle.standardOutput.write(Data(text.utf8))
        } catch {
            fail(error)
        }
    }
}

struct TokenRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Revoke every token of USER; a running service refuses them from its next request.")

    @OptionGroup var arguments: TokenUserArguments

    func run() throws {
        do {
            let user = arguments.user
            let removed = try TokenFile.removeTokens(of: user, in: arguments.file.tokenFile)
            let ids = removed.map(\.id).joined(separator: ", ")
            print("revoked \(removed.count) token\(removed.count == 1 ? "" : "s") of user \(user): \(ids)")
        } catch {
            fail(error)
        }
    }
}

struct TokenListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the users and their token ids (never the tokens or their hashes).")

    @OptionGroup var file: TokenFileOption

    func run() throws {
        do {
            let records = try TokenFile.read(file.tokenFile)
            print("user\ttoken id\tcreated")
            for r in records.sorted(by: { ($0.user, $0.created) < ($1.user, $1.created) }) {
                print("\(r.user)\t\(r.id)\t\(TokenFile.timestamp(r.created))")
            }
        } catch {
            fail(error)
        }
    }
}
