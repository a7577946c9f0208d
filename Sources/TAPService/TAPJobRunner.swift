import Foundation
import Tabular
import UWS
import VOTable

/// Runs an async job's query through the same engine (and so the same admission and time
/// limits) as a sync query, and writes its whole result to the job's file.
struct TAPJobRunner: JobRunner {
    /// The server as it was before its job manager was made (`server.jobs` is nil here).
    let server: TAPServer
    /// Where the jobs' uploaded tables are kept.
    let store: JobStore

    /// Runs the job's query and records it (log line, metrics) however it ends.
    func run(_ job: Job, writingTo file: URL, timeLimit: Duration?, progress: JobProgress) async throws -> JobOutput {
        let start = ContinuousClock.now
        var record = QueryRecord(id: job.id, kind: .async, user: job.owner)
        var running: TAPRunningQuery?
        do {
            let (output, bytes) = try await run(
                job, writingTo: file, timeLimit: timeLimit, progress: progress, running: &running)
            record.rows = output.rows
            record.overflow = output.overflow
            record.bytes = bytes
            finish(&record, running: running, start: start)
            return output
        } catch {
            record.failed(with: error)
            if Task.isCancelled, record.outcome == .error { record.outcome = .cancelled }
            if let detail = Self.logDetail(of: error) { record.metadata["detail"] = "\(detail)" }
            finish(&record, running: running, start: start)
            throw error
        }
    }

    private func finish(_ record: inout QueryRecord, running: TAPRunningQuery?, start: ContinuousClock.Instant) {
        record.chunks = running?.progress?().chunksTotal ?? 0
        record.duration = ContinuousClock.now - start
        server.record(record)
    }

    private static func logDetail(of error: any Error) -> String? {
        TAPServer.answer(to: error, requestID: "").logDetail
    }

