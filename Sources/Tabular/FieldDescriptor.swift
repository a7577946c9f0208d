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
///
/// A value type whose parts live in one shared, copy-on-write box: a plan copies a column's
/// FIELD several times (binding, type inference, the plan's fields), and a copy is then one
/// reference instead of seven strings.
public struct FieldDescriptor: Sendable, Hashable {
    private final class Storage: @unchecked Sendable {
        var name: String
        var datatype: VODatatype
        var arraysize: String?
        var unit: String?
        var ucd: String?
        var utype: String?
        var xtype: String?
        var description: String?

        init(
            name: String, datatype: VODatatype, arraysize: String?, unit: String?, ucd: String?,
            utype: String?, xtype: String?, description: String?
        ) {
            self.name = name
            self.datatype = datatype
            self.arraysize = arraysize
            self.unit = unit
            self.ucd = ucd
            self.utype = utype
            self.xtype = xtype
            self.description = description
        }

        func copy() -> Storage {
            Storage(
                name: name, datatype: datatype, arraysize: arraysize, unit: unit, ucd: ucd, utype: utype,
                xtype: xtype, description: description)
        }
    }

    private var storage: Storage

    /// The box, made unique before a change (another copy of this FIELD keeps the old parts).
    private var unique: Storage {
        mutating get {
            if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
            return storage
        }
    }

    public var name: String {
        get { storage.name }
        set { unique.name = newValue }
    }
    public var datatype: VODatatype {
        get { storage.datatype }
        set { unique.datatype = newValue }
    }
    /// VOTable arraysize (`*` for variable-length strings), nil for scalars.
    public var arraysize: String? {
        get { storage.arraysize }
        set { unique.arraysize = newValue }
    }
    public var unit: String? {
        get { storage.unit }
        set { unique.unit = newValue }
    }
    public var ucd: String? {
        get { storage.ucd }
        set { unique.ucd = newValue }
    }
    public var utype: String? {
        get { storage.utype }
        set { unique.utype = newValue }
    }
    /// DALI xtype, e.g. `timestamp`, `point`, `circle`, `polygon`.
    public var xtype: String? {
        get { storage.xtype }
        set { unique.xtype = newValue }
    }
    public var description: String? {
        get { storage.description }
        set { unique.description = newValue }
    }

    public init(
        name: String, datatype: VODatatype, arraysize: String? = nil, unit: String? = nil,
        ucd: String? = nil, utype: String? = nil, xtype: String? = nil, description: String? = nil
    ) {
        storage = Storage(
            name: name, datatype: datatype, arraysize: arraysize ?? (datatype.isCharacter ? "*" : nil), unit: unit,
            ucd: ucd, utype: utype, xtype: xtype, description: description)
    }

    public static func == (a: FieldDescriptor, b: FieldDescriptor) -> Bool {
        if a.storage === b.storage { return true }
        let x = a.storage, y = b.storage
        return x.name == y.name && x.datatype == y.datatype && x.arraysize == y.arraysize && x.unit == y.unit
            && x.ucd == y.ucd && x.utype == y.utype && x.xtype == y.xtype && x.description == y.description
    }

    public func hash(into hasher: inout Hasher) {
        let x = storage
        hasher.combine(x.name)
        hasher.combine(x.datatype)
        hasher.combine(x.arraysize)
        hasher.combine(x.unit)
        hasher.combine(x.ucd)
        hasher.combine(x.utype)
        hasher.combine(x.xtype)
        hasher.combine(x.description)
    }
}
