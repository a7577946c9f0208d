import Foundation
import Testing

@testable import LoadTest

#if canImport(Glibc)
import Glibc
#endif

/// Finding the server's process from its port, through /proc/net/tcp and /proc/<pid>/fd.
@Suite struct PortOwnerTests {
    @Test func listeningSocketsAreReadFromTheTable() {
        let table = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 123456 1 0
               1: 0100007F:1F90 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000  1000        0 777 1 0
               2: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 999 1 0
            """
        #expect(PortOwner.listeningInodes(table: table, port: 8080) == ["123456"])  // the LISTEN row only
        #expect(PortOwner.listeningInodes(table: table, port: 80) == ["999"])
        #expect(PortOwner.listeningInodes(table: table, port: 8081).isEmpty)
    }

    #if os(Linux)
    /// A real listening socket of this process is found as this process.
    @Test func theProcessListeningOnAPortIsFound() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        var isOpen = true
        defer { if isOpen { close(fd) } }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0)
        try #require(listen(fd, 1) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        #expect(PortOwner.pid(listeningOn: port) == getpid())
        close(fd)
        isOpen = false
        // Once closed, nobody listens there (unless another process took the port meanwhile).
        let after = PortOwner.pid(listeningOn: port)
        #expect(after != getpid())
    }
    #endif
}
