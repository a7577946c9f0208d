import ArgumentParser
import Sky

/// `skyshard sky …`: the Qserv chunking scheme and sky regions from the command line
/// (also what scripts/interop/test_chunker.py drives).
struct SkyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sky",
        abstract: "Qserv sky partitioning: locate positions, list chunks of regions, overlap, bounds.",
        subcommands: [Locate.self, Chunks.self, Overlap.self, Bounds.self, Layout.self])
}

extension SkyCommand {
    struct ChunkingOptions: ParsableArguments {
        @Option(name: .customLong("stripes"), help: "Number of latitude stripes (DP0.2: 340).")
        var numStripes: Int = 340

        @Option(name: .customLong("substripes"), help: "Sub-stripes per stripe (DP0.2: 3).")
        var numSubStripes: Int = 3

        func chunker() throws -> Chunker {
            do {
                return try Chunker(validatingStripes: numStripes, subStripes: numSubStripes)
            } catch {
                throw ValidationError("\(error)")
            }
        }
    }
}

/// Splits on commas and ASCII whitespace, dropping empty fields.
private func fields(_ line: Substring) -> [Substring] {
    line.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\r" })
}

private func parseDoubles(_ parts: some Collection<Substring>, context: String) throws -> [Double] {
    try parts.map { p in
        guard let d = Double(p) else { throw ValidationError("not a number: '\(p)' in \(context)") }
        return d
    }
}

/// Parses a region: `circle lon lat r`, `box lonMin lonMax latMin latMax`,
/// `centerbox lon lat width height` (ADQL BOX), `polygon lon1 lat1 lon2 lat2 …`.
private func parseRegion(kind: Substring, _ values: [Double], context: String) throws -> SkyRegion {
    switch kind.lowercased() {
    case "circle":
        guard values.count == 3 else { throw ValidationError("circle needs lon,lat,radius: \(context)") }
        return .circle(SkyCircle(centerLon: values[0], centerLat: values[1], radius: values[2]))
    case "box":
        guard values.count == 4 else { throw ValidationError("box needs lonMin,lonMax,latMin,latMax: \(context)") }
        return .box(SkyBox(lonMin: values[0], lonMax: values[1], latMin: values[2], latMax: values[3]))
    case "centerbox":
        guard values.count == 4 else { throw ValidationError("centerbox needs lon,lat,width,height: \(context)") }
        return .box(SkyBox(centerLon: values[0], centerLat: values[1], width: values[2], height: values[3]))
    case "polygon":
        guard values.count >= 6, values.count % 2 == 0 else {
            throw ValidationError("polygon needs ≥ 3 lon,lat pairs: \(context)")
        }
        let verts = stride(from: 0, to: values.count, by: 2).map { (lon: values[$0], lat: values[$0 + 1]) }
        do {
            return .polygon(try SkyPolygon(vertices: verts))
        } catch {
            throw ValidationError("bad polygon (\(error)): \(context)")
        }
    default:
        throw ValidationError("unknown region kind '\(kind)' (circle, box, centerbox, polygon)")
    }
}

/// Buffered stdout writer (one `print` per ~64 KiB).
struct BufferedOutput {
    var buffer: [UInt8] = []
    init() { buffer.reserveCapacity(1 << 17) }
    mutating func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }
    /// Appends a decimal integer without going through String.
    mutating func write(_ n: Int) {
        if n < 0 { buffer.append(UInt8(ascii: "-")); write(-n); return }
        if n >= 10 { write(n / 10) }
        buffer.append(UInt8(ascii: "0") + UInt8(n % 10))
    }
    mutating func write(byte: UInt8) {
        buffer.append(byte)
        if byte == UInt8(ascii: "\n") && buffer.count >= 1 << 16 { flush() }
    }
    mutating func flush() {
        if !buffer.isEmpty {
            print(String(decoding: buffer, as: UTF8.self), terminator: "")
            buffer.removeAll(keepingCapacity: true)
        }
    }
}

