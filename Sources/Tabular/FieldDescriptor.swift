/// VOTable primitive datatypes (VOTable 1.4 §2.1).
public enum VODatatype: String, Sendable, Hashable, CaseIterable {
    case boolean, unsignedByte, short, int, long, char, unicodeChar, float, double

    /// Maps a Felis / TAP_SCHEMA datatype name (`long`, `double`, `char`, `boolean`, `timestamp`,
    /// `text`, `string`, `int`, `short`, `float`, `byte`) to the VOTable datatype that carries it.
    public init(felis name: String) {
        switch name.lowercased() {
        case "boolean": self = .boolean
        case "byte", "unsignedbyte": self = .unsignedByte
        case "short", "smallint": self = .short
        case "int", "integer": self = .int
        case "long", "bigint": self = .long
        case "float", "real": self = .float
        case "double", "double precision": self = .double
        case "unicodechar": self = .unicodeChar
        default: self = .char  // char, string, text, timestamp, ...
        }
    }

    public var isInteger: Bool { self == .short || self == .int || self == .long || self == .unsignedByte }
    public var isFloatingPoint: Bool { self == .float || self == .double }
    public var isCharacter: Bool { self == .char || self == .unicodeChar }
}

/// The description of one result column: what a VOTable FIELD or a TAP_SCHEMA column says.
public struct FieldDescriptor: Sendable, Hashable {
    public var name: String
    public var datatype: VODatatype
    /// VOTable arraysize (`*` for variable-length strings), nil for scalars.
    public var arraysize: String?
    public var unit: String?
    public var ucd: String?
    public var utype: String?
    /// DALI xtype, e.g. `timestamp`, `point`, `circle`, `polygon`.
    public var xtype: String?
    public var description: String?

    public init(
        name: String, datatype: VODatatype, arraysize: String? = nil, unit: String? = nil,
        ucd: String? = nil, utype: String? = nil, xtype: String? = nil, description: String? = nil
    ) {
        self.name = name
        self.datatype = datatype
        self.arraysize = arraysize ?? (datatype.isCharacter ? "*" : nil)
        self.unit = unit
        self.ucd = ucd
        self.utype = utype
        self.xtype = xtype
        self.description = description
    }
}
