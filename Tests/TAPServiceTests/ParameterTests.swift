import Testing

@testable import TAPService

@Suite struct ParameterParsingTests {
    @Test func urlEncoded() {
        var p = DALIParameters()
        p.addURLEncoded(
            Array("lang=ADQL&QUERY=SELECT+a%2Cb+FROM+t+WHERE+x%3D%27%C3%A9%27&bad=%zz%4&&empty=&novalue&lang=SQL".utf8))
        #expect(p["LANG"] == "ADQL")  // the first value counts
        #expect(p["query"] == "SELECT a,b FROM t WHERE x='é'")
        #expect(p["BAD"] == "%zz%4")
        #expect(p["EMPTY"] == "")
        #expect(p["NOVALUE"] == "")
    }

    @Test func multipartEdgeCases() throws {
        var p = DALIParameters()
        let body = Array(
            """
            preamble\r
            --b0\r
            Content-Disposition: form-data; name="QUERY"\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            SELECT "x;y" FROM t\r
            -- not a boundary\r
            --b0\r
            content-disposition: form-data; name="EMPTY"\r
            \r
            \r
            --b0\r
            Content-Disposition: form-data; name="file"; filename="a;b.xml"\r
            \r
            <VOTABLE/>\r
            --b0--\r
            epilogue
            """.utf8)
        try p.addMultipart(body, contentType: "multipart/form-data; charset=utf-8; boundary=b0")
        #expect(p["QUERY"] == "SELECT \"x;y\" FROM t\r\n-- not a boundary")
        #expect(p["EMPTY"] == "")
        #expect(Array(p.files.keys) == ["FILE"])
        #expect(p.files["FILE"] == Array("<VOTABLE/>".utf8))
        #expect(p["FILE"] == nil)
    }

    @Test func multipartErrors() {
        var p = DALIParameters()
        #expect(throws: DALIParameters.MultipartError.noBoundary) {
            try p.addMultipart([], contentType: "multipart/form-data")
        }
        #expect(throws: DALIParameters.MultipartError.self) {
            try p.addMultipart(
                Array("--b\r\nContent-Disposition: form-data; name=\"A\"\r\n\r\nunterminated".utf8),
                contentType: "multipart/form-data; boundary=b")
        }
    }
}
