import Hummingbird
import Logging
import Tabular
import VOTable

/// A validated `/sync` request.
struct SyncQuery: Sendable {
    var request: TAPQueryRequest
    var format: ResultFormat
    /// The media type to answer with (`text/xml` when that is what the client asked for).
    var mediaType: String
    var maxRecords: Int
}

/// Thrown inside the response stream to abort it (CSV/TSV cannot carry an error status, so the
/// connection is closed before the end of the body: the client sees a truncated transfer).
struct StreamAbortedError: Error {}

extension TAPServer {
    static let acceptedLanguages: Set<String> = ["ADQL", "ADQL-2.0", "ADQL-2.1"]

    func sync(_ request: Request) async -> Response {
        let start = ContinuousClock.now
        let requestID = Self.newRequestID()
        let user = self.user(of: request)
        var record = QueryRecord(id: requestID, kind: .sync, user: user)

        func fail(_ error: any Error, adqlLength: Int? = nil) -> Response {
            let answer = Self.answer(to: error, requestID: requestID)
            var failed = record
            failed.failed(with: error)
            failed.status = Int(answer.status.code)
            if let adqlLength { failed.metadata["adql_chars"] = "\(adqlLength)" }
            if let detail = answer.logDetail { failed.metadata["detail"] = "\(detail)" }
            failed.duration = ContinuousClock.now - start
            self.record(failed)
            return Self.errorDocument(answer.status, answer.message)
        }

        // Parameters.
        let parameters: DALIParameters
        switch await readParameters(request) {
        case .success(let p): parameters = p
        case .failure(let error): return fail(error)
        }

        var query: SyncQuery
        switch validate(parameters, requestID: requestID, user: user) {
        case .success(let q): query = q
        case .failure(let error): return fail(error, adqlLength: parameters["QUERY"]?.count)
        }
        // Uploaded tables live in memory for the request's lifetime only; nothing is written.
        do throws(TAPServiceError) {
            query.request.uploads = try Uploads.tables(
                of: parameters, limits: configuration.uploadLimits, accepted: engine.acceptsUploads)
        } catch {
            return fail(error, adqlLength: query.request.adql.count)
        }
        if !query.request.uploads.isEmpty {
            record.metadata["uploads"] =
                "\(query.request.uploads.map { "\($0.name):\($0.rows.rowCount)" }.joined(separator: ","))"
        }
        record.metadata["adql_chars"] = "\(query.request.adql.count)"
        record.metadata["format"] = "\(query.format.rawValue)"
        record.metadata["maxrec"] = "\(query.maxRecords)"
        if let runID = query.request.runID { record.metadata["runid"] = "\(runID)" }
        logger.debug("sync query", metadata: ["query": "\(requestID)", "adql": "\(query.request.adql)"])

        // Admission: refused once a shutdown has begun; otherwise listed until the response ends.
        switch queries.register(id: requestID, user: user, adql: query.request.adql) {
        case .admitted: break
        case .closed: return fail(Self.shuttingDownError, adqlLength: query.request.adql.count)
        case .full: return fail(overloadedError, adqlLength: query.request.adql.count)
        }

        // Start the query: errors here become an HTTP error status with a DALI error document.
        let running: TAPRunningQuery
        do {
            running = try await engine.start(query.request)
        } catch {
            queries.remove(requestID)
            return fail(error, adqlLength: query.request.adql.count)
        }
        queries.attach(requestID, running)

        let started = record
        // The stream needs the query's text and format, not its uploaded tables: let them go.
        var streamed = query
        streamed.request.uploads = []
        let body = ResponseBody { [streamed] writer in
            defer { self.queries.remove(requestID) }
            try await self.stream(running, query: streamed, writer: &writer, start: start, record: started)
        }
        return Response(status: .ok, headers: [.contentType: query.mediaType], body: body)
    }

    /// The refusal of a query or job while the service shuts down.
    static var shuttingDownError: TAPServiceError {
        TAPServiceError(.shuttingDown, "The service is shutting down and accepts no new queries; try again shortly.")
    }

    /// The refusal of a sync query while `maxSyncQueries` are in flight (503 with Retry-After).
    var overloadedError: TAPServiceError {
        TAPServiceError(
            .overloaded,
            "The service is answering \(queries.capacity) queries already, the most it runs at once; "
                + "try again in \(Self.retryAfterSeconds) seconds.")
    }