/// Reads `lon,lat` (comma or whitespace separated; extra columns ignored) lines from stdin,
/// skipping blank lines and lines starting with '#'.
private func forEachPosition(_ body: (Double, Double) throws -> Void) throws {
    var lineNo = 0
    while let line = readLine(strippingNewline: true) {
        lineNo += 1
        let u = line.utf8
        guard let first = u.first, first != UInt8(ascii: "#") else { continue }
        func isSep(_ c: UInt8) -> Bool {
            c == UInt8(ascii: ",") || c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r")
        }
        // First two fields, without allocating arrays.
        var i = u.startIndex
        while i != u.endIndex, isSep(u[i]) { i = u.index(after: i) }
        var j = i
        while j != u.endIndex, !isSep(u[j]) { j = u.index(after: j) }
        var k = j
        while k != u.endIndex, isSep(u[k]) { k = u.index(after: k) }
        var m = k
        while m != u.endIndex, !isSep(u[m]) { m = u.index(after: m) }
        guard i != j, k != m, let lon = Double(line[i..<j]), let lat = Double(line[k..<m]) else {
            throw ValidationError("line \(lineNo): expected lon,lat but got '\(line)'")
        }
        try body(lon, lat)
    }
}

/// A `sky` subcommand that writes its answer to stdout with the chunker its options describe.
protocol ChunkerOutputCommand: ParsableCommand {
    var chunking: SkyCommand.ChunkingOptions { get }
    func write(_ chunker: Chunker, to out: inout BufferedOutput) throws
}

extension ChunkerOutputCommand {
    func run() throws {
        let chunker = try chunking.chunker()
        var out = BufferedOutput()
        try write(chunker, to: &out)
        out.flush()
    }
}

extension SkyCommand {
    struct Locate: ChunkerOutputCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read lon,lat (degrees) lines from stdin; print chunkId,subChunkId per line.")

        @OptionGroup var chunking: ChunkingOptions

