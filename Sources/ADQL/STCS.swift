// STC-S region strings, the argument of ADQL's REGION (the subset TAP 1.1 / DALI use for
// regions on the celestial sphere):
//
//   region     = shape | compound
//   shape      = ("Position" | "Circle" | "Box" | "Polygon") [frame] [refpos] [flavor] numbers
//   compound   = ("Union" | "Intersection") [frame] [refpos] [flavor] "(" region region {region} ")"
//              | "Not" [frame] [refpos] [flavor] "(" region ")"
//
// Position takes 2 numbers (lon lat), Circle 3 (lon lat radius), Box 4 (centre lon, centre lat,
// width, height), Polygon an even number of at least 6 (the vertices). Angles are in degrees.
// Words are case-insensitive. The frame may be ICRS or UNKNOWNFRAME (treated as ICRS); another
// frame is an error, since SkyShard converts no coordinates. SPHERICAL2 is the only flavor.

/// A region parsed from an STC-S string.
public indirect enum STCSRegion: Sendable, Hashable {
    case position(lon: Double, lat: Double)
    case circle(lon: Double, lat: Double, radius: Double)
    case box(lon: Double, lat: Double, width: Double, height: Double)
    /// Vertices as (lon1, lat1, lon2, lat2, ...).
    case polygon([Double])
    case union([STCSRegion])
    case intersection([STCSRegion])
    case not(STCSRegion)

    /// Whether this is one of the four simple shapes (not a Union, Intersection or Not).
    public var isSimple: Bool {
        switch self {
        case .position, .circle, .box, .polygon: true
        case .union, .intersection, .not: false
        }
    }

    /// The STC-S word of the region's kind.
    public var word: String {
        switch self {
        case .position: "Position"
        case .circle: "Circle"
        case .box: "Box"
        case .polygon: "Polygon"
        case .union: "Union"
        case .intersection: "Intersection"
        case .not: "Not"
        }
    }

    /// The flat numbers of a simple shape (empty for compound regions).
    public var numbers: [Double] {
        switch self {
        case .position(let a, let b): [a, b]
        case .circle(let a, let b, let r): [a, b, r]
        case .box(let a, let b, let w, let h): [a, b, w, h]
        case .polygon(let v): v
        case .union, .intersection, .not: []
        }
    }
}

extension STCSRegion {
    /// Parses an STC-S region string (see the file comment).
    public static func parse(_ text: String) throws(ADQLError) -> STCSRegion {
        var parser = STCSParser(text)
        let region = try parser.region()
        if let token = parser.peek() {
            throw ADQLError.region(at: token.position, "expected the end of the region, found \"\(token.text)\"")
        }
        return region
    }
}

private struct STCSParser {
    struct Token {
        var text: String
        /// 1-based character position.
        var position: Int
    }

    let tokens: [Token]
    var index = 0
    let endPosition: Int

    init(_ text: String) {
        var tokens: [Token] = []
        var current = ""
        var start = 0
        var position = 0
        func flush() {
            if !current.isEmpty { tokens.append(Token(text: current, position: start)) }
            current = ""
        }
        for c in text {
            position += 1
            if c == "(" || c == ")" {
                flush()
                tokens.append(Token(text: String(c), position: position))
            } else if c.isWhitespace {
                flush()
            } else {
                if current.isEmpty { start = position }
                current.append(c)
            }
        }
        flush()
        self.tokens = tokens
        endPosition = position + 1
    }

    func peek() -> Token? { index < tokens.count ? tokens[index] : nil }

    mutating func next() -> Token? {
        defer { index += 1 }
        return peek()
    }

    func failure(_ expected: String) -> ADQLError {
        guard let token = peek() else {
            return ADQLError.region(at: endPosition, "expected \(expected), found the end of the string")
        }
        return ADQLError.region(at: token.position, "expected \(expected), found \"\(token.text)\"")
    }

    static let shapes = ["position", "circle", "box", "polygon", "union", "intersection", "not"]
    static let acceptedFrames: Set<String> = ["icrs", "unknownframe"]
    static let otherFrames: Set<String> = [
        "fk4", "fk5", "ecliptic", "galactic", "galactic_i", "galactic_ii", "supergalactic", "geo_c",
        "geo_d", "mag", "gse", "gsm", "sm", "hgc", "hgs", "heeq", "hrtn", "hpc", "hpr", "hcc", "hgi",
        "merc_c", "venus_c", "luna_c", "mars_c", "jupiter_c_iii", "saturn_c_iii", "uranus_c_iii",
        "neptune_c_iii", "pluto_c", "merc_g", "venus_g", "luna_g", "mars_g", "jupiter_g_iii",
        "saturn_g_iii", "uranus_g_iii", "neptune_g_iii", "pluto_g",
    ]
    static let referencePositions: Set<String> = [
        "geocenter", "barycenter", "heliocenter", "topocenter", "galactic_center", "embarycenter",
        "moon", "mercury", "venus", "mars", "jupiter", "saturn", "uranus", "neptune", "pluto",
        "lsrk", "lsrd", "unknownrefpos",
    ]

