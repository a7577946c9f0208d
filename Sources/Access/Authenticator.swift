import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who a request speaks for, judged from its `Authorization` header against the token file.
///
/// The file is re-read whenever it changed (its device, inode, size or modification time
/// differ from the last read; `TokenFile.write` always makes a new inode), checked on every
/// call: a token added or removed with `skyshard token` counts from the next request, with no
/// restart, no timer and no delay.
///
/// Checking a token costs the same whether its id is unknown or its secret is wrong: an
/// unknown id is hashed against a dummy entry, and digests are compared in constant time.
public final class Authenticator: Sendable {
    /// The outcome of checking one request's `Authorization` header.
    public enum Outcome: Sendable, Equatable {
        /// No `Authorization` header.
        case none
        /// A valid token of this user.
        case user(String)
        /// A header that is not `Bearer <token>`.
        case malformed
        /// A bearer token that is not (or no longer) valid, or the token file cannot be read.
        case invalidToken
    }

    public let path: String
    private let state = Mutex(State())
    /// Hashed against when the presented id is unknown, so that the time taken does not tell
    /// which part of the token was wrong.
    private let dummy: TokenRecord

    private struct State {
        var stamp: FileStamp?
        var byID: [String: TokenRecord] = [:]
        /// Why the file could not be loaded; every token is refused meanwhile.
        var loadError: String?
    }

    /// An authenticator over the token file at `path` (which need not exist yet: then no
    /// token is valid).
    public init(path: String) {
        self.path = path
        let salt = TokenHash.newSalt()
        self.dummy = TokenRecord(
            id: "", user: "", created: .init(timeIntervalSince1970: 0), salt: salt,
            hash: TokenHash.digest(of: BearerToken.generate().text, salt: salt))
    }

    /// Why the token file could not be loaded at the last check, if it could not.
    public var loadError: String? {
        refresh()
        return state.withLock { $0.loadError }
    }

    /// Checks an `Authorization` header value (nil: the request has none).
    public func authenticate(authorization: String?) -> Outcome {
        guard let authorization else { return .none }
        guard let presented = Self.bearerCredential(authorization) else { return .malformed }
        refresh()
        let parsed = BearerToken(parsing: presented)
        let record = state.withLock { s -> TokenRecord? in
            guard s.loadError == nil, let parsed else { return nil }
            return s.byID[parsed.id]
        }
        let candidate = record ?? dummy
        let digest = TokenHash.digest(of: String(presented), salt: candidate.salt)
        let matches = TokenHash.constantTimeEqual(digest, candidate.hash)
        guard let record, matches else { return .invalidToken }
        return .user(record.user)
    }

    /// The credential of `Bearer <credential>` (RFC 6750 section 2.1: the scheme is
    /// case-insensitive, one or more spaces follow it, the credential is one token68); nil
    /// for any other form.
    static func bearerCredential(_ header: String) -> Substring? {
        let scheme = "bearer"
        guard header.utf8.count > scheme.utf8.count, header.prefix(scheme.count).lowercased() == scheme else {
            return nil
        }
        var rest = header.dropFirst(scheme.count)
        guard rest.first == " " else { return nil }
        while rest.first == " " { rest = rest.dropFirst() }
        while rest.last == " " { rest = rest.dropLast() }
        guard !rest.isEmpty, rest.utf8.allSatisfy(token68.contains) else { return nil }
        return rest
    }

    /// The characters of RFC 7235's token68.
    private static let token68 = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+/=".utf8)

    /// Re-reads the file if it changed since the last read.
    private func refresh() {
        let stamp = FileStamp(path: path)
        let unchanged = state.withLock { $0.stamp == stamp && $0.stamp != nil }
        if unchanged { return }
        // Read outside the lock; if two requests race here both read, and the last one stores.
        var byID: [String: TokenRecord] = [:]
        var loadError: String?
        if stamp?.isMissing ?? false {
            // No file: no tokens, which is not an error (tokens may not have been issued yet).
        } else {
            do {
                for record in try TokenFile.read(path) { byID[record.id] = record }
            } catch let error as AccessError {
                loadError = error.message
            } catch {
                loadError = "\(error)"
            }
        }
        state.withLock { s in
            s.stamp = stamp
            s.byID = byID
            s.loadError = loadError
        }
    }
}

/// What identifies one version of a file: a rename puts a new inode in place, an edit in
/// place changes the size or modification time.
struct FileStamp: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modifiedSeconds: Int
    var modifiedNanoseconds: Int
    var isMissing: Bool

    /// The stamp of the file at `path`; a "missing" stamp when it does not exist; nil when it
    /// cannot be examined (then it is read again each time).
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            guard errno == ENOENT else { return nil }
            self.device = 0
            self.inode = 0
            self.size = -1
            self.modifiedSeconds = 0
            self.modifiedNanoseconds = 0
            self.isMissing = true
            return
        }
        self.device = UInt64(info.st_dev)
        self.inode = UInt64(info.st_ino)
        self.size = Int64(info.st_size)
        #if canImport(Darwin)
        self.modifiedSeconds = Int(info.st_mtimespec.tv_sec)
        self.modifiedNanoseconds = Int(info.st_mtimespec.tv_nsec)
        #else
        self.modifiedSeconds = Int(info.st_mtim.tv_sec)
        self.modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
        #endif
        self.isMissing = false
    }
}
