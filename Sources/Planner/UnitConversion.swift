import ADQL
import Tabular

/// Factors between VOUnit units of the same dimension, for ADQL's IN_UNIT.
enum UnitConversion {
    /// (dimension, factor to the dimension's base unit).
    static let units: [String: (String, Double)] = {
        var table: [String: (String, Double)] = [:]
        let degree = Double.pi / 180
        for (name, factor) in [
            ("rad", 1.0), ("deg", degree), ("arcmin", degree / 60), ("arcsec", degree / 3600),
            ("mas", degree / 3_600_000), ("uas", degree / 3_600_000_000),
        ] { table[name] = ("angle", factor) }
        for (name, factor) in [("Jy", 1.0), ("mJy", 1e-3), ("uJy", 1e-6), ("nJy", 1e-9)] {
            table[name] = ("spectral flux density", factor)
        }
        for (name, factor) in [
            ("s", 1.0), ("ms", 1e-3), ("min", 60.0), ("h", 3600.0), ("d", 86400.0), ("a", 31_557_600.0),
            ("yr", 31_557_600.0),
        ] { table[name] = ("time", factor) }
        for (name, factor) in [
            ("m", 1.0), ("km", 1e3), ("cm", 1e-2), ("mm", 1e-3), ("um", 1e-6), ("nm", 1e-9), ("Angstrom", 1e-10),
            ("AU", 1.495978707e11), ("pc", 3.0856775814913673e16), ("kpc", 3.0856775814913673e19),
            ("Mpc", 3.0856775814913673e22),
        ] { table[name] = ("length", factor) }
        for (name, factor) in [
            ("deg/s", degree), ("mas/yr", degree / 3_600_000 / 31_557_600.0),
            ("arcsec/yr", degree / 3600 / 31_557_600.0),
        ] {
            table[name] = ("angular velocity", factor)
        }
        return table
    }()

    /// The factor that converts a value in `from` to `to`.
    static func factor(from: String, to: String, range: SourceRange) throws -> Double {
        if from == to { return 1 }
        guard let source = units[from] else {
            throw Binder.error(
                "IN_UNIT cannot convert from unit '\(from)' (known: \(units.keys.sorted().joined(separator: ", ")))", at: range)
        }
        guard let target = units[to] else {
            throw Binder.error(
                "IN_UNIT cannot convert to unit '\(to)' (known: \(units.keys.sorted().joined(separator: ", ")))", at: range)
        }
        guard source.0 == target.0 else {
            throw Binder.error("IN_UNIT cannot convert \(from) (\(source.0)) to \(to) (\(target.0))", at: range)
        }
        return source.1 / target.1
    }
}
