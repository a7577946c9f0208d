import Ingest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An output file written with write(2) from CSVBuffer contents.
final class CSVFile {
    let path: String
    private var fd: Int32

    init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd < 0 { throw GenerateError("cannot create \(path): \(String(cString: strerror(errno)))") }
    }

    func write(_ buffer: CSVBuffer) throws {
        try buffer.withBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc_write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw GenerateError("cannot write \(path): \(String(cString: strerror(errno)))")
                }
                off += n
            }
        }
    }

    func close() throws {
        if fd >= 0 {
            let rc = Glibc_close(fd)
            fd = -1
            if rc != 0 { throw GenerateError("cannot close \(path): \(String(cString: strerror(errno)))") }
        }
    }

    deinit { if fd >= 0 { _ = Glibc_close(fd) } }
}

@inline(__always) private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    write(fd, p, n)
}

@inline(__always) private func Glibc_close(_ fd: Int32) -> Int32 { close(fd) }

public struct GenerateError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
