import Hummingbird
import MultipartKit

/// Reads a `multipart/form-data` body (RFC 7578) piece by piece as it arrives, through
/// multipart-kit's parser: plain fields become parameters, parts with a `filename` (uploaded
/// tables) are kept as bytes. It counts the bytes of each kind, so that the caller can stop
/// reading as soon as one passes its limit rather than after the whole body is in memory.
struct MultipartFormReader {
    /// Content bytes of the file parts read so far.
    var fileBytes: Int { collector.fileBytes }
    /// Content bytes of the plain fields read so far.
    var fieldBytes: Int { collector.fieldBytes }

    private let parser: MultipartParser
    private let collector: Collector

    /// What the parser's callbacks build: one part at a time, then the finished parts.
    private final class Collector {
        var headers: [(name: String, value: String)] = []
        var content: [UInt8] = []
        /// Whether a part has begun (a header was seen) and not ended yet.
        var inPart = false
        /// Whether the part being read carries a file, known from its headers at its first bytes.
        var partIsFile: Bool?
        var completedParts = 0
        var fields: [(name: String, value: String)] = []
        var files: [(name: String, bytes: [UInt8])] = []
        var fileBytes = 0
        var fieldBytes = 0

        /// The disposition of the part being read: its name and whether it carries a file.
        var disposition: (name: String?, isFile: Bool) {
            guard let header = headers.last(where: { $0.name.lowercased() == "content-disposition" }) else {
                return (nil, false)
            }
            let attributes = DALIParameters.headerAttributes(header.value)
            return (attributes["name"], attributes["filename"] != nil)
        }

        func header(_ name: String, _ value: String) {
            if !inPart { content.removeAll(keepingCapacity: true) }
            inPart = true
            headers.append((name, value))
        }

        func body(_ buffer: inout ByteBuffer) {
            inPart = true
            let isFile = partIsFile ?? disposition.isFile
            partIsFile = isFile
            if isFile { fileBytes += buffer.readableBytes } else { fieldBytes += buffer.readableBytes }
            content.append(contentsOf: buffer.readableBytesView)
        }

        func partComplete() {
            let (name, isFile) = disposition
            if let name {
                if isFile {
                    files.append((name, content))
                } else {
                    fields.append((name, String(decoding: content, as: UTF8.self)))
                }
            }
            headers.removeAll()
            content = []
            inPart = false
            partIsFile = nil
            completedParts += 1
        }
    }

    init(contentType: String) throws(DALIParameters.MultipartError) {
        guard let boundary = DALIParameters.boundary(in: contentType) else { throw .noBoundary }
        parser = MultipartParser(boundary: boundary)
        let collector = Collector()
        self.collector = collector
        parser.onHeader = { collector.header($0, $1) }
        parser.onBody = { collector.body(&$0) }
        parser.onPartComplete = { collector.partComplete() }
    }

    /// Parses the next piece of the body.
    mutating func consume(_ buffer: ByteBuffer) throws(DALIParameters.MultipartError) {
        do {
            try parser.execute(buffer)
        } catch {
            throw .malformed("a part's headers are not valid")
        }
    }

    /// Ends the body: checks that it was whole and adds its fields and files to `parameters`.
    func finish(into parameters: inout DALIParameters) throws(DALIParameters.MultipartError) {
        guard !collector.inPart else { throw .malformed("a part is not closed by the boundary") }
        guard collector.completedParts > 0 else { throw .malformed("no boundary line in the body") }
        for (name, value) in collector.fields { parameters.add(name: name, value: value) }
        for (name, bytes) in collector.files { parameters.addFile(name: name, bytes: bytes) }
    }
}