    private func run(
        _ job: Job, writingTo file: URL, timeLimit: Duration?, progress: JobProgress, running started: inout TAPRunningQuery?
    ) async throws -> (JobOutput, bytes: Int) {
        var parameters = DALIParameters()
        for p in job.parameters { parameters.add(name: p.name, value: p.value) }
        var query: SyncQuery
        switch server.validate(parameters, requestID: job.id, user: job.owner) {
        case .success(let q): query = q
        case .failure(let rejection): throw QueryError(.semantic, rejection.message)
        }
        query.request.timeLimit = timeLimit
        query.request.uploads = try uploadedTables(of: job)
        let running = try await server.engine.start(query.request)
        started = running
        if let provider = running.progress { progress.follow(provider) }
        let result = running.result
        guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
            result.cancel()
            throw QueryError(.internal, "the result file \(file.lastPathComponent) cannot be created")
        }
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        let infos = [
            VOTableInfo(name: "QUERY", value: query.request.adql),
            VOTableInfo(name: "job_id", value: job.id),
        ]
        var writing = FileWriting(
            runner: self, result: result, maxRecords: query.maxRecords, handle: handle, job: job.id)
        let written: (rows: Int, overflow: Bool, bytes: Int)
        do {
            written = try await withTaskCancellationHandler {
                try await query.format.withWriter(fields: result.fields, infos: infos, &writing)
            } onCancel: {
                result.cancel()
            }
        } catch {
            result.cancel()
            throw error
        }
        let output = JobOutput(
            mediaType: query.mediaType, fileExtension: query.format.fileExtension, rows: written.rows,
            overflow: written.overflow)
        return (output, written.bytes)
    }

    /// The tables uploaded with the job, read back from its folder, where they were stored
    /// (and checked) when the job was created or its parameters were set.
    private func uploadedTables(of job: Job) throws -> [UploadedTable] {
        guard let value = job.parameter("UPLOAD") else { return [] }
        let limits = server.configuration.uploadLimits
        do throws(TAPServiceError) {
            return try Uploads.specs([value], limits: limits, accepted: server.engine.acceptsUploads).map {
                spec throws(TAPServiceError) in
                let file = store.uploadFile(of: job.id, named: spec.fileName)
                guard FileManager.default.fileExists(atPath: file.path) else {
                    throw TAPServiceError(
                        .badRequest, "The uploaded table \(spec.name) of this job is no longer stored; create the job again.")
                }
                return try Uploads.read(spec, from: .file(file.path), limits: limits)
            }
        } catch {
            // The job's error is a query error: the job cannot succeed as it is.
            throw QueryError(error.code == .requestTooLarge ? .limitExceeded : .semantic, error.message, cause: error)
        }
    }

    /// The writing of the result file, run with the writer of the job's format.
    private struct FileWriting: TableWriterTask {
        let runner: TAPJobRunner
        let result: QueryResult
        let maxRecords: Int
        let handle: FileHandle
        let job: String

        func run<W: TableWriter>(_ table: inout W) async throws -> (rows: Int, overflow: Bool, bytes: Int) {
            try await runner.write(&table, result, maxRecords: maxRecords, to: handle, job: job)
        }
    }

    /// Writes the result's rows (at most `maxRecords`; one more marks the overflow) to the
    /// file through a bounded buffer. A query that fails fails the job: no partial result is
    /// kept as if it were whole.
    private func write<W: TableWriter>(
        _ table: inout W, _ result: QueryResult, maxRecords: Int, to handle: FileHandle, job: String
    ) async throws -> (rows: Int, overflow: Bool, bytes: Int) {
        let threshold = max(1024, server.configuration.flushThresholdBytes)
        var out = OutputBuffer(capacity: threshold + 16 * 1024)
        table.writeHeader(into: &out)
        var rows = 0
        var bytes = 0
        var end = EndStatus.ok
        reading: for try await batch in result.batches {
            guard batch.columnCount == result.fields.count || batch.isEmpty else {
                throw QueryError(.internal, "a batch has \(batch.columnCount) columns, the result \(result.fields.count)")
            }
            for r in 0..<batch.rowCount {
                if rows >= maxRecords {
                    end = .overflow
                    break reading
                }
                table.writeRow(batch, row: r, into: &out)
                rows += 1
            }
            if out.count >= threshold {
                try Self.append(out.bytes, to: handle, job: job)
                bytes += out.count
                out.removeAll()
            }
        }
        if end == .overflow { result.cancel() }
        table.writeTrailer(end, into: &out)
        try Self.append(out.bytes, to: handle, job: job)
        return (rows, end == .overflow, bytes + out.count)
    }

    /// Appends `bytes` to job `job`'s result file. A write the disk refuses (full, over a quota,
    /// past a file-size limit) fails the job with a message that says so, rather than
    /// Foundation's `NSPOSIXErrorDomain Code=…` text.
    private static func append(_ bytes: [UInt8], to handle: FileHandle, job: String) throws {
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            throw resultWriteError(error, job: job)
        }
    }

    /// The job's error for a failed write of its result: the system's reason and errno when
    /// the error carries one (directly, or as its underlying error).
    static func resultWriteError(_ error: any Error, job: String) -> QueryError {
        let failure = error as NSError
        let underlying = failure.userInfo[NSUnderlyingErrorKey] as? NSError
        guard let posix = [failure, underlying].compactMap({ $0 }).first(where: { $0.domain == NSPOSIXErrorDomain }) else {
            return QueryError(
                .internal, "the result of job \(job) cannot be written: \(failure.localizedDescription)", cause: error)
        }
        let code = Int32(clamping: posix.code)
        let reason =
            switch code {
            case EFBIG: "file too large"
            case ENOSPC: "no space left on the device"
            case EDQUOT: "disk quota exceeded"
            default: String(cString: strerror(code)).lowercased()
            }
        return QueryError(
            .unavailable,
            "the results disk refused the write: \(reason) (errno \(code)) while writing job \(job)'s result",
            cause: error)
    }
}