    /// The DALI parameters of a request: the query string's, and for POST the body's
    /// (`application/x-www-form-urlencoded` or `multipart/form-data`). A multipart body is
    /// parsed as it arrives: its plain fields may hold `maxRequestBodyBytes` together, its file
    /// parts (uploaded tables) `uploadLimits.maxBytes`, and reading stops at the first byte
    /// past either, with an error naming the limit.
    func readParameters(_ request: Request) async -> Result<DALIParameters, TAPServiceError> {
        var parameters = DALIParameters()
        if let query = request.uri.query { parameters.addURLEncoded(Array(query.utf8)) }
        guard request.method == .post else { return .success(parameters) }
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        if contentType.hasPrefix("multipart/form-data") {
            do throws(TAPServiceError) {
                try await readMultipart(request, contentType: request.headers[.contentType] ?? "", into: &parameters)
            } catch {
                return .failure(error)
            }
            return .success(parameters)
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: configuration.maxRequestBodyBytes)
        } catch {
            return .failure(bodyTooLarge(cause: error))
        }
        let bytes = Array(body.readableBytesView)
        if contentType.isEmpty || contentType.hasPrefix("application/x-www-form-urlencoded") {
            parameters.addURLEncoded(bytes)
        } else if !bytes.isEmpty {
            return .failure(
                TAPServiceError(
                    .unsupportedMediaType,
                    "POST bodies must be application/x-www-form-urlencoded or multipart/form-data, not \(contentType)."))
        }
        return .success(parameters)
    }

    private func bodyTooLarge(cause: (any Error)? = nil) -> TAPServiceError {
        TAPServiceError(
            .requestTooLarge, "The request body is larger than \(configuration.maxRequestBodyBytes) bytes.", cause: cause)
    }

    /// Reads a `multipart/form-data` body piece by piece into `parameters`.
    private func readMultipart(
        _ request: Request, contentType: String, into parameters: inout DALIParameters
    ) async throws(TAPServiceError) {
        func unreadable(_ error: DALIParameters.MultipartError) -> TAPServiceError {
            TAPServiceError(.badRequest, "The multipart/form-data body cannot be read: \(Self.describe(error)).", cause: error)
        }
        let limits = configuration.uploadLimits
        var reader: MultipartFormReader
        do throws(DALIParameters.MultipartError) {
            reader = try MultipartFormReader(contentType: contentType)
        } catch {
            throw unreadable(error)
        }
        // Headers and boundaries count against neither limit; this bounds the body as a whole.
        let totalLimit = configuration.maxRequestBodyBytes + limits.maxBytes
        var total = 0
        do {
            for try await piece in request.body {
                total += piece.readableBytes
                try reader.consume(piece)
                if reader.fileBytes > limits.maxBytes { throw Uploads.bytesLimitError(limits) }
                if reader.fieldBytes > configuration.maxRequestBodyBytes || total > totalLimit { throw bodyTooLarge() }
            }
            try reader.finish(into: &parameters)
        } catch let error as TAPServiceError {
            throw error
        } catch let error as DALIParameters.MultipartError {
            throw unreadable(error)
        } catch {
            throw TAPServiceError(.badRequest, "The request body cannot be read.", cause: error)
        }
    }

    func validate(_ parameters: DALIParameters, requestID: String, user: String?) -> Result<SyncQuery, TAPServiceError> {
        func reject(_ message: String) -> Result<SyncQuery, TAPServiceError> { .failure(TAPServiceError(.badRequest, message)) }
        if let r = parameters["REQUEST"], r.lowercased() != "doquery" {
            return reject("REQUEST=\(r) is not supported; use REQUEST=doQuery (or leave REQUEST out).")
        }
        guard let lang = parameters["LANG"], !lang.isEmpty else {
            return reject("The LANG parameter is required: LANG=ADQL.")
        }
        guard Self.acceptedLanguages.contains(lang.uppercased()) else {
            return reject("LANG=\(lang) is not supported; use ADQL, ADQL-2.0 or ADQL-2.1.")
        }
        guard let adql = parameters["QUERY"], adql.contains(where: { !$0.isWhitespace }) else {
            return reject("The QUERY parameter is required and must hold an ADQL query.")
        }
        let formatText = parameters["RESPONSEFORMAT"] ?? parameters["FORMAT"] ?? "votable"
        guard let format = ResultFormat(parameter: formatText) else {
            return reject(
                "RESPONSEFORMAT=\(formatText) is not supported; use votable, votable/b, votable/b2, csv, tsv or json "
                    + "(or application/x-votable+xml, text/csv, text/tab-separated-values, application/json).")
        }
        var maxRecords = min(configuration.defaultMaxRecords, configuration.hardMaxRecords)
        if let m = parameters["MAXREC"] {
            guard let n = Int(m.trimmingCharacters(in: " ")), n >= 0 else {
                return reject("MAXREC=\(m) is not valid; MAXREC must be a non-negative integer.")
            }
            maxRecords = min(n, configuration.hardMaxRecords)
        }
        let mediaType: String
        switch format {
        case .votableTabledata, .votableBinary, .votableBinary2:
            // The XML declaration gives the encoding; answer text/xml to a client that asked for it.
            mediaType = formatText.lowercased().hasPrefix("text/xml") ? "text/xml" : format.mediaType
        case .csv, .tsv:
            mediaType = format.mediaType + "; charset=utf-8"
        case .json:
            mediaType = format.mediaType  // UTF-8 by definition (RFC 8259)
        }
        let request = TAPQueryRequest(
            adql: adql, language: lang, maxRecords: maxRecords, user: user, runID: parameters["RUNID"],
            requestID: requestID, parameters: parameters.values)
        return .success(SyncQuery(request: request, format: format, mediaType: mediaType, maxRecords: maxRecords))
    }

    // MARK: Streaming

    func stream(
        _ running: TAPRunningQuery, query: SyncQuery, writer: inout any ResponseBodyWriter,
        start: ContinuousClock.Instant, record: QueryRecord
    ) async throws {
        let result = running.result
        let infos = [
            VOTableInfo(name: "QUERY", value: query.request.adql),
            VOTableInfo(name: "request_id", value: query.request.requestID),
        ]
        var pump = SyncPump(server: self, result: result, query: query, writer: writer)
        defer { writer = pump.writer }
        var finished = record
        do {
            try await withTaskCancellationHandler {
                try await query.format.withWriter(fields: result.fields, infos: infos, &pump)
            } onCancel: {
                result.cancel()
            }
        } catch {
            if pump.outcome.status == "streaming" { pump.outcome.status = "client-gone" }
            result.cancel()
            finish(&finished, pump.outcome, running: running, start: start)
            if !(error is StreamAbortedError) && finished.outcome == .clientGone {
                finished.metadata["detail"] = "\(String(reflecting: error))"
            }
            self.record(finished)
            throw error
        }
        finish(&finished, pump.outcome, running: running, start: start)
        self.record(finished)
    }

    /// Completes a sync query's record from how its stream ended.
    private func finish(
        _ record: inout QueryRecord, _ outcome: StreamOutcome, running: TAPRunningQuery, start: ContinuousClock.Instant
    ) {
        record.status = 200
        record.rows = outcome.rows
        record.bytes = outcome.bytes
        record.chunks = running.progress?().chunksTotal ?? 0
        record.duration = ContinuousClock.now - start
        switch outcome.status {
        case "ok": record.outcome = .completed
        case "overflow":
            record.outcome = .completed
            record.overflow = true
        case "client-gone": record.outcome = .clientGone
        default:
            record.failed(with: outcome.failure ?? QueryError(.internal, "the query failed"))
        }
        if let detail = outcome.queryErrorDetail { record.metadata["detail"] = "\(detail)" }
    }

    /// The streaming of one result, run with the writer of its format.
    private struct SyncPump: TableWriterTask {
        let server: TAPServer
        let result: QueryResult
        let query: SyncQuery
        var writer: any ResponseBodyWriter
        var outcome = StreamOutcome()

        mutating func run<W: TableWriter>(_ table: inout W) async throws {
            try await server.pump(&table, result: result, query: query, writer: &writer, outcome: &outcome)
        }
    }

    struct StreamOutcome {
        var status = "streaming"
        var rows = 0
        /// Bytes of the body handed to the connection.
        var bytes = 0
        /// The error that ended the rows early, if one did.
        var failure: (any Error)?
        var queryErrorDetail: String?
    }

    /// What the writing loop waits for: the next batch from the fetching task, the end, or a tick
    /// of the keep-alive clock.
    private enum StreamEvent: Sendable {
        case batch(RowBatch)
        case end
        case failure(any Error)
        case tick
    }

    /// Writes the result: the header at once, then the rows as batches arrive. A child task
    /// fetches the batches one ahead of the writer (the engine works while the writer formats);
    /// another ticks the keep-alive clock. The result is cancelled whenever the writer stops
    /// before the end (MAXREC reached, client gone, failure).
    private func pump<W: TableWriter>(
        _ table: inout W, result: QueryResult, query: SyncQuery, writer: inout any ResponseBodyWriter,
        outcome: inout StreamOutcome
    ) async throws {
        let threshold = max(1024, configuration.flushThresholdBytes)
        var out = OutputBuffer(capacity: threshold + 16 * 1024)
        table.writeHeader(into: &out)
        try await Self.send(&out, to: &writer, counting: &outcome.bytes)  // the client learns the columns at once

        let (events, eventSink) = AsyncStream<StreamEvent>.makeStream()
        let (acks, ackSink) = AsyncStream<Void>.makeStream()
        let interval = configuration.keepAliveInterval
        let end: EndStatus = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var ackIterator = acks.makeAsyncIterator()
                do {
                    for try await batch in result.batches {
                        eventSink.yield(.batch(batch))
                        // Wait until the writer has taken it: at most one batch is held here.
                        if await ackIterator.next() == nil { return }
                    }
                    eventSink.yield(.end)
                } catch {
                    eventSink.yield(.failure(error))
                }
            }
            if let interval {
                group.addTask {
                    while true {
                        try await Task.sleep(for: interval)
                        eventSink.yield(.tick)
                    }
                }
            }
            let end: EndStatus
            do {
                end = try await writeRows(
                    &table, events: events, acks: ackSink, result: result, query: query,
                    writer: &writer, out: &out, outcome: &outcome)
            } catch {
                result.cancel()  // before the group waits for the fetching task
                ackSink.finish()
                group.cancelAll()
                throw error
            }
            if end != .ok { result.cancel() }
            ackSink.finish()
            group.cancelAll()
            return end
        }

        switch end {
        case .ok: outcome.status = "ok"
        case .overflow: outcome.status = "overflow"
        case .error:
            outcome.status = "error"
            if !table.reportsStatus {
                // CSV/TSV: end the transfer abnormally rather than let a partial result look whole.
                try await Self.send(&out, to: &writer, counting: &outcome.bytes)
                throw StreamAbortedError()
            }
        }
        table.writeTrailer(end, into: &out)
        try await Self.send(&out, to: &writer, counting: &outcome.bytes)
        try await writer.finish(nil)
    }

    private func writeRows<W: TableWriter>(
        _ table: inout W, events: AsyncStream<StreamEvent>, acks: AsyncStream<Void>.Continuation,
        result: QueryResult, query: SyncQuery, writer: inout any ResponseBodyWriter, out: inout OutputBuffer,
        outcome: inout StreamOutcome
    ) async throws -> EndStatus {
        let threshold = max(1024, configuration.flushThresholdBytes)
        var sentSinceTick = false
        func stopped(_ error: any Error) -> EndStatus {
            let answer = Self.answer(to: error, requestID: query.request.requestID)
            outcome.failure = error
            outcome.queryErrorDetail = answer.logDetail
            return .error("The query failed after \(outcome.rows) rows; the result is incomplete. \(answer.message)")
        }
        for await event in events {
            switch event {
            case .tick:
                if !sentSinceTick && (!out.isEmpty || table.writeKeepAlive(into: &out)) {
                    try await Self.send(&out, to: &writer, counting: &outcome.bytes)
                }
                sentSinceTick = false
            case .end:
                // A query stopped by an administrator or a shutdown through an engine that can
                // only cancel ends early without an error: its client must not take it as whole.
                if let reason = queries.stopReason(query.request.requestID) { return stopped(reason) }
                return .ok
            case .failure(let error):
                return stopped(error)
            case .batch(let batch):

                acks.yield()
                guard batch.columnCount == result.fields.count || batch.isEmpty else {
                    // An engine fault; writing the batch would misalign or overrun the row.
                    outcome.queryErrorDetail = "batch has \(batch.columnCount) columns, the result \(result.fields.count)"
                    outcome.failure = QueryError(.internal, "misaligned batch")
                    return .error(
                        "The query failed after \(outcome.rows) rows; the result is incomplete. "
                            + Self.internalErrorMessage(query.request.requestID))
                }
                for r in 0..<batch.rowCount {
                    if outcome.rows >= query.maxRecords { return .overflow }
                    table.writeRow(batch, row: r, into: &out)
                    outcome.rows += 1
                    if out.count >= threshold {
                        try await Self.send(&out, to: &writer, counting: &outcome.bytes)
                        sentSinceTick = true
                    }
                }
            }
        }
        throw CancellationError()  // the event stream ended: the task was cancelled
    }

    private static func send(
        _ out: inout OutputBuffer, to writer: inout any ResponseBodyWriter, counting sent: inout Int
    ) async throws {
        guard !out.isEmpty else { return }
        sent += out.count
        let buffer = ByteBuffer(bytes: out.bytes)
        out.removeAll()
        try await writer.write(buffer)
    }

    // MARK: Errors

    static func describe(_ error: DALIParameters.MultipartError) -> String {
        switch error {
        case .noBoundary: "the Content-Type has no boundary"
        case .malformed(let why): why
        }
    }

    static func newRequestID() -> String {
        let n = UInt64.random(in: 0...UInt64.max)
        let hex = String(n, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Int64 {
        let d = ContinuousClock.now - start
        return d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
    }
}
