/// The parameters of a DALI request: from the query string and, for POST, from an
/// `application/x-www-form-urlencoded` or `multipart/form-data` body. Names are matched
/// case-insensitively (kept upper-cased); when a name repeats, the first value counts.
struct DALIParameters: Sendable {
    private(set) var values: [String: String] = [:]
    /// Names of multipart parts that carried a file (an upload).
    private(set) var fileParts: [String] = []

    subscript(name: String) -> String? { values[name.uppercased()] }

    mutating func add(name: String, value: String) {
        let key = name.uppercased()
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

    /// Adds the fields of a `multipart/form-data` body (RFC 7578). A part with a `filename`
    /// is recorded in `fileParts` and not added as a parameter.
    mutating func addMultipart(_ body: [UInt8], contentType: String) throws(MultipartError) {
        guard let boundary = Self.boundary(in: contentType) else { throw .noBoundary }
        let delimiter = Array("--\(boundary)".utf8)
        guard var pos = Self.find(delimiter, in: body, from: 0) else { throw .malformed("no boundary line in the body") }
        pos += delimiter.count
        while true {
            // After a delimiter: "--" ends the body; otherwise the rest of the line, then a part.
            if pos + 1 < body.count, body[pos] == UInt8(ascii: "-"), body[pos + 1] == UInt8(ascii: "-") { return }
            guard let lineEnd = Self.find([0x0D, 0x0A], in: body, from: pos) else {
                throw .malformed("a boundary line is not terminated")
            }
            let partStart = lineEnd + 2
            guard
                let headerEnd = Self.find([0x0D, 0x0A, 0x0D, 0x0A], in: body, from: partStart)
                    ?? (body[partStart...].starts(with: [0x0D, 0x0A]) ? partStart - 2 : nil)
            else { throw .malformed("a part has no end of headers") }
            let headerText = String(decoding: body[partStart..<max(partStart, headerEnd)], as: UTF8.self)
            let contentStart = headerEnd + 4
            guard let next = Self.find([0x0D, 0x0A] + delimiter, in: body, from: max(contentStart - 2, partStart)) else {
                throw .malformed("a part is not closed by the boundary")
            }
            let content = contentStart <= next ? body[contentStart..<next] : []
            var name: String?
            var isFile = false
            for line in headerText.split(separator: "\r\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let key = line[..<colon].trimmingCharacters(in: " ").lowercased()
                guard key == "content-disposition" else { continue }
                let attributes = Self.headerAttributes(String(line[line.index(after: colon)...]))
                name = attributes["name"]
                isFile = attributes["filename"] != nil
            }
            if let name {
                if isFile {
                    fileParts.append(name)
                } else {
                    add(name: name, value: String(decoding: content, as: UTF8.self))
                }
            }
            pos = next + 2 + delimiter.count
        }
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

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var i = start
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var k = 1
                while k < needle.count && haystack[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
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
