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
/// Its parts (`Parts`) read and write as its own properties: `field.name`, `field.datatype`.
///
/// A value type whose parts live in one shared, copy-on-write box: a plan copies a column's
/// FIELD several times (binding, type inference, the plan's fields), and a copy is then one
/// reference instead of seven strings.
@dynamicMemberLookup
public struct FieldDescriptor: Sendable, Hashable {
    /// What a FIELD says.
    public struct Parts: Sendable, Hashable {
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
    }

    @usableFromInline final class Box: @unchecked Sendable {
        @usableFromInline var parts: Parts
        @usableFromInline init(_ parts: Parts) { self.parts = parts }
    }

    @usableFromInline var box: Box

    /// A part; the box is made unique before a change (another copy of this FIELD keeps the old
    /// parts).
    @inlinable public subscript<T>(dynamicMember part: WritableKeyPath<Parts, T>) -> T {
        get { box.parts[keyPath: part] }
        set {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.parts) }
            box.parts[keyPath: part] = newValue
        }
    }

    public init(
        name: String, datatype: VODatatype, arraysize: String? = nil, unit: String? = nil,
        ucd: String? = nil, utype: String? = nil, xtype: String? = nil, description: String? = nil
    ) {
        box = Box(
            Parts(
                name: name, datatype: datatype, arraysize: arraysize ?? (datatype.isCharacter ? "*" : nil), unit: unit,
                ucd: ucd, utype: utype, xtype: xtype, description: description))
    }

    public static func == (a: FieldDescriptor, b: FieldDescriptor) -> Bool {
        a.box === b.box || a.box.parts == b.box.parts
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(box.parts) }
}
