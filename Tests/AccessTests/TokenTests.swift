import Access
import Foundation
import TestSupport
import Testing

/// One scratch folder for the process; each test takes a fresh sub-folder of it.
private let scratchRoot = ScratchDirectory.make(prefix: "skyshard-access-")

private func freshTokenPath() throws -> String {
    let folder = scratchRoot.appendingPathComponent(UUID().uuidString, isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.appendingPathComponent("tokens").path
}

private func mode(of path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return try #require((attributes[.posixPermissions] as? NSNumber)?.intValue)
}

@Suite struct TokenShapeTests {
    @Test func generatedTokensAreLongRandomAndParse() throws {
        let a = BearerToken.generate()
        let b = BearerToken.generate()
        #expect(a.text.count >= 32)
        #expect(a.text.hasPrefix("sks_"))
        #expect(a != b)
        #expect(a.id != b.id)
        let parsed = try #require(BearerToken(parsing: a.text))
        #expect(parsed.id == a.id)
        #expect(parsed.text == a.text)
    }

    @Test(arguments: [
        "", "sks_", "abc", "Bearer x",
        "sks_0123456789ab_" + String(repeating: "0", count: 63),  // secret one short
        "sks_0123456789ab-" + String(repeating: "0", count: 64),  // wrong separator
        "sks_0123456789AB_" + String(repeating: "0", count: 64),  // upper case
        "xyz_0123456789ab_" + String(repeating: "0", count: 64),  // wrong prefix
    ])
    func malformedTokensDoNotParse(text: String) {
        #expect(BearerToken(parsing: text) == nil)
    }

    @Test func constantTimeEqual() {
        #expect(TokenHash.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!TokenHash.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!TokenHash.constantTimeEqual([1, 2, 3], [1, 2]))
        let salt = TokenHash.newSalt()
        #expect(TokenHash.digest(of: "x", salt: salt) == TokenHash.digest(of: "x", salt: salt))
        #expect(TokenHash.digest(of: "x", salt: salt) != TokenHash.digest(of: "x", salt: TokenHash.newSalt()))
    }
}

@Suite struct TokenFileTests {
    @Test func addStoresOnlyASaltedHashWithMode0600() throws {
        let path = try freshTokenPath()
        let (token, record) = try TokenFile.addToken(for: "alice", in: path)
        #expect(try mode(of: path) == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains(token.text))
        #expect(!text.contains(String(token.text.suffix(64))))  // not even the secret part
        #expect(text.hasPrefix("skyshard-tokens 1\n"))
        let records = try TokenFile.read(path)
        #expect(records == [record])
        #expect(record.user == "alice")
        #expect(record.hash == TokenHash.digest(of: token.text, salt: record.salt))
        // A second token for the same user, and one for another: all kept, mode still 0600.
        _ = try TokenFile.addToken(for: "alice", in: path)
        _ = try TokenFile.addToken(for: "bob", in: path)
        #expect(try TokenFile.read(path).map(\.user) == ["alice", "alice", "bob"])
        #expect(try mode(of: path) == 0o600)
        // No temporary file is left behind.
        let folder = (path as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["tokens", "tokens.lock"])
    }

    @Test func removeDropsEveryTokenOfTheUserAndFailsWhenThereIsNone() throws {
        let path = try freshTokenPath()
        _ = try TokenFile.addToken(for: "alice", in: path)
        _ = try TokenFile.addToken(for: "alice", in: path)
        _ = try TokenFile.addToken(for: "bob", in: path)
        let removed = try TokenFile.removeTokens(of: "alice", in: path)
        #expect(removed.count == 2)
        #expect(try TokenFile.read(path).map(\.user) == ["bob"])
        #expect(throws: AccessError.self) { try TokenFile.removeTokens(of: "alice", in: path) }
        #expect(throws: AccessError.self) { try TokenFile.removeTokens(of: "carol", in: path) }
    }

    @Test(arguments: ["", "has space", "tab\there", "new\nline", String(repeating: "a", count: 65), "ünï"])
    func invalidUserNamesAreRefused(name: String) throws {
        let path = try freshTokenPath()
        #expect(throws: AccessError.self) { try TokenFile.addToken(for: name, in: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func parseNamesTheBadLine() throws {
        let good = TokenFile.render([
            TokenRecord(id: "0123456789ab", user: "a", created: Date(timeIntervalSince1970: 1e9), salt: [1, 2], hash: Array(repeating: 7, count: 32))
        ])
        #expect(try TokenFile.parse(good).count == 1)
        do {
            _ = try TokenFile.parse(good + "0123456789ab\tb\tnot-a-date\t01\t02\n")
            Issue.record("a bad line should be refused")
        } catch let error as AccessError {
            #expect(error.message.contains("line 4"))
        }
        #expect(throws: AccessError.self) { try TokenFile.parse("something else\n") }
    }
}

@Suite struct AuthenticatorTests {
    @Test func validWrongMalformedAndMissingHeaders() throws {
        let path = try freshTokenPath()
        let (token, _) = try TokenFile.addToken(for: "alice", in: path)
        let auth = Authenticator(path: path)
        #expect(auth.authenticate(authorization: nil) == .none)
        #expect(auth.authenticate(authorization: "Bearer \(token.text)") == .user("alice"))
        #expect(auth.authenticate(authorization: "bearer   \(token.text)") == .user("alice"))
        // The right id with a wrong secret, an unknown id, a token of the wrong shape.
        var wrongSecret = Array(token.text)
        wrongSecret[wrongSecret.count - 1] = wrongSecret.last == "0" ? "1" : "0"
        #expect(auth.authenticate(authorization: "Bearer \(String(wrongSecret))") == .invalidToken)
        #expect(auth.authenticate(authorization: "Bearer \(BearerToken.generate().text)") == .invalidToken)
        #expect(auth.authenticate(authorization: "Bearer not-a-skyshard-token") == .invalidToken)
        // Not `Bearer <token68>`.
        for header in ["Basic YWxpY2U6cHc=", "Bearer", "Bearer ", "Bearer a b", token.text, "Bearer\(token.text)"] {
            #expect(auth.authenticate(authorization: header) == .malformed, "\(header.prefix(12))")
        }
    }

    @Test func changesOfTheFileCountFromTheNextCall() throws {
        let path = try freshTokenPath()
        let auth = Authenticator(path: path)
        let early = BearerToken.generate()
        // No file yet: no token is valid, and that is not an error.
        #expect(auth.authenticate(authorization: "Bearer \(early.text)") == .invalidToken)
        #expect(auth.loadError == nil)
        let (alice, _) = try TokenFile.addToken(for: "alice", in: path)
        #expect(auth.authenticate(authorization: "Bearer \(alice.text)") == .user("alice"))
        let (bob, _) = try TokenFile.addToken(for: "bob", in: path)
        #expect(auth.authenticate(authorization: "Bearer \(bob.text)") == .user("bob"))
        try TokenFile.removeTokens(of: "alice", in: path)
        #expect(auth.authenticate(authorization: "Bearer \(alice.text)") == .invalidToken)
        #expect(auth.authenticate(authorization: "Bearer \(bob.text)") == .user("bob"))
        // An edit in place (same inode, new size) is noticed too.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try (text + "# a comment\n").write(toFile: path, atomically: false, encoding: .utf8)
        #expect(auth.authenticate(authorization: "Bearer \(bob.text)") == .user("bob"))
        // A broken file refuses every token (fails closed) and says why.
        try "garbage\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(auth.authenticate(authorization: "Bearer \(bob.text)") == .invalidToken)
        #expect(auth.loadError?.contains("skyshard-tokens 1") == true)
    }
}
