import Foundation

/// The memory of a local process, from `/proc/<pid>/status` (Linux), in kibibytes.
public struct MemorySample: Sendable, Equatable, Codable {
    /// Resident set: anonymous memory plus mapped files (SkyShard maps its chunk files, so this
    /// grows with the pages of the catalog read).
    public var rssKiB: Int
    /// Anonymous resident memory: what the process allocated itself.
    public var rssAnonKiB: Int
    /// The peak resident set since the process started (the kernel's high-water mark).
    public var hwmKiB: Int

    /// Reads the fields of a `/proc/<pid>/status` text; nil when one is missing.
    public init?(status: String) {
        var values: [String: Int] = [:]
        for line in status.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, ["VmRSS", "RssAnon", "VmHWM"].contains(parts[0]) else { continue }
            // "VmRSS:\t  200000 kB": a tab, then spaces, then the number.
            let number = parts[1].split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Int($0) }
            values[String(parts[0])] = number
        }
        guard let rss = values["VmRSS"], let anon = values["RssAnon"], let hwm = values["VmHWM"] else { return nil }
        rssKiB = rss
        rssAnonKiB = anon
        hwmKiB = hwm
    }

    /// The process's memory now, or nil when it cannot be read (gone, or not ours).
    public static func of(pid: Int32) -> MemorySample? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return MemorySample(status: text)
    }
}

/// Which local process listens on a TCP port: the socket's inode from `/proc/net/tcp{,6}`, then
/// the process holding it among the ones whose `/proc/<pid>/fd` may be read (this user's).
public enum PortOwner {
    public static func pid(listeningOn port: Int) -> Int32? {
        let inodes = Set(["/proc/net/tcp", "/proc/net/tcp6"].flatMap { path -> [String] in
            guard let table = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
            return listeningInodes(table: table, port: port)
        })
        guard !inodes.isEmpty else { return nil }
        let targets = Set(inodes.map { "socket:[\($0)]" })
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries {
            guard let pid = Int32(entry) else { continue }
            guard let fds = try? fm.contentsOfDirectory(atPath: "/proc/\(entry)/fd") else { continue }
            for fd in fds {
                if let link = try? fm.destinationOfSymbolicLink(atPath: "/proc/\(entry)/fd/\(fd)"), targets.contains(link) {
                    return pid
                }
            }
        }
        return nil
    }

    /// The inodes of the sockets in LISTEN state (`0A`) on `port` in one `/proc/net/tcp` table.
    static func listeningInodes(table: String, port: Int) -> [String] {
        table.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 9, fields[3] == "0A" else { return nil }
            guard let colon = fields[1].lastIndex(of: ":"),
                let local = Int(fields[1][fields[1].index(after: colon)...], radix: 16), local == port
            else { return nil }
            return String(fields[9])
        }
    }
}
