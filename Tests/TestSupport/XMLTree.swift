import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// A minimal DOM built with XMLParser, for checking the writers' output.
/// Built once by `XMLTreeBuilder.parse` and only read afterwards: no two threads write it.
public final class XMLElement_: @unchecked Sendable {
    public let name: String
    public let attributes: [String: String]
    public var children: [XMLElement_] = []
    public var text = ""

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    public func all(_ name: String) -> [XMLElement_] {
        var found: [XMLElement_] = []
        for c in children {
            if c.name == name { found.append(c) }
            found.append(contentsOf: c.all(name))
        }
        return found
    }

    public func first(_ name: String) -> XMLElement_? { all(name).first }
}

public final class XMLTreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLElement_] = []
    var root: XMLElement_?
    var error: Error?

    public func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
        let e = XMLElement_(name: elementName, attributes: attributeDict)
        stack.last?.children.append(e)
        if root == nil { root = e }
        stack.append(e)
    }

    public func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
    ) {
        stack.removeLast()
    }

    public func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.text += string
    }

    public func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        error = parseError
    }

    public struct ParseFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Parses `bytes`; throws when the document is not well-formed XML.
    public static func parse(_ bytes: [UInt8]) throws -> XMLElement_ {
        let parser = XMLParser(data: Data(bytes))
        let builder = XMLTreeBuilder()
        parser.delegate = builder
        let ok = parser.parse()
        guard ok, let root = builder.root else {
            throw ParseFailure(description: "not well-formed: \(String(describing: builder.error ?? parser.parserError))")
        }
        return root
    }
}
