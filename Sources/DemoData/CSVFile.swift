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
        if fd < 0 { throw DemoDataError.system("create", path, errno) }
    }

    func write(_ buffer: CSVBuffer) throws {
        let failure = buffer.writeAll(to: fd)
        if failure != 0 { throw DemoDataError.system("write", path, failure) }
    }

    func close() throws {
        if fd >= 0 {
            let rc = Glibc_close(fd)
            fd = -1
            if rc != 0 { throw DemoDataError.system("close", path, errno) }
        }
    }

    deinit { if fd >= 0 { _ = Glibc_close(fd) } }
}

extension DemoDataError {
    /// A failed system call on `path`: `cannot <action> <path>: <the error's text>`.
    static func system(_ action: String, _ path: String, _ code: Int32) -> DemoDataError {
        DemoDataError(.io, "cannot \(action) \(path): \(String(cString: strerror(code)))", file: path)
    }
}

@inline(__always) private func Glibc_close(_ fd: Int32) -> Int32 { close(fd) }
