/// The error of the DemoData target: generator options it cannot follow, a schema it cannot
/// use or find, or an output file it cannot write.
public struct DemoDataError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// Counts or table choices the generator cannot follow.
        case invalidOptions
        /// The schema lacks what the generator needs, or the demo schema was found nowhere.
        case schema
        /// An output file cannot be created, written or closed.
        case io
    }

    public var code: Code
    public var message: String
    /// The file the error is about, when there is one.
    public var file: String?
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, file: String? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.cause = cause
    }

    public var description: String { message }
}
