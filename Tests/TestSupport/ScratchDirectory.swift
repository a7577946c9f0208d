import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A per-process scratch directory under the system temporary directory, named
/// `<prefix><pid>`. Test processes have no teardown hook that runs after the last suite, so
/// instead each run first removes the directories that earlier runs with the same prefix left
/// behind, when the process that made them is gone.
public enum ScratchDirectory {
    public static func make(prefix: String) -> URL {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: fm.temporaryDirectory.path)) ?? []
        where name.hasPrefix(prefix) {
            if let pid = Int32(name.dropFirst(prefix.count)), kill(pid, 0) != 0, errno == ESRCH {
                try? fm.removeItem(at: fm.temporaryDirectory.appendingPathComponent(name))
            }
        }
        let url = fm.temporaryDirectory.appendingPathComponent(prefix + "\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: url)
        return url
    }
}
