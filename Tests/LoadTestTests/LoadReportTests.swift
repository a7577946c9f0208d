import ADQL
import Foundation
import Testing

@testable import LoadTest

/// The report's numbers from recorded outcomes, its text and JSON, the mix's draws, the
/// start-up discovery's reading of a VOTable, and the memory read from /proc.
@Suite struct LoadReportTests {
    /// 100 answers of 1…100 ms and 3 failures: the percentiles are those of the answers only.
    @Test func statsComeFromTheRecordedOutcomes() {
        var record = KindRecord()
        for ms in 1...100 { record.record(.ok(bytes: 1000), .milliseconds(ms)) }
        record.record(.failed("HTTP 503"), .milliseconds(1))
        record.record(.failed("HTTP 503"), .milliseconds(1))
        record.record(.failed("timeout"), .seconds(60))
        let stats = record.stats(kind: "lookup", seconds: 2)
        #expect(stats.requests == 103)
        #expect(stats.errors == 3)
        #expect(stats.errorsByReason == ["HTTP 503": 2, "timeout": 1])
        #expect(abs(stats.throughput - 51.5) < 1e-9)
        // Three significant digits: each value within 0.1 %.
        #expect(abs(stats.p50Ms - 50) <= 0.05)
        #expect(abs(stats.p95Ms - 95) <= 0.1)
        #expect(abs(stats.p99Ms - 99) <= 0.1)
        #expect(abs(stats.maxMs - 100) <= 0.1)
        #expect(stats.meanBytes == 1000)

        var other = KindRecord()
        other.record(.ok(bytes: 3000), .milliseconds(500))
        record.add(other)
        let merged = record.stats(kind: "lookup", seconds: 2)
        #expect(merged.requests == 104)
        #expect(abs(merged.maxMs - 500) <= 0.5)
        #expect(merged.meanBytes == (100 * 1000 + 3000) / 101)
    }

    @Test func aKindWithOnlyFailuresReportsNoLatency() {
        var record = KindRecord()
        record.record(.failed("QUERY_STATUS=ERROR"), .milliseconds(7))
        let stats = record.stats(kind: "cone", seconds: 1)
        #expect(stats.errors == 1 && stats.p99Ms == 0 && stats.maxMs == 0 && stats.meanBytes == 0)
    }

    @Test func textAndJSONCarryEveryKindErrorsAndMemory() throws {
        var lookups = KindRecord()
        lookups.record(.ok(bytes: 5000), .milliseconds(4))
        lookups.record(.failed("HTTP 503"), .milliseconds(1))
        var cones = KindRecord()
        cones.record(.ok(bytes: 900), .milliseconds(12))
        let report = LoadReport(
            url: "http://127.0.0.1:1/tap", mix: .dp0, users: 3, thinkTimeMs: 100, elapsedSeconds: 2,
            stoppedBy: "duration", requests: 3, errors: 1, throughput: 1.5,
            kinds: [lookups.stats(kind: "lookup", seconds: 2), cones.stats(kind: "cone", seconds: 2)], small: nil,
            memory: .init(
                pid: 77, samples: 10, peakRssKiB: 204_800, peakRssAnonKiB: 51_200, startRssAnonKiB: 40_960,
                endRssAnonKiB: 46_080, highWaterMarkKiB: 307_200),
            memoryNote: nil)
        let text = report.text
        for expected in [
            "3 requests, 1 errors", "lookup", "cone", "lookup: HTTP 503 × 1", "pid 77", "peak RSS 200.0 MiB",
            "peak RssAnon 50.0 MiB", "4.00", "12.0",
        ] {
            #expect(text.contains(expected), "\(expected) missing from:\n\(text)")
        }
        let decoded = try JSONDecoder().decode(LoadReport.self, from: JSONEncoder().encode(report))
        #expect(decoded.kinds == report.kinds)
        #expect(decoded.memory == report.memory)
        var unmeasured = report
        unmeasured.memory = nil
        unmeasured.memoryNote = "no process of this user listens on port 1; give --pid"
        #expect(unmeasured.text.contains("not measured (no process of this user listens on port 1"))
    }

