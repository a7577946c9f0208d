import ADQL
import Catalog

/// The zone index of a director's chunk tables: declination cut into zones of
/// 1 / `zonesPerDegree` degree, indexed as (zone, longitude, latitude).
///
/// A cone or box search through the (latitude, longitude) index reads every index entry of its
/// declination band across the chunk's whole width (a 0.1° band of a 2.6° wide chunk: twenty
/// times the entries the box holds), because only the first column of an index can be a range.
/// With the zone as the first column, the planner lists the band's zones (`IN`, a handful) and
/// each zone's entries are read only inside the longitude window: the index entries read are
/// about those of the bounding box.
///
/// The zone is `CAST(((lat + 90) * zonesPerDegree) AS INTEGER)`, built from one expression tree
/// for both the index (at ingest) and the query (in the planner): SQLite uses an expression
/// index only for the same expression. IEEE addition and multiplication are monotonic, so a
/// latitude within [low, high] has a zone within [zone(low), zone(high)] as computed here: the
/// zone list is implied by the band and changes no answer.
public enum ZoneIndex {
    /// The zones per degree that ingest builds (2′ zones).
    public static let defaultZonesPerDegree = 30
    /// The most zones a band lists; a taller band relies on the (latitude, longitude) index.
    public static let maxZones = 64

    /// The zone of `latitude` (NULL for NULL).
    public static func expression(latitude: Expression, zonesPerDegree: Int) -> Expression {
        let shifted = Expression(.binary(.add, latitude, Expression(.literal(.integer(90)))))
        let scaled = Expression(.binary(.multiply, shifted, Expression(.literal(.integer(Int64(zonesPerDegree))))))
        return Expression(.cast(scaled, .integer))
    }

    /// The zone SQLite computes for the latitude `lat` (the same operations in the same order).
    public static func zone(of lat: Double, zonesPerDegree: Int) -> Int64 {
        Int64(((lat + 90) * Double(zonesPerDegree)).rounded(.towardZero))
    }

    /// The most columns the zone index carries after (zone, longitude, latitude).
    public static let maxCoveredColumns = 24

    /// The columns the zone index of a table with `columns` carries after (zone, longitude,
    /// latitude): its principal columns (Felis `tap:principal`, TAP_SCHEMA `principal`) of
    /// integer or real type, in schema order, at most `maxCoveredColumns`.
    ///
    /// A cone or box search that reads only these columns is answered from the index alone
    /// (SQLite's covering index): about 200 bytes an entry, instead of fetching each row of a
    /// 150-column table by rowid and decoding its record header up to the column it reads.
    /// Principal columns are the ones a schema marks as those most queries read.
    public static func coveredColumns(_ columns: [ColumnInfo], latColumn: String, lonColumn: String) -> [String] {
        let numeric = ["INTEGER", "REAL"]
        return Array(
            columns
                .filter { $0.principal && $0.name != latColumn && $0.name != lonColumn && numeric.contains($0.sqliteType) }
                .prefix(maxCoveredColumns)
                .map(\.name))
    }

    /// `CREATE INDEX` of the zone index on `table`, carrying `covering` after its key columns.
    public static func createIndexSQL(
        table: String, latColumn: String, lonColumn: String, zonesPerDegree: Int,
        covering: [String] = []
    ) throws -> String {
        let lat = Expression(.column(QualifiedName([Identifier(latColumn, isDelimited: true)])))
        let zone = try SQLiteRenderer().render(expression(latitude: lat, zonesPerDegree: zonesPerDegree))
        func quote(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        // The latitude as well: the band and a geometry test of (lon, lat) are then decided
        // from the index, and only the region's rows are fetched from the wide table (none
        // when the query reads only covered columns).
        let columns = [zone, quote(lonColumn), quote(latColumn)] + covering.map(quote)
        return "CREATE INDEX \(quote("\(table)_zone_\(lonColumn)_idx")) ON \(quote(table)) "
            + "(\(columns.joined(separator: ", ")))"
    }
}
