import Hummingbird

/// The parameters of a DALI request: from the query string and, for POST, from an
/// `application/x-www-form-urlencoded` or `multipart/form-data` body. Names are matched
/// case-insensitively (kept upper-cased); when a name repeats, the first value counts, except
/// for UPLOAD, every value of which counts (TAP 1.1 lets it repeat).
struct DALIParameters: Sendable {
    private(set) var values: [String: String] = [:]
    /// Every UPLOAD value, in the order given.
    private(set) var uploads: [String] = []
    /// The file parts of a multipart body (uploaded tables), by upper-cased part name.
    private(set) var files: [String: [UInt8]] = [:]

    subscript(name: String) -> String? { values[name.uppercased()] }

    mutating func add(name: String, value: String) {
        let key = name.uppercased()
        if key == "UPLOAD" { uploads.append(value) }
        if values[key] == nil { values[key] = value }
    }

    /// Adds `a=1&b=2` pairs (`+` is a space, `%XX` a byte; malformed escapes are kept as text).
    mutating func addURLEncoded(_ bytes: some Collection<UInt8>) {
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let eq = pair.firstIndex(of: UInt8(ascii: "="))
            let name = Self.percentDecode(eq.map { pair[pair.startIndex..<$0] } ?? pair[...])
            let value = eq.map { Self.percentDecode(pair[pair.index(after: $0)...]) } ?? ""
            if !name.isEmpty { add(name: name, value: value) }
        }
    }

    static func percentDecode(_ bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if b == UInt8(ascii: "%") {
                let h1 = bytes.index(after: i)
                if h1 != bytes.endIndex, let hi = hexValue(bytes[h1]) {
                    let h2 = bytes.index(after: h1)
                    if h2 != bytes.endIndex, let lo = hexValue(bytes[h2]) {
                        out.append(hi << 4 | lo)
                        i = bytes.index(after: h2)
                        continue
                    }
                }
                out.append(b)
            } else {
                out.append(b)
            }
            i = bytes.index(after: i)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    enum MultipartError: Error, Equatable {
        case noBoundary
        case malformed(String)
    }

    /// Adds a file part of a `multipart/form-data` body (an uploaded table), by its part name.
    /// When a name repeats, the first part counts.
    mutating func addFile(name: String, bytes: [UInt8]) {
        let key = name.uppercased()
        if files[key] == nil { files[key] = bytes }
    }

    /// The content of the part that `param:name` names: a file part, else a plain field of that
    /// name (a client may send a small table as a field), else nil.
    func part(_ name: String) -> [UInt8]? {
        files[name.uppercased()] ?? self[name].map { Array($0.utf8) }
    }

    /// Adds the fields and files of a whole `multipart/form-data` body (RFC 7578) at once.
    mutating func addMultipart(_ body: [UInt8], contentType: String) throws(MultipartError) {
        var reader = try MultipartFormReader(contentType: contentType)
        try reader.consume(ByteBuffer(bytes: body))
        try reader.finish(into: &self)
    }

    static func boundary(in contentType: String) -> String? {
        let attributes = headerAttributes(contentType)
        guard let b = attributes["boundary"], !b.isEmpty else { return nil }
        return b
    }

    /// `form-data; name="a"; filename="b"` → ["name": "a", "filename": "b"] (names lower-cased).
    static func headerAttributes(_ value: String) -> [String: String] {
        var result: [String: String] = [:]
        var rest = Substring(value)
        while !rest.isEmpty {
            // One `;`-separated item; a quoted value may contain `;`.
            var item = ""
            var inQuotes = false
            var escaped = false
            while let c = rest.first {
                rest.removeFirst()
                if escaped { item.append(c); escaped = false; continue }
                if inQuotes && c == "\\" { escaped = true; continue }
                if c == "\"" { inQuotes.toggle(); continue }
                if c == ";" && !inQuotes { break }
                item.append(c)
            }
            if let eq = item.firstIndex(of: "=") {
                let key = item[..<eq].trimmingCharacters(in: " ").lowercased()
                result[key] = String(item[item.index(after: eq)...]).trimmingCharacters(in: " ")
            }
        }
        return result
    }
}

extension StringProtocol {
    func trimmingCharacters(in c: Character) -> String {
        var s = self[...]
        while s.first == c || s.first == "\t" { s.removeFirst() }
        while s.last == c || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}