    static let objects = [
        KnownObject(objectId: 1_567_428_592_185_376_787, ra: 62.1, dec: -37.2),
        KnownObject(objectId: 42, ra: 359.995, dec: -89.995),
    ]

    /// Every kind appears in about its share of the mix, and every query is ADQL the service's
    /// own parser accepts.
    @Test func theMixDrawsEveryKindInItsShareAsValidADQL() throws {
        let workload = Workload(objects: Self.objects, tables: ["dp02_dc2_catalogs.Object", "O'Brien"], mix: .dp0)
        var random = UserRandom(seed: 7)
        var counts: [QueryKind: Int] = [:]
        let draws = 20_000
        for _ in 0..<draws {
            let (kind, adql) = workload.next(&random)
            counts[kind, default: 0] += 1
            _ = try ADQLParser.parse(adql)
        }
        let total = LoadMix.dp0.weights.map(\.weight).reduce(0, +)
        for (kind, weight) in LoadMix.dp0.weights {
            let expected = Double(draws * weight) / Double(total)
            #expect(abs(Double(counts[kind] ?? 0) - expected) < expected * 0.1, "\(kind): \(counts[kind] ?? 0)")
        }
        let lookups = Workload(objects: Self.objects, tables: [], mix: .lookup)
        for _ in 0..<100 {
            let (kind, adql) = lookups.next(&random)
            #expect(kind == .lookup)
            #expect(adql.hasPrefix("SELECT * FROM dp02_dc2_catalogs.Object WHERE objectId = "))
        }
    }

    @Test func discoveryReadsTabledataByFieldName() throws {
        let document = """
            <VOTABLE><RESOURCE><TABLE>
            <FIELD name="objectId" datatype="long"/><FIELD datatype="char" arraysize="*" name="table_name"/>
            <FIELD name="coord_ra" datatype="double"/>
            <DATA><TABLEDATA>
            <TR><TD>11</TD><TD>a &amp; b</TD><TD>1.5</TD></TR>
            <TR><TD>12</TD><TD/><TD>2.5</TD></TR>
            </TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>
            """
        let rows = try Discovery.table(document)
        #expect(rows == [["objectId": "11", "table_name": "a & b", "coord_ra": "1.5"], ["objectId": "12", "coord_ra": "2.5"]])
        #expect(throws: LoadTestError.self) { try Discovery.table("<html>Service Unavailable</html>") }
    }

    @Test func answersAreJudgedWholeAndWithoutErrorTrailers() {
        let good = "<VOTABLE><INFO name=\"QUERY_STATUS\" value=\"OK\"/></VOTABLE>"
        #expect(TAPClient.judge(status: .ok, body: good) == .ok(bytes: good.utf8.count))
        #expect(TAPClient.judge(status: .serviceUnavailable, body: good) == .failed("HTTP 503"))
        #expect(TAPClient.judge(status: .ok, body: "<VOTABLE><TR>") == .failed("truncated answer"))
        let trailer = "<VOTABLE><TR/><INFO name=\"QUERY_STATUS\" value=\"ERROR\">chunk 7</INFO></VOTABLE>"
        #expect(TAPClient.judge(status: .ok, body: trailer) == .failed("QUERY_STATUS=ERROR"))
        #expect(TAPClient.element("uws:phase", in: "<uws:job><uws:phase>COMPLETED</uws:phase>") == "COMPLETED")
    }

    @Test func memoryIsReadFromProcStatus() throws {
        let status = "Name:\tskyshard\nVmHWM:\t  300000 kB\nVmRSS:\t  200000 kB\nRssAnon:\t   50000 kB\nRssFile:\t 150000 kB\n"
        let sample = try #require(MemorySample(status: status))
        #expect(sample.rssKiB == 200_000 && sample.rssAnonKiB == 50_000 && sample.hwmKiB == 300_000)
        #expect(MemorySample(status: "Name:\tx\nVmRSS:\t1 kB\n") == nil)
        #if os(Linux)
        let own = try #require(MemorySample.of(pid: getpid()))
        #expect(own.rssKiB > 0 && own.rssAnonKiB > 0 && own.hwmKiB >= own.rssKiB)
        #endif
    }
}
