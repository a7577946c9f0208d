import Tabular

/// The error of the DemoData target: generator options it cannot follow, a schema it cannot
/// use or find, or an output file it cannot write.
public typealias DemoDataError = TargetError<DemoDataErrorCode>

public enum DemoDataErrorCode: String, TargetErrorCode {
    /// Counts or table choices the generator cannot follow.
    case invalidOptions
    /// The schema lacks what the generator needs, or the demo schema was found nowhere.
    case schema
    /// An output file cannot be created, written or closed.
    case io
}
