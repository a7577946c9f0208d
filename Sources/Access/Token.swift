import Crypto

/// A bearer token as SkyShard issues it: `sks_<id>_<secret>`.
///
/// - `id`: 12 lower-case hex digits (48 random bits). Not secret: it names the token in the
///   token file, in `skyshard token list` and in the log, and lets the authenticator find the
///   one entry to check instead of hashing against every entry.
/// - `secret`: 64 lower-case hex digits (256 random bits from swift-crypto's secure random
///   source). Only a salted hash of the whole token is stored.
///
/// 256 random bits cannot be guessed or brute-forced from a stolen hash, so one round of
/// salted SHA-256 is enough; a slow password hash buys nothing for tokens like these.
public struct BearerToken: Sendable, Hashable {
    public static let prefix = "sks_"
    static let idHexDigits = 12
    static let secretHexDigits = 64

    public let id: String
    /// The whole token, as the client sends it. Never log it.
    public let text: String

    /// A new token with a fresh id and secret.
    public static func generate() -> BearerToken {
        let id = Hex.encode(SecureRandom.bytes(idHexDigits / 2))
        let secret = Hex.encode(SecureRandom.bytes(secretHexDigits / 2))
        return BearerToken(id: id, text: prefix + id + "_" + secret)
    }

    /// Parses a token a client presented; nil when it does not have SkyShard's shape (the
    /// caller then answers `invalid_token`, as for a wrong one).
    public init?(parsing text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        let p = Array(Self.prefix.utf8)
        guard utf8.count == p.count + Self.idHexDigits + 1 + Self.secretHexDigits,
            utf8.starts(with: p), utf8[p.count + Self.idHexDigits] == UInt8(ascii: "_")
        else { return nil }
        let idBytes = utf8[p.count..<(p.count + Self.idHexDigits)]
        let secretBytes = utf8[(p.count + Self.idHexDigits + 1)...]
        guard idBytes.allSatisfy(Hex.isLowerHexDigit), secretBytes.allSatisfy(Hex.isLowerHexDigit) else { return nil }
        self.id = String(decoding: idBytes, as: UTF8.self)
        self.text = String(text)
    }

    private init(id: String, text: String) {
        self.id = id
        self.text = text
    }
}

/// Salted SHA-256 of a token, and the constant-time comparison of digests.
public enum TokenHash {
    public static let saltBytes = 16

    public static func newSalt() -> [UInt8] { SecureRandom.bytes(saltBytes) }

    /// SHA-256 of `salt` followed by the token's UTF-8 bytes.
    public static func digest(of token: String, salt: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: salt)
        hasher.update(data: Array(token.utf8))
        return Array(hasher.finalize())
    }

    /// Whether `a` and `b` are equal, taking the same time whatever bytes differ (only the
    /// lengths, which are public, may end it early).
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}

/// Random bytes from swift-crypto's cryptographically secure source (a new symmetric key's
/// bytes come from the operating system's CSPRNG).
enum SecureRandom {
    static func bytes(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            let key = SymmetricKey(size: .bits256)
            key.withUnsafeBytes { out.append(contentsOf: $0.prefix(count - out.count)) }
        }
        return out
    }
}

enum Hex {
    static let digits = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of an even-length lower- or upper-case hex string; nil for anything else.
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = value(utf8[i]), let lo = value(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    static func isLowerHexDigit(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f"))
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