    mutating func region() throws(ADQLError) -> STCSRegion {
        guard let word = peek(), Self.shapes.contains(word.text.lowercased()) else {
            throw failure("Position, Circle, Box, Polygon, Union, Intersection or Not")
        }
        index += 1
        try frameAndFlavor()
        switch word.text.lowercased() {
        case "position":
            let v = try numbers(exactly: 2, after: word)
            return .position(lon: v[0], lat: try latitude(v[1], word))
        case "circle":
            let v = try numbers(exactly: 3, after: word)
            guard v[2] >= 0 else {
                throw ADQLError.region(at: word.position, "the radius of a Circle must not be negative")
            }
            return .circle(lon: v[0], lat: try latitude(v[1], word), radius: v[2])
        case "box":
            let v = try numbers(exactly: 4, after: word)
            guard v[2] >= 0, v[3] >= 0 else {
                throw ADQLError.region(at: word.position, "the width and height of a Box must not be negative")
            }
            return .box(lon: v[0], lat: try latitude(v[1], word), width: v[2], height: v[3])
        case "polygon":
            let v = numberList()
            guard v.count >= 6, v.count % 2 == 0 else {
                throw ADQLError.region(
                    at: word.position,
                    "a Polygon needs at least 3 vertices (an even number of at least 6 numbers), found \(v.count) number(s)")
            }
            for i in stride(from: 1, to: v.count, by: 2) { _ = try latitude(v[i], word) }
            return .polygon(v)
        default:
            guard peek()?.text == "(" else { throw failure("\"(\" after \(word.text)") }
            index += 1
            var members: [STCSRegion] = []
            while let t = peek(), t.text != ")" { members.append(try region()) }
            guard peek()?.text == ")" else { throw failure("a region or \")\"") }
            index += 1
            if word.text.lowercased() == "not" {
                guard members.count == 1 else {
                    throw ADQLError.region(at: word.position, "Not takes exactly one region, found \(members.count)")
                }
                return .not(members[0])
            }
            guard members.count >= 2 else {
                throw ADQLError.region(at: word.position, "\(word.text) needs at least two regions, found \(members.count)")
            }
            return word.text.lowercased() == "union" ? .union(members) : .intersection(members)
        }
    }

    /// Skips an optional frame, reference position and flavor; refuses frames SkyShard cannot
    /// take as ICRS.
    mutating func frameAndFlavor() throws(ADQLError) {
        if let t = peek() {
            let w = t.text.lowercased()
            if Self.acceptedFrames.contains(w) {
                index += 1
            } else if Self.otherFrames.contains(w) {
                throw ADQLError.region(
                    at: t.position,
                    "frame \(t.text) is not supported: SkyShard converts no coordinates; use ICRS (or UNKNOWNFRAME, taken as ICRS)"
                )
            }
        }
        if let t = peek(), Self.referencePositions.contains(t.text.lowercased()) { index += 1 }
        if let t = peek() {
            switch t.text.lowercased() {
            case "spherical2": index += 1
            case "cartesian1", "cartesian2", "cartesian3", "unitsphere", "spherical3":
                throw ADQLError.region(
                    at: t.position, "flavor \(t.text) is not supported; regions are on the sphere (SPHERICAL2)")
            default: break
            }
        }
    }

    mutating func number() -> Double? {
        guard let t = peek(), let v = Double(t.text), v.isFinite else { return nil }
        index += 1
        return v
    }

    mutating func numbers(exactly count: Int, after word: Token) throws(ADQLError) -> [Double] {
        var out: [Double] = []
        while out.count < count {
            guard let v = number() else {
                throw failure("\(count) numbers after \(word.text) (number \(out.count + 1) is missing)")
            }
            out.append(v)
        }
        return out
    }

    mutating func numberList() -> [Double] {
        var out: [Double] = []
        while let v = number() { out.append(v) }
        return out
    }

    func latitude(_ value: Double, _ word: Token) throws(ADQLError) -> Double {
        guard abs(value) <= 90 else {
            throw ADQLError.region(at: word.position, "latitude \(value) of the \(word.text) is outside [-90, 90]")
        }
        return value
    }
}
