import Foundation

/// Jobs on disk, one folder per job under the store's directory:
///
/// ```
/// J/<job id>/job.json          the job record
/// J/<job id>/result.<ext>      a finished result (named in the record)
/// J/<job id>/*.partial         a record or result being written
/// J/<job id>/uploads/<name>     a file the client sent with the job (TAP: an uploaded table)
/// ```
///
/// Every file is written whole to a `.partial` file, flushed to disk and renamed into place,
/// so a crash (even `kill -9` or a power cut after the flush) leaves either the old file or the
/// new one, never a torn one. A result is renamed into place before the record that names it
/// is written: a record never names a result that is not whole.
public struct JobStore: Sendable {
    public let directory: URL
    static let recordName = "job.json"
    static let partialSuffix = ".partial"
    static let uploadsName = "uploads"

    public init(directory: URL) throws {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw UWSError(
                .storage, "the job directory \(directory.path) cannot be created: \(error.localizedDescription)",
                file: directory.path, cause: error)
        }
    }

    public func folder(of id: String) -> URL { directory.appendingPathComponent(id, isDirectory: true) }

    /// Where a job's result is written before it is renamed into place.
    public func partialResult(of id: String) -> URL {
        folder(of: id).appendingPathComponent("result" + Self.partialSuffix)
    }

    public func resultFile(of id: String, named name: String) -> URL { folder(of: id).appendingPathComponent(name) }

    /// Where the files a client sent with job `id` are kept; they go with the job's folder.
    public func uploadsFolder(of id: String) -> URL {
        folder(of: id).appendingPathComponent(Self.uploadsName, isDirectory: true)
    }

    /// The file `name` sent with job `id` (see `storeUploads`).
    public func uploadFile(of id: String, named name: String) -> URL {
        uploadsFolder(of: id).appendingPathComponent(name)
    }

    /// Writes files sent with job `id` into its uploads folder, each whole (by way of a flushed
    /// partial file and a rename), replacing a file of the same name. Names are plain file
    /// names: no `/`, not `.` or `..`, no `.partial` ending.
    public func storeUploads(_ uploads: [JobUpload], of id: String) throws {
        let folder = uploadsFolder(of: id)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for upload in uploads {
                guard Self.isPlainFileName(upload.name) else {
                    throw UWSError(.badRequest, "\(upload.name) is not a plain file name")
                }
                try Self.writeAtomically(Data(upload.bytes), to: folder.appendingPathComponent(upload.name))
            }
        } catch let error as UWSError {
            throw error
        } catch {
            throw UWSError(
                .storage, "the files sent with job \(id) cannot be written: \(error.localizedDescription)",
                file: folder.path, cause: error)
        }
    }

    static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\0")
            && !name.hasSuffix(partialSuffix)
    }

    /// Writes `job`'s record (creating its folder for a new job).
    public func save(_ job: Job) throws {
        let folder = folder(of: job.id)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try Self.writeAtomically(try encoder.encode(job), to: folder.appendingPathComponent(Self.recordName))
        } catch {
            throw UWSError(
                .storage, "the record of job \(job.id) cannot be written: \(error.localizedDescription)", file: folder.path,
                cause: error)
        }
    }

    /// Moves a finished partial result into place as `name`.
    public func publishResult(of id: String, as name: String) throws -> Int64 {
        let from = partialResult(of: id)
        let to = resultFile(of: id, named: name)
        do {
            try Self.flush(from)
            if rename(from.path, to.path) != 0 { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            let attributes = try FileManager.default.attributesOfItem(atPath: to.path)
            return (attributes[.size] as? NSNumber)?.int64Value ?? 0
        } catch {
            throw UWSError(
                .storage, "the result of job \(id) cannot be stored: \(error.localizedDescription)", file: to.path, cause: error)
        }
    }

    /// Removes a job's folder and everything in it.
    public func remove(_ id: String) {
        try? FileManager.default.removeItem(at: folder(of: id))
    }

    /// Every job on disk. Partial files (a write that a crash interrupted) are removed, and so
    /// are result files that no record names; a folder whose record cannot be read is left
    /// alone and reported in `unreadable`.
    public func loadAll() -> (jobs: [Job], unreadable: [String]) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory.path) else { return ([], []) }
        let decoder = JSONDecoder()
        var jobs: [Job] = []
        var unreadable: [String] = []
        for name in names.sorted() {
            let folder = directory.appendingPathComponent(name, isDirectory: true)
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            let files = (try? fm.contentsOfDirectory(atPath: folder.path)) ?? []
            for file in files where file.hasSuffix(Self.partialSuffix) {
                try? fm.removeItem(at: folder.appendingPathComponent(file))
            }
            let uploads = folder.appendingPathComponent(Self.uploadsName)
            for file in (try? fm.contentsOfDirectory(atPath: uploads.path)) ?? [] where file.hasSuffix(Self.partialSuffix) {
                try? fm.removeItem(at: uploads.appendingPathComponent(file))
            }
            guard let data = fm.contents(atPath: folder.appendingPathComponent(Self.recordName).path),
                let job = try? decoder.decode(Job.self, from: data), job.id == name
            else {
                // A folder made for a job whose first record never reached the disk holds at
                // most the files sent with it, written first.
                if files.allSatisfy({ $0.hasSuffix(Self.partialSuffix) || $0 == Self.uploadsName }) {
                    try? fm.removeItem(at: folder)
                } else {
                    unreadable.append(name)
                }
                continue
            }
            let named = Set(job.results.map(\.fileName))
            for file in files
            where file != Self.recordName && file != Self.uploadsName && !file.hasSuffix(Self.partialSuffix)
                && !named.contains(file)
            {
                try? fm.removeItem(at: folder.appendingPathComponent(file))
            }
            jobs.append(job)
        }
        return (jobs, unreadable)
    }

    /// The size of a stored result file, nil when it is missing.
    public func resultSize(of id: String, named name: String) -> Int64? {
        let attributes = try? FileManager.default.attributesOfItem(atPath: resultFile(of: id, named: name).path)
        return (attributes?[.size] as? NSNumber)?.int64Value
    }

    /// `data` into `file` by way of a flushed partial file and a rename.
    static func writeAtomically(_ data: Data, to file: URL) throws {
        let partial = URL(fileURLWithPath: file.path + partialSuffix)
        try data.write(to: partial)
        try flush(partial)
        if rename(partial.path, file.path) != 0 { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// Forces a file's contents to the disk.
    static func flush(_ file: URL) throws {
        let handle = try FileHandle(forUpdating: file)
        defer { try? handle.close() }
        try handle.synchronize()
    }
}
