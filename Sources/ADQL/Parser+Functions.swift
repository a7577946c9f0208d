// Parser: function calls — built-in functions and aggregates, user-defined functions, and the
// argument-count checks of the built-ins (geometry constructors included).

extension Parser {
    /// function_name "(" [ argument { "," argument } ] ")"; aggregates take `*` or a set quantifier.
    @inline(never)
    mutating func parseBuiltinFunction() throws -> Expression {
        let nameToken = current
        let start = nameToken.start
        let upper = upper(nameToken)
        try enter()
        defer { leave() }
        advance()
        try expectSymbol("(")
        let name = Identifier(text(nameToken), range: nameToken.range)
        if ADQLKeywords.aggregateFunctions.contains(upper) {
            if upper == "COUNT" && acceptSymbol("*") {
                try expectSymbol(")")
                return Expression(.function(FunctionCall(name: name, arguments: [], star: true)), range: range(from: start))
            }
            var distinct = false
            if acceptWord("DISTINCT") {
                distinct = true
            } else {
                _ = acceptWord("ALL")
            }
            let argument = try parseValueExpression()
            try expectSymbol(")")
            return Expression(
                .function(FunctionCall(name: name, arguments: [argument], distinct: distinct)),
                range: range(from: start))
        }
        var arguments = try parseArguments()
        // ADQL 2.1 lets a geometry's coordinate system be NULL (or left out): a NULL first
        // argument is the same as none.
        if Self.geometryConstructors.contains(upper), arguments.count > 2,
            case .literal(.null) = arguments[0].unparenthesized.kind
        {
            arguments.removeFirst()
        }
        try checkArity(upper, arguments, nameToken: nameToken)
        return Expression(.function(FunctionCall(name: name, arguments: arguments)), range: range(from: start))
    }

    /// After "(": `[ expr { , expr } ] ")"`.
    private mutating func parseArguments() throws -> [Expression] {
        var arguments: [Expression] = []
        if acceptSymbol(")") { return arguments }
        repeat {
            // A lone operand ending the argument (coordinates, columns): what the search
            // condition's levels would return, without passing through them.
            if let length = loneOperandLength, self[ahead: length].isSymbolByte(44) || self[ahead: length].isSymbolByte(41) {
                arguments.append(try parsePrimary())
            } else {
                arguments.append(try parseSearchCondition())
            }
        } while acceptSymbol(",")
        guard current.isSymbol(")") else { throw error(expected: ["\",\"", "\")\""]) }
        advance()
        return arguments
    }

    @inline(never)
    mutating func parseUserDefinedFunction() throws -> Expression {
        let nameToken = current
        try enter()
        defer { leave() }
        advance()
        try expectSymbol("(")
        let arguments = try parseArguments()
        let name = Identifier(text(nameToken), range: nameToken.range)
        return Expression(.function(FunctionCall(name: name, arguments: arguments)), range: range(from: nameToken.start))
    }

    private static func isStringLiteral(_ e: Expression) -> Bool {
        if case .literal(.string) = e.kind { return true }
        return false
    }

    static let geometryConstructors: Set<String> = ["POINT", "CIRCLE", "BOX", "POLYGON"]

    @inline(never)
    private func checkArity(_ upper: String, _ arguments: [Expression], nameToken: Token) throws {
        let n = arguments.count
        func fail(_ expectation: String) -> ADQLError {
            let plural = n == 1 ? "argument" : "arguments"
            return error(at: nameToken, message: "\(upper) takes \(expectation), found \(n) \(plural)")
        }
        let hasCoordSys = n > 0 && Parser.isStringLiteral(arguments[0])
        let m = hasCoordSys ? n - 1 : n
        let rest = arguments.dropFirst(hasCoordSys ? 1 : 0)
        /// A number can never be a point: `CIRCLE(62, -37)` lacks a radius rather than meaning
        /// "centre point 62, radius -37".
        func isNumber(_ e: Expression) -> Bool {
            switch e.unparenthesized.kind {
            case .literal(.integer), .literal(.real): return true
            case .unary(_, let operand): return isNumber(operand)
            default: return false
            }
        }
        switch upper {
        case "POINT":
            if m != 2 || (n == 3 && !hasCoordSys) {
                throw fail("2 coordinates after an optional coordinate system string")
            }
        case "CIRCLE":
            if !(2...3).contains(m) || (n == 4 && !hasCoordSys) || (m == 2 && rest.first.map(isNumber) == true) {
                throw fail("a centre (point or 2 coordinates) and a radius after an optional coordinate system string")
            }
        case "BOX":
            if !(3...4).contains(m) || (n == 5 && !hasCoordSys) || (m == 3 && rest.first.map(isNumber) == true) {
                throw fail("a centre (point or 2 coordinates), a width and a height after an optional coordinate system string")
            }
        case "POLYGON":
            if m < 3 || (rest.contains(where: isNumber) && (m < 6 || m % 2 != 0)) {
                throw fail("at least 3 vertices (points or coordinate pairs) after an optional coordinate system string")
            }
        case "DISTANCE":
            if n != 2 && n != 4 { throw fail("2 points or 4 coordinates") }
        case "REGION":
            if n != 1 { throw fail("1 argument") }
        case "IN_UNIT":
            if n != 2 { throw fail("2 arguments") }
            if !Parser.isStringLiteral(arguments[1]) {
                throw ADQLError.syntax(
                    at: arguments[1].range.start, found: nil, expected: ["unit string"],
                    message: "IN_UNIT takes a unit as a string literal as its second argument")
            }
        default:
            guard let arity = ADQLKeywords.functionArity[upper], !arity.contains(n) else { return }
            if arity.lowerBound == arity.upperBound {
                throw fail("\(arity.lowerBound) argument\(arity.lowerBound == 1 ? "" : "s")")
            } else if arity.upperBound == Int.max {
                throw fail("at least \(arity.lowerBound) argument\(arity.lowerBound == 1 ? "" : "s")")
            } else {
                throw fail("\(arity.lowerBound) to \(arity.upperBound) arguments")
            }
        }
    }
}
