import Foundation
import SQLiteKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The lock an ingest holds on the version it is writing: an exclusive `flock` on
/// `versions/.<name>.lock`, taken before `versions/<name>.partial` is created and released
/// (the file removed) when the ingest ends, published or not.
///
/// A `.partial` directory whose lock nobody holds is the leftover of an ingest that was killed
/// (SIGKILL, power loss — `flock` locks die with their process), and the next ingest removes
/// it. A `.partial` directory whose lock is held belongs to a running ingest and is left alone.
final class VersionLock {
    private var fd: Int32
    let path: String

    static func lockPath(versions: String, name: String) -> String { "\(versions)/.\(name).lock" }

    /// Takes the lock of version `name`; throws when another process holds it.
    init(versions: String, name: String) throws {
        path = Self.lockPath(versions: versions, name: name)
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw IngestError.system("create lock file", path, errno) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            fd = -1
            throw IngestError(.version, "another ingest is writing version \(name) (it holds \(path))")
        }
    }

    /// Removes the lock file, then unlocks. Idempotent.
    func release() {
        guard fd >= 0 else { return }
        unlink(path)
        close(fd)
        fd = -1
    }

    deinit { release() }

    /// Removes every `<name>.partial` directory (and its lock file) in `versions` whose lock is
    /// free, except `except`'s. Returns the names of the removed directories.
    @discardableResult
    static func removeStalePartials(in versions: String, except: String) -> [String] {
        let fm = FileManager.default
        let names = ((try? fm.contentsOfDirectory(atPath: versions)) ?? [])
            .filter { $0.hasSuffix(".partial") }.map { String($0.dropLast(".partial".count)) }
        var removed: [String] = []
        for name in names.sorted() where name != except {
            // Holding the lock while removing: an ingest starting now under the same name fails
            // on the lock instead of losing a directory it has just made.
            guard let lock = try? VersionLock(versions: versions, name: name) else { continue }
            defer { lock.release() }
            // Re-check under the lock: the owner may have published (renamed) it meanwhile.
            let partial = "\(versions)/\(name).partial"
            if (try? fm.destinationOfSymbolicLink(atPath: partial)) == nil, (try? fm.removeItem(atPath: partial)) != nil {
                removed.append(name)
            }
        }
        return removed
    }
}