        func write(_ chunker: Chunker, to out: inout BufferedOutput) throws {
            try forEachPosition { lon, lat in
                let loc = chunker.location(lon: lon, lat: lat)
                out.write(loc.chunkId)
                out.write(byte: UInt8(ascii: ","))
                out.write(loc.subChunkId)
                out.write(byte: UInt8(ascii: "\n"))
            }
        }
    }

    struct Chunks: ChunkerOutputCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the chunk ids that may intersect a region (a superset of lsst.sphgeom's).",
            discussion: """
                With --circle/--box/--center-box/--polygon: one chunk id per line.
                With no region option: read one region per stdin line ("circle lon lat r", \
                "box lonMin lonMax latMin latMax", "centerbox lon lat w h", "polygon lon1 lat1 lon2 lat2 ..."; \
                commas or spaces) and print one line per region with space-separated chunk ids \
                (or chunk:sub;sub;... tokens with --with-subchunks).
                """)

        @OptionGroup var chunking: ChunkingOptions
        @Option(help: "lon,lat,radius in degrees.") var circle: String?
        @Option(help: "lonMin,lonMax,latMin,latMax in degrees (lonMin > lonMax wraps through 0/360).") var box: String?
        @Option(name: .customLong("center-box"), help: "ADQL BOX: lon,lat,width,height in degrees.") var centerBox: String?
        @Option(help: "lon1,lat1,lon2,lat2,... (≥ 3 vertices, convex, either winding).") var polygon: String?
        @Flag(name: .customLong("with-subchunks"), help: "Also list the sub-chunks of each chunk.") var withSubChunks = false

        func validate() throws {
            let given = [circle, box, centerBox, polygon].compactMap { $0 }.count
            if given > 1 { throw ValidationError("give at most one of --circle, --box, --center-box, --polygon") }
        }

        func write(_ chunker: Chunker, to out: inout BufferedOutput) throws {
            let single: (String, String)? =
                circle.map { ("circle", $0) } ?? box.map { ("box", $0) }
                ?? centerBox.map { ("centerbox", $0) } ?? polygon.map { ("polygon", $0) }
            if let (kind, spec) = single {
                let region = try parseRegion(
                    kind: Substring(kind), try parseDoubles(fields(Substring(spec)), context: spec),
                    context: spec)
                if withSubChunks {
                    for (c, subs) in chunker.subChunks(intersecting: region) {
                        out.write("\(c):" + subs.map(String.init).joined(separator: ";") + "\n")
                    }
                } else {
                    for c in chunker.chunks(intersecting: region) { out.write("\(c)\n") }
                }
                return
            }
            var lineNo = 0
            while let line = readLine(strippingNewline: true) {
                lineNo += 1
                let parts = fields(Substring(line))
                if parts.isEmpty || parts[0].hasPrefix("#") { continue }
                let context = "line \(lineNo)"
                let region = try parseRegion(
                    kind: parts[0], try parseDoubles(parts.dropFirst(), context: context),
                    context: context)
                if withSubChunks {
                    out.write(
                        chunker.subChunks(intersecting: region)
                            .map { "\($0.chunkId):" + $0.subChunkIds.map(String.init).joined(separator: ";") }
                            .joined(separator: " ") + "\n")
                } else {
                    out.write(chunker.chunks(intersecting: region).map(String.init).joined(separator: " ") + "\n")
                }
            }
        }
    }

    struct Overlap: ChunkerOutputCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read lon,lat lines from stdin; print the point's overlap locations (chunk:subChunk, space separated).")

        @OptionGroup var chunking: ChunkingOptions
        @Option(help: "Overlap radius in degrees (DP0.2: 0.01667).") var overlap: Double = 0.01667

        func write(_ chunker: Chunker, to out: inout BufferedOutput) throws {
            do { try chunker.validateOverlap(overlap) } catch { throw ValidationError("\(error)") }
            try forEachPosition { lon, lat in
                out.write(
                    chunker.overlapLocations(lon: lon, lat: lat, overlap: overlap)
                        .map { "\($0.chunkId):\($0.subChunkId)" }.joined(separator: " ") + "\n")
            }
        }
    }

    struct Bounds: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print lonMin,lonMax,latMin,latMax of a chunk (or of one of its sub-chunks).")

        @OptionGroup var chunking: ChunkingOptions
        @Option(help: "Chunk id.") var chunk: Int
        @Option(help: "Sub-chunk id within the chunk.") var subchunk: Int?

        func run() throws {
            let chunker = try chunking.chunker()
            guard chunker.isValid(chunkId: chunk) else { throw ValidationError("no chunk \(chunk)") }
            let b: SkyBox
            if let sc = subchunk {
                guard chunker.isValid(chunkId: chunk, subChunkId: sc) else {
                    throw ValidationError("no sub-chunk \(sc) in chunk \(chunk)")
                }
                b = chunker.subChunkBounds(chunkId: chunk, subChunkId: sc)
            } else {
                b = chunker.chunkBounds(chunk)
            }
            print("\(b.lonMin),\(b.lonMax),\(b.latMin),\(b.latMax)")
        }
    }

    struct Layout: ChunkerOutputCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print stripe,numChunks per stripe and the total chunk count.")

        @OptionGroup var chunking: ChunkingOptions

        func write(_ chunker: Chunker, to out: inout BufferedOutput) throws {
            var total = 0
            for s in 0..<chunker.numStripes {
                total += chunker.numChunks(inStripe: s)
                out.write("\(s),\(chunker.numChunks(inStripe: s))\n")
            }
            out.write("# chunks: \(total), max sub-chunks per sub-stripe chunk: \(chunker.maxSubChunksPerSubStripeChunk)\n")
        }
    }
}
