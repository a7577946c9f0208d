#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// POSIX `write` (inside `TokenFile` the name is its own method's).
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }

/// One issued token as the token file keeps it: never the token, only its salted hash.
public struct TokenRecord: Sendable, Hashable {
    /// The token's id (the `<id>` of `sks_<id>_<secret>`); not secret.
    public var id: String
    /// The user the token speaks for.
    public var user: String
    public var created: Date
    public var salt: [UInt8]
    /// SHA-256 of salt + token (`TokenHash.digest`).
    public var hash: [UInt8]

    public init(id: String, user: String, created: Date, salt: [UInt8], hash: [UInt8]) {
        self.id = id
        self.user = user
        self.created = created
        self.salt = salt
        self.hash = hash
    }
}

/// What went wrong with the token file or a token command; the message is for a person and
/// never holds a token.
public struct AccessError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The token file: the users who may call the service, each with the salted hashes of their
/// tokens. A text file, mode 0600, written whole to a temporary file and renamed into place:
///
/// ```
/// skyshard-tokens 1
/// # id<TAB>user<TAB>created (ISO 8601, UTC)<TAB>salt (hex)<TAB>SHA-256 of salt + token (hex)
/// 3f9a0c11d2e4	alice	2026-12-06T10:00:00Z	6c1d…	a94f…
/// ```
///
/// The first line names the format and its version; lines starting with `#` and blank lines
/// are ignored; every other line is one token. A user may hold several tokens.
public enum TokenFile {
    static let header = "skyshard-tokens 1"

    /// The text of a token file holding `records`.
    public static func render(_ records: [TokenRecord]) -> String {
        var out = header + "\n"
        out += "# id\tuser\tcreated\tsalt\tsha256(salt + token)\n"
        for r in records {
            out += [r.id, r.user, timestamp(r.created), Hex.encode(r.salt), Hex.encode(r.hash)].joined(separator: "\t")
            out += "\n"
        }
        return out
    }

    /// The records of a token file's text; throws `AccessError` naming the line that is wrong.
    public static func parse(_ text: String) throws -> [TokenRecord] {
        var records: [TokenRecord] = []
        var sawHeader = false
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.isEmpty || line.hasPrefix("#") { continue }
            if !sawHeader {
                guard line == header else {
                    throw AccessError("line \(index + 1): a token file starts with \"\(header)\"")
                }
                sawHeader = true
                continue
            }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 5 else {
                throw AccessError("line \(index + 1): expected 5 tab-separated fields, found \(fields.count)")
            }
            guard let created = parseTimestamp(String(fields[2])) else {
                throw AccessError("line \(index + 1): the creation time is not an ISO 8601 timestamp")
            }
            guard let salt = Hex.decode(fields[3]), let hash = Hex.decode(fields[4]), hash.count == 32 else {
                throw AccessError("line \(index + 1): the salt and hash must be hex (the hash 32 bytes)")
            }
            let user = String(fields[1])
            guard isValidUserName(user) else { throw AccessError("line \(index + 1): invalid user name") }
            records.append(TokenRecord(id: String(fields[0]), user: user, created: created, salt: salt, hash: hash))
        }
        guard sawHeader || records.isEmpty else { throw AccessError("the token file has no header") }
        return records
    }

    /// The records in the file at `path`; none when it does not exist.
    public static func read(_ path: String) throws -> [TokenRecord] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw AccessError("the token file \(path) cannot be read: \(error)")
        }
        do {
            return try parse(String(decoding: data, as: UTF8.self))
        } catch let error as AccessError {
            throw AccessError("the token file \(path) is not valid: \(error.message)")
        }
    }

    /// Writes `records` to `path`: to a new temporary file of mode 0600 in the same folder,
    /// flushed, then renamed over `path` (so a reader sees the old file or the new one, never
    /// a torn one, and the new file has a new inode for the authenticator to notice).
    public static func write(_ records: [TokenRecord], to path: String) throws {
        let temporary = path + ".tmp-" + Hex.encode(SecureRandom.bytes(6))
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AccessError("cannot create \(temporary): \(errnoText())") }
        var failure: AccessError?
        // The umask may only remove bits; fchmod makes it exactly 0600 whatever it is.
        if fchmod(fd, 0o600) != 0 { failure = AccessError("cannot set the mode of \(temporary): \(errnoText())") }
        let bytes = Array(render(records).utf8)
        var written = 0
        while failure == nil && written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { posixWrite(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                failure = AccessError("cannot write \(temporary): \(errnoText())")
            } else {
                written += n
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = AccessError("cannot flush \(temporary): \(errnoText())") }
        close(fd)
        if failure == nil && rename(temporary, path) != 0 {
            failure = AccessError("cannot rename \(temporary) to \(path): \(errnoText())")
        }
        if let failure {
            unlink(temporary)
            throw failure
        }
        // The rename is durable once the folder is flushed.
        let folder = open(directory(of: path), O_RDONLY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }

    /// Runs `change` on the file's records under an exclusive lock (`flock` on `<path>.lock`),
    /// and writes the result when it returns records: two `skyshard token` commands at once
    /// do not lose each other's change.
    public static func update<T>(_ path: String, _ change: (inout [TokenRecord]) throws -> T) throws -> T {
        let lockPath = path + ".lock"
        let lock = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw AccessError("cannot open the lock file \(lockPath): \(errnoText())") }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else { throw AccessError("cannot lock \(lockPath): \(errnoText())") }
        }
        var records = try read(path)
        let before = records
        let result = try change(&records)
        if records != before || !FileManager.default.fileExists(atPath: path) { try write(records, to: path) }
        return result
    }

    // MARK: The token commands

    /// Issues a new token for `user`, stores its hash and returns the token (the only time it
    /// is ever seen).
    public static func addToken(for user: String, in path: String, now: Date = Date()) throws -> (
        token: BearerToken, record: TokenRecord
    ) {
        guard isValidUserName(user) else { throw AccessError(userNameRule(user)) }
        return try update(path) { records in
            var token = BearerToken.generate()
            while records.contains(where: { $0.id == token.id }) { token = BearerToken.generate() }
            let salt = TokenHash.newSalt()
            // Whole seconds: what the file's timestamps keep.
            let created = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
            let record = TokenRecord(
                id: token.id, user: user, created: created, salt: salt, hash: TokenHash.digest(of: token.text, salt: salt))
            records.append(record)
            return (token, record)
        }
    }

    /// Removes every token of `user`; returns the removed records. Throws when the user has
    /// none.
    @discardableResult
    public static func removeTokens(of user: String, in path: String) throws -> [TokenRecord] {
        try update(path) { records in
            let removed = records.filter { $0.user == user }
            guard !removed.isEmpty else { throw AccessError("the token file \(path) holds no token of user \(user)") }
            records.removeAll { $0.user == user }
            return removed
        }
    }

    // MARK: Names and times

    /// A user name: 1 to 64 characters of letters, digits and `. _ @ -`, so that it is safe
    /// in the file's format, in log lines and in job documents.
    public static func isValidUserName(_ name: String) -> Bool {
        guard (1...64).contains(name.utf8.count) else { return false }
        return name.utf8.allSatisfy { c in
            (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: ".")
                || c == UInt8(ascii: "_") || c == UInt8(ascii: "@") || c == UInt8(ascii: "-")
        }
    }

    static func userNameRule(_ name: String) -> String {
        "invalid user name \"\(name)\": use 1 to 64 letters, digits, '.', '_', '@' or '-'"
    }

    public static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    static func parseTimestamp(_ text: String) -> Date? {
        try? Date(text, strategy: .iso8601)
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
