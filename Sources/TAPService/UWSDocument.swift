import UWS
import VOTable

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The UWS 1.1 XML documents: a job, the job list, and a job's parameters and results.
/// (UWS 1.1 keeps the 1.0 namespace and says its version in an attribute.)
enum UWSDocument {
    static let namespaces =
        #"xmlns:uws="http://www.ivoa.net/xml/UWS/v1.0" xmlns:xlink="http://www.w3.org/1999/xlink" "#
        + #"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1.1""#

    /// `<uws:job>` with every element UWS defines, in the schema's order.
    static func job(_ job: Job, jobURL: String) -> [UInt8] {
        var out = OutputBuffer(capacity: 4096)
        out.append(utf8: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<uws:job \(namespaces)>\n")
        element("jobId", job.id, into: &out)
        if let runID = job.runID { element("runId", runID, into: &out) }
        element("ownerId", job.owner, into: &out)
        element("phase", job.phase.rawValue, into: &out)
        element("quote", job.quote.map(timestamp), into: &out)
        element("creationTime", timestamp(job.creationTime), into: &out)
        element("startTime", job.startTime.map(timestamp), into: &out)
        element("endTime", job.endTime.map(timestamp), into: &out)
        element("executionDuration", String(job.executionDuration), into: &out)
        element("destruction", timestamp(job.destruction), into: &out)
        parameters(job, into: &out)
        results(job, jobURL: jobURL, into: &out)
        if let error = job.error {
            out.append(utf8: "  <uws:errorSummary type=\"\(error.kind.rawValue)\" hasDetail=\"true\">\n    ")
            element("message", error.message, indent: false, into: &out)
            out.append(utf8: "  </uws:errorSummary>\n")
        }
        // Service-specific facts: the query's progress, and the rows of each result.
        if job.progress != nil || !job.results.isEmpty {
            out.append(utf8: "  <uws:jobInfo>\n")
            if let progress = job.progress {
                out.append(
                    utf8: "    <progress chunksDone=\"\(progress.chunksDone)\" chunksTotal=\"\(progress.chunksTotal)\"/>\n")
            }
            for r in job.results {
                out.append(utf8: "    <result id=\"")
                out.appendXMLEscaped(r.id)
                out.append(utf8: "\" rows=\"\(r.rows)\" overflow=\"\(r.overflow)\"/>\n")
            }
            out.append(utf8: "  </uws:jobInfo>\n")
        }
        out.append(utf8: "</uws:job>\n")
        return out.bytes
    }

    /// `<uws:jobs>`: a reference to each job with its phase, run id, owner and creation time.
    static func jobList(_ jobs: [Job], asyncURL: String) -> [UInt8] {
        var out = OutputBuffer(capacity: 256 + 256 * jobs.count)
        out.append(utf8: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<uws:jobs \(namespaces)>\n")
        for job in jobs {
            out.append(utf8: "  <uws:jobref id=\"")
            out.appendXMLEscaped(job.id)
            out.append(utf8: "\" xlink:href=\"")
            out.appendXMLEscaped(asyncURL + "/" + job.id)
            out.append(utf8: "\">\n  ")
            element("phase", job.phase.rawValue, into: &out)
            if let runID = job.runID {
                out.append(utf8: "  ")
                element("runId", runID, into: &out)
            }
            out.append(utf8: "  ")
            element("ownerId", job.owner, into: &out)
            out.append(utf8: "  ")
            element("creationTime", timestamp(job.creationTime), into: &out)
            out.append(utf8: "  </uws:jobref>\n")
        }
        out.append(utf8: "</uws:jobs>\n")
        return out.bytes
    }

    /// `<uws:parameters>` alone, for `/async/{id}/parameters`.
    static func parameters(of job: Job) -> [UInt8] {
        var out = OutputBuffer(capacity: 1024)
        out.append(utf8: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        parameters(job, root: true, into: &out)
        return out.bytes
    }

    /// `<uws:results>` alone, for `/async/{id}/results`.
    static func results(of job: Job, jobURL: String) -> [UInt8] {
        var out = OutputBuffer(capacity: 1024)
        out.append(utf8: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        results(job, jobURL: jobURL, root: true, into: &out)
        return out.bytes
    }

    private static func parameters(_ job: Job, root: Bool = false, into out: inout OutputBuffer) {
        out.append(utf8: root ? "<uws:parameters \(namespaces)>\n" : "  <uws:parameters>\n")
        for p in job.parameters {
            out.append(utf8: "    <uws:parameter id=\"")
            out.appendXMLEscaped(p.name)
            out.append(utf8: "\">")
            out.appendXMLEscaped(p.value)
            out.append(utf8: "</uws:parameter>\n")
        }
        out.append(utf8: root ? "</uws:parameters>\n" : "  </uws:parameters>\n")
    }

    private static func results(_ job: Job, jobURL: String, root: Bool = false, into out: inout OutputBuffer) {
        out.append(utf8: root ? "<uws:results \(namespaces)>\n" : "  <uws:results>\n")
        for r in job.results {
            out.append(utf8: "    <uws:result id=\"")
            out.appendXMLEscaped(r.id)
            out.append(utf8: "\" xlink:type=\"simple\" xlink:href=\"")
            out.appendXMLEscaped(jobURL + "/results/" + r.id)
            out.append(utf8: "\" mime-type=\"")
            out.appendXMLEscaped(r.mediaType)
            out.append(utf8: "\" size=\"\(r.size)\"/>\n")
        }
        out.append(utf8: root ? "</uws:results>\n" : "  </uws:results>\n")
    }

    /// `<uws:name>value</uws:name>`, or a nil element (`xsi:nil="true"`) without a value.
    private static func element(_ name: String, _ value: String?, indent: Bool = true, into out: inout OutputBuffer) {
        if indent { out.append(utf8: "  ") }
        guard let value else {
            out.append(utf8: "<uws:\(name) xsi:nil=\"true\"/>\n")
            return
        }
        out.append(utf8: "<uws:\(name)>")
        out.appendXMLEscaped(value)
        out.append(utf8: "</uws:\(name)>\n")
    }

    /// An ISO 8601 UTC timestamp with milliseconds (`2026-12-06T01:02:03.456Z`), as UWS writes them.
    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    /// Parses a timestamp a client sends (DESTRUCTION, AFTER): ISO 8601 with or without
    /// fractional seconds and zone (UTC when none is given).
    static func parseTimestamp(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let zoned = trimmed.hasSuffix("Z") || trimmed.range(of: #"[+-]\d\d:?\d\d$"#, options: .regularExpression) != nil
        let withZone = zoned ? trimmed : trimmed + "Z"
        if let d = try? Date(withZone, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)) {
            return d
        }
        if let d = try? Date(withZone, strategy: .iso8601) { return d }
        if let d = try? Date(withZone, strategy: .iso8601.year().month().day()) { return d }
        return nil
    }
}
