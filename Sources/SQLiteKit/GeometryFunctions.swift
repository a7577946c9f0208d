import ADQL
import CSQLite
import Foundation
import Sky

/// ADQL geometry as SQL functions, in degrees (see `SQLiteRenderer.udfSignatures`).
///
/// Argument layouts: a point is (ra, dec), a circle (ra, dec, r), a box (ra, dec, w, h) with
/// `SkyBox(centerLon:centerLat:width:height:)` semantics, a polygon its vertices (ra1, dec1, ...)
/// in either winding order. `adql_<op>_<a>_<b>` takes a's arguments then b's; when both are
/// polygons the first argument is the vertex count of the first polygon.
///
/// Hot paths (per row in full scans):
/// - `adql_contains_point_circle` works on plain doubles (haversine against sin²(r/2), after a
///   declination-band reject that needs no trigonometry) and allocates nothing.
/// - Polygons are parsed once per statement and cached with `sqlite3_set_auxdata` on a constant
///   argument. The cache is validated against the actual argument values on every call, so it
///   is correct whatever SQLite decides about constancy (and a polygon built from columns is
///   simply rebuilt per row).
/// - The generic forms over DALI strings cache the parsed value the same way, keyed by the text.
enum GeometryFunctions {
    typealias Definition = UserFunctions.Definition
    typealias Argv = UnsafeMutablePointer<OpaquePointer?>?

    typealias Kind = ShapeKind

    enum Operation: Int {
        case contains = 1, intersects = 2
    }

    /// The `sqlite3_user_data` tag of `adql_<op>_<a>_<b>`.
    static func tag(_ op: Operation, _ a: Kind, _ b: Kind) -> Int {
        op.rawValue << 8 | a.rawValue << 4 | b.rawValue
    }

    /// SQLite arity of `adql_<op>_<a>_<b>`: fixed, or -1 (variadic, checked by the function).
    static func arity(_ a: Kind, _ b: Kind) -> Int32 {
        if let x = a.fixedArity, let y = b.fixedArity { return Int32(x + y) }
        return -1
    }

    static let definitions: [Definition] = {
        var defs: [Definition] = [
            Definition(name: "adql_contains_point_circle", arity: 5) { ctx, _, argv in
                containsPointCircle(ctx, argv)
            },
            Definition(name: "adql_contains_point_box", arity: 6) { ctx, _, argv in
                guard let lon = UserFunctions.double(argv, 0), let lat = UserFunctions.double(argv, 1),
                    let cLat = UserFunctions.double(argv, 3), let h = UserFunctions.double(argv, 5)
                else { return sqlite3_result_null(ctx) }
                // Outside the latitude range (for valid latitudes): most rows of a scan stop here.
                if abs(lat) <= 90, abs(lat - cLat) > max(0, h) / 2 + 1e-6 {
                    return UserFunctions.anyNull(argv, 2..<6) ? sqlite3_result_null(ctx) : sqlite3_result_int(ctx, 0)
                }
                guard let box = box(argv, 2) else { return sqlite3_result_null(ctx) }
                UserFunctions.result(ctx, box.contains(lon: lon, lat: lat))
            },
            Definition(name: "adql_contains_point_polygon", arity: -1) { ctx, argc, argv in
                guard argc >= 8 else { return UserFunctions.wrongArgumentCount(ctx, "adql_contains_point_polygon") }
                containsPointPolygon(ctx, Int(argc), argv)
            },
            Definition(name: "adql_distance", arity: 4) { ctx, _, argv in
                guard let a = UserFunctions.double(argv, 0), let b = UserFunctions.double(argv, 1),
                    let c = UserFunctions.double(argv, 2), let d = UserFunctions.double(argv, 3)
                else { return sqlite3_result_null(ctx) }
                UserFunctions.result(ctx, SkyAngle.separation(lon1: a, lat1: b, lon2: c, lat2: d))
            },
            // Areas.
            Definition(name: "adql_area_circle", arity: 3) { ctx, _, argv in
                UserFunctions.result(ctx, circle(argv, 0)?.area)
            },
            Definition(name: "adql_area_box", arity: 4) { ctx, _, argv in
                UserFunctions.result(ctx, box(argv, 0)?.area)
            },
            Definition(name: "adql_area_polygon", arity: -1) { ctx, argc, argv in
                guard argc >= 6 else { return UserFunctions.wrongArgumentCount(ctx, "adql_area_polygon") }
                let found = withPolygon(ctx, argv, 0..<Int(argc), auxIndex: 0) { cache in
                    UserFunctions.result(ctx, cache.polygon?.area)
                }
                if !found { sqlite3_result_null(ctx) }
            },
            // DALI constructors.
            Definition(name: "adql_point", arity: 2) { ctx, _, argv in daliConstructor(ctx, 2, argv) },
            Definition(name: "adql_circle", arity: 3) { ctx, _, argv in daliConstructor(ctx, 3, argv) },
            Definition(name: "adql_box", arity: 4) { ctx, _, argv in
                guard let box = box(argv, 0) else { return sqlite3_result_null(ctx) }
                UserFunctions.result(ctx, text: UserFunctions.daliText(box.corners.flatMap { [$0.lon, $0.lat] }))
            },
            Definition(name: "adql_polygon", arity: -1) { ctx, argc, argv in
                guard argc >= 6 else { return UserFunctions.wrongArgumentCount(ctx, "adql_polygon") }
                guard argc % 2 == 0 else { return sqlite3_result_null(ctx) }
                daliConstructor(ctx, Int(argc), argv)
            },
            // Generic forms over DALI strings.
            Definition(name: "adql_contains", arity: 2) { ctx, _, argv in
                genericPredicate(ctx, argv, .contains)
            },
            Definition(name: "adql_intersects", arity: 2) { ctx, _, argv in
                genericPredicate(ctx, argv, .intersects)
            },
            Definition(name: "adql_area", arity: 1) { ctx, _, argv in
                switch dali(ctx, argv, 0) {
                case .point: sqlite3_result_double(ctx, 0)
                case .region(let r): UserFunctions.result(ctx, r.area)
                case .null, .invalid: sqlite3_result_null(ctx)
                }
            },
            Definition(name: "adql_coord1", arity: 1) { ctx, _, argv in
                guard case .point(let lon, _) = dali(ctx, argv, 0) else { return sqlite3_result_null(ctx) }
                UserFunctions.result(ctx, lon)
            },
            Definition(name: "adql_coord2", arity: 1) { ctx, _, argv in
                guard case .point(_, let lat) = dali(ctx, argv, 0) else { return sqlite3_result_null(ctx) }
                UserFunctions.result(ctx, lat)
            },
            Definition(name: "adql_centroid", arity: 1) { ctx, _, argv in
                guard let c = dali(ctx, argv, 0).centroid else { return sqlite3_result_null(ctx) }
                UserFunctions.result(ctx, text: UserFunctions.daliText([c.lon, c.lat]))
            },
            Definition(name: "adql_cast_geometry", arity: 2) { ctx, _, argv in
                guard let kind = argv?[0].flatMap(sqlite3_value_text).map({ String(cString: $0) }),
                    let v = argv?[1], sqlite3_value_type(v) != SQLITE_NULL, let p = sqlite3_value_text(v)
                else { return sqlite3_result_null(ctx) }
                switch castGeometry(kind: kind, text: String(cString: p)) {
                case .success(let text): UserFunctions.result(ctx, text: text)
                case .failure(let error): sqlite3_result_error(ctx, error.message, -1)
                }
            },
            Definition(name: "adql_distance_points", arity: 2) { ctx, _, argv in
                guard case .point(let lon1, let lat1) = dali(ctx, argv, 0),
                    case .point(let lon2, let lat2) = dali(ctx, argv, 1)
                else { return sqlite3_result_null(ctx) }
                UserFunctions.result(ctx, SkyAngle.separation(lon1: lon1, lat1: lat1, lon2: lon2, lat2: lat2))
            },
        ]
        // CONTAINS(a, b) for regions a, and INTERSECTS, through one tagged function.
        let regions: [Kind] = [.circle, .box, .polygon]
        for a in regions {
            for b in regions {
                defs.append(
                    Definition(name: "adql_contains_\(a)_\(b)", arity: arity(a, b), tag: tag(.contains, a, b)) {
                        ctx, argc, argv in shapePredicate(ctx, Int(argc), argv)
                    })
            }
        }
        for (i, a) in regions.enumerated() {
            for b in regions[i...] {
                defs.append(
                    Definition(name: "adql_intersects_\(a)_\(b)", arity: arity(a, b), tag: tag(.intersects, a, b)) {
                        ctx, argc, argv in shapePredicate(ctx, Int(argc), argv)
                    })
            }
        }
        return defs
    }()

    // MARK: - Point in circle (the hot path)

    /// `(ra, dec, cra, cdec, r)` in argv[0...4]; also scisql_s2PtInCircle.
    @inline(__always)
    static func containsPointCircle(_ ctx: OpaquePointer?, _ argv: Argv) {
        guard let lon = UserFunctions.double(argv, 0), let lat = UserFunctions.double(argv, 1),
            let cLon = UserFunctions.double(argv, 2), let cLat = UserFunctions.double(argv, 3),
            let r = UserFunctions.double(argv, 4)
        else { return sqlite3_result_null(ctx) }
        UserFunctions.result(ctx, pointInCircle(lon: lon, lat: lat, centerLon: cLon, centerLat: cLat, radius: r))
    }

    /// `SkyCircle.contains(lon:lat:centerLon:centerLat:radius:)`: the columnar executor
    /// answers CONTAINS with the same function.
    @inline(__always)
    static func pointInCircle(lon: Double, lat: Double, centerLon: Double, centerLat: Double, radius: Double) -> Bool? {
        SkyCircle.contains(lon: lon, lat: lat, centerLon: centerLon, centerLat: centerLat, radius: radius)
    }

    // MARK: - Point in polygon

    /// `(ra, dec, ra1, dec1, ...)`; the polygon is cached on argument 2.
    static func containsPointPolygon(_ ctx: OpaquePointer?, _ argc: Int, _ argv: Argv) {
        guard let lon = UserFunctions.double(argv, 0), let lat = UserFunctions.double(argv, 1) else {
            return sqlite3_result_null(ctx)
        }
        let found = withPolygon(ctx, argv, 2..<argc, auxIndex: 2) { cache in
            guard let polygon = cache.polygon else { return sqlite3_result_null(ctx) }
            if abs(lat) <= 90 && (lat < cache.latMin - 1e-6 || lat > cache.latMax + 1e-6) {
                return sqlite3_result_int(ctx, 0)
            }
            UserFunctions.result(ctx, polygon.contains(lon: lon, lat: lat))
        }
        if !found { sqlite3_result_null(ctx) }
    }

    // MARK: - Shapes from arguments

    static func circle(_ argv: Argv, _ i: Int) -> SkyCircle? {
        guard let lon = UserFunctions.double(argv, i), let lat = UserFunctions.double(argv, i + 1),
            let r = UserFunctions.double(argv, i + 2), !lat.isNaN, !r.isNaN
        else { return nil }
        return SkyCircle(centerLon: lon, centerLat: lat, radius: r)
    }

    static func box(_ argv: Argv, _ i: Int) -> SkyBox? {
        guard let lon = UserFunctions.double(argv, i), let lat = UserFunctions.double(argv, i + 1),
            let w = UserFunctions.double(argv, i + 2), let h = UserFunctions.double(argv, i + 3),
            lon.isFinite, lat.isFinite, !w.isNaN, !h.isNaN
        else { return nil }
        return SkyBox(centerLon: lon, centerLat: lat, width: w, height: h)
    }

    /// A parsed polygon, as `sqlite3_set_auxdata` holds it (retained; released by SQLite).
    final class PolygonCache {
        let coordinates: [Double]
        /// nil when the coordinates do not make a valid polygon.
        let polygon: SkyPolygon?
        /// Latitude range of the polygon, for a cheap reject.
        let latMin: Double
        let latMax: Double

        init(coordinates: [Double]) {
            self.coordinates = coordinates
            polygon = UserFunctions.polygon(coordinates)
            let bounds = polygon?.boundingBox
            latMin = bounds?.latMin ?? 0
            latMax = bounds?.latMax ?? 0
        }

        /// Whether argv[range] are these coordinates; nil if one of them is NULL.
        @inline(__always)
        func matches(_ argv: Argv, _ range: Range<Int>) -> Bool? {
            guard coordinates.count == range.count else { return false }
            return coordinates.withUnsafeBufferPointer { cached -> Bool? in
                var k = 0
                for i in range {
                    guard let d = UserFunctions.double(argv, i) else { return nil }
                    if d != cached[k] { return false }
                    k += 1
                }
                return true
            }
        }
    }

    static let releasePolygonCache: @convention(c) (UnsafeMutableRawPointer?) -> Void = { raw in
        guard let raw else { return }
        Unmanaged<PolygonCache>.fromOpaque(raw).release()
    }

    /// Calls `body` with the polygon whose coordinates are argv[range], parsed once per statement
    /// while the argument `auxIndex` (a constant one) stays constant, or returns false without
    /// calling it when a coordinate is NULL. A cached polygon is used only if its coordinates
    /// equal the current arguments; on that path no reference is retained or released.
    @inline(__always)
    static func withPolygon(
        _ ctx: OpaquePointer?, _ argv: Argv, _ range: Range<Int>, auxIndex: Int32,
        _ body: (PolygonCache) -> Void
    ) -> Bool {
        if let raw = sqlite3_get_auxdata(ctx, auxIndex) {
            let cached = Unmanaged<PolygonCache>.fromOpaque(raw)
            switch cached._withUnsafeGuaranteedRef({ $0.matches(argv, range) }) {
            case nil: return false
            case true?:
                cached._withUnsafeGuaranteedRef(body)
                return true
            case false?: break
            }
        }
        guard let coordinates = UserFunctions.doubles(argv, range) else { return false }
        let cache = PolygonCache(coordinates: coordinates)
        // SQLite may release it at once (e.g. when the argument is not constant): `cache` keeps it alive here.
        sqlite3_set_auxdata(ctx, auxIndex, Unmanaged.passRetained(cache).toOpaque(), releasePolygonCache)
        body(cache)
        return true
    }

    // MARK: - CONTAINS / INTERSECTS between shapes given by their coordinates

    /// A shape operand: a point or a region.
    enum Operand {
        case null
        case invalid
        case point(lon: Double, lat: Double)
        case region(SkyRegion)

        /// CENTROID: the point itself, the centre of a circle or box, the area-weighted centroid of a polygon.
        var centroid: (lon: Double, lat: Double)? {
            switch self {
            case .null, .invalid: nil
            case .point(let lon, let lat): (lon, lat)
            case .region(.circle(let c)): (c.centerLon, c.centerLat)
            case .region(.box(let b)): (b.centerLon, b.centerLat)
            case .region(.polygon(let p)): GeometryFunctions.centroid(of: p)
            }
        }
    }

    static func operand(_ kind: Kind, _ ctx: OpaquePointer?, _ argv: Argv, _ range: Range<Int>, auxIndex: Int32) -> Operand {
        switch kind {
        case .point:
            guard let lon = UserFunctions.double(argv, range.lowerBound),
                let lat = UserFunctions.double(argv, range.lowerBound + 1)
            else { return .null }
            return .point(lon: lon, lat: lat)
        case .circle:
            if let c = circle(argv, range.lowerBound) { return .region(.circle(c)) }
            return UserFunctions.anyNull(argv, range) ? .null : .invalid
        case .box:
            if let b = box(argv, range.lowerBound) { return .region(.box(b)) }
            return UserFunctions.anyNull(argv, range) ? .null : .invalid
        case .polygon:
            guard range.count >= 6, range.count % 2 == 0 else {
                return UserFunctions.anyNull(argv, range) ? .null : .invalid
            }
            var result = Operand.null
            _ = withPolygon(ctx, argv, range, auxIndex: auxIndex) { cache in
                result = cache.polygon.map { .region(.polygon($0)) } ?? .invalid
            }
            return result
        }
    }

    /// `adql_contains_<a>_<b>` and `adql_intersects_<a>_<b>`, selected by the user-data tag.
    static func shapePredicate(_ ctx: OpaquePointer?, _ argc: Int, _ argv: Argv) {
        let tag = Int(bitPattern: sqlite3_user_data(ctx))
        guard let op = Operation(rawValue: tag >> 8), let a = Kind(rawValue: (tag >> 4) & 0xF),
            let b = Kind(rawValue: tag & 0xF)
        else { return sqlite3_result_error(ctx, "bad geometry function tag", -1) }
        let aRange: Range<Int>, bRange: Range<Int>
        var aAux: Int32 = 0, bAux: Int32 = 0
        switch (a.fixedArity, b.fixedArity) {
        case (let x?, let y?):
            aRange = 0..<x
            bRange = x..<(x + y)
        case (let x?, nil):
            guard argc >= x + 6 else { return wrongCount(ctx, op, a, b) }
            aRange = 0..<x
            bRange = x..<argc
            bAux = Int32(x)
        case (nil, let y?):
            guard argc >= y + 6 else { return wrongCount(ctx, op, a, b) }
            aRange = 0..<(argc - y)
            bRange = (argc - y)..<argc
        case (nil, nil):
            guard argc >= 13 else { return wrongCount(ctx, op, a, b) }
            guard let count = UserFunctions.double(argv, 0) else { return sqlite3_result_null(ctx) }
            guard count >= 3, count <= Double(argc - 7) / 2, count == count.rounded() else {
                return sqlite3_result_null(ctx)
            }
            let n = Int(count)
            aRange = 1..<(1 + 2 * n)
            bRange = (1 + 2 * n)..<argc
            // The vertex count is a literal: key the second polygon's cache on it.
            aAux = 1
            bAux = 0
        }
        let first = operand(a, ctx, argv, aRange, auxIndex: aAux)
        let second = operand(b, ctx, argv, bRange, auxIndex: bAux)
        UserFunctions.result(ctx, evaluate(op, first, second))
    }

    static func wrongCount(_ ctx: OpaquePointer?, _ op: Operation, _ a: Kind, _ b: Kind) {
        UserFunctions.wrongArgumentCount(ctx, "adql_\(op == .contains ? "contains" : "intersects")_\(a)_\(b)")
    }

    /// CONTAINS(first, second): first lies inside second. INTERSECTS: they share a point.
    /// NULL when either operand is NULL or malformed.
    static func evaluate(_ op: Operation, _ first: Operand, _ second: Operand) -> Bool? {
        switch (first, second) {
        case (.null, _), (_, .null), (.invalid, _), (_, .invalid):
            return nil
        case (.point(let lon, let lat), .region(let r)):
            return r.contains(lon: lon, lat: lat)
        case (.region(let r), .point(let lon, let lat)):
            if op == .intersects { return r.contains(lon: lon, lat: lat) }
            // A region lies inside a point only if it is a zero-radius circle at that point.
            guard case .circle(let c) = r, c.radius == 0 else { return false }
            return SkyAngle.separation(lon1: c.centerLon, lat1: c.centerLat, lon2: lon, lat2: lat)
                <= SkyAngle.boundaryToleranceDegrees
        case (.point(let lon1, let lat1), .point(let lon2, let lat2)):
            return SkyAngle.separation(lon1: lon1, lat1: lat1, lon2: lon2, lat2: lat2) <= SkyAngle.boundaryToleranceDegrees
        case (.region(let r1), .region(let r2)):
            return op == .contains ? r2.containsExactly(r1) : r1.intersectsExactly(r2)
        }
    }

    // MARK: - DALI strings

    /// `adql_point`/`adql_circle`/`adql_polygon`: the arguments as a DALI string.
    static func daliConstructor(_ ctx: OpaquePointer?, _ count: Int, _ argv: Argv) {
        guard let values = UserFunctions.doubles(argv, 0..<count), values.allSatisfy(\.isFinite) else {
            return sqlite3_result_null(ctx)
        }
        UserFunctions.result(ctx, text: UserFunctions.daliText(values))
    }

    struct DALICache {
        var text: [UInt8]
        var value: Operand
    }

    static let destroyDALICache: @convention(c) (UnsafeMutableRawPointer?) -> Void = { raw in
        guard let p = raw?.assumingMemoryBound(to: DALICache.self) else { return }
        p.deinitialize(count: 1)
        p.deallocate()
    }

    /// Argument i as a geometry value (a DALI string), parsed once while it stays the same.
    static func dali(_ ctx: OpaquePointer?, _ argv: Argv, _ i: Int) -> Operand {
        guard let v = argv?[i], sqlite3_value_type(v) != SQLITE_NULL, let p = sqlite3_value_text(v) else {
            return .null
        }
        let text = UnsafeBufferPointer(start: p, count: Int(sqlite3_value_bytes(v)))
        if let raw = sqlite3_get_auxdata(ctx, Int32(i)) {
            let cache = raw.assumingMemoryBound(to: DALICache.self)
            if cache.pointee.text.elementsEqual(text) { return cache.pointee.value }
        }
        let value = parseDALI(text)
        let cache = UnsafeMutablePointer<DALICache>.allocate(capacity: 1)
        cache.initialize(to: DALICache(text: Array(text), value: value))
        sqlite3_set_auxdata(ctx, Int32(i), cache, destroyDALICache)
        return value
    }

    /// Parses a DALI geometry value: 2 numbers = point, 3 = circle, 6 or more (even) = polygon.
    /// Also accepts a leading shape word as in STC-S (`POINT`, `POSITION`, `CIRCLE`, `BOX` with
    /// centre, width and height, `POLYGON`) and ignores other words such as a frame (`ICRS`).
    /// Numbers may be separated by spaces, commas or parentheses.
    static func parseDALI(_ text: UnsafeBufferPointer<UInt8>) -> Operand {
        var numbers: [Double] = []
        numbers.reserveCapacity(16)
        var shape: Kind?
        func isSeparator(_ c: UInt8) -> Bool {
            c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x2C || c == 0x28 || c == 0x29
        }
        func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
        // strtod needs a NUL-terminated string of its own.
        var buffer = [CChar](repeating: 0, count: text.count + 1)
        for (k, c) in text.enumerated() { buffer[k] = CChar(bitPattern: c) }
        var failed = false
        buffer.withUnsafeMutableBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            var i = 0
            let n = text.count
            while i < n {
                let c = UInt8(bitPattern: base[i])
                if isSeparator(c) { i += 1; continue }
                if isLetter(c) {
                    // A word (shape or frame): only before the numbers.
                    var j = i
                    while j < n, !isSeparator(UInt8(bitPattern: base[j])) { j += 1 }
                    if !numbers.isEmpty { failed = true; return }
                    if shape == nil {
                        let word = String(decoding: text[i..<j], as: UTF8.self).lowercased()
                        switch word {
                        case "point", "position": shape = .point
                        case "circle": shape = .circle
                        case "box": shape = .box
                        case "polygon": shape = .polygon
                        default: break
                        }
                    }
                    i = j
                    continue
                }
                var end: UnsafeMutablePointer<CChar>?
                let d = strtod(base + i, &end)
                guard let end, end > base + i, d.isFinite else { failed = true; return }
                let j = end - base
                if j < n && !isSeparator(UInt8(bitPattern: base[j])) { failed = true; return }
                numbers.append(d)
                i = j
            }
        }
        if failed { return .invalid }
        let kind: Kind
        switch (shape, numbers.count) {
        case (nil, 2), (.point?, 2): kind = .point
        case (nil, 3), (.circle?, 3): kind = .circle
        case (.box?, 4): kind = .box
        case (nil, let n), (.polygon?, let n):
            guard n >= 6, n % 2 == 0 else { return .invalid }
            kind = .polygon
        default:
            return .invalid
        }
        switch kind {
        case .point:
            return .point(lon: numbers[0], lat: numbers[1])
        case .circle:
            return .region(.circle(SkyCircle(centerLon: numbers[0], centerLat: numbers[1], radius: numbers[2])))
        case .box:
            return .region(.box(SkyBox(centerLon: numbers[0], centerLat: numbers[1], width: numbers[2], height: numbers[3])))
        case .polygon:
            guard let p = UserFunctions.polygon(numbers) else { return .invalid }
            return .region(.polygon(p))
        }
    }

    struct CastFailure: Error {
        var message: String
    }

    /// `adql_cast_geometry(kind, text)`: `text` (DALI numbers or a simple STC-S region) as a
    /// geometry value of `kind` ('point', 'circle', 'polygon' or 'region').
    static func castGeometry(kind: String, text: String) -> Result<String, CastFailure> {
        let target = kind.uppercased()
        let numbers: [Double]
        var shape: String
        if let dali = RegionFolding.daliNumbers(text) {
            numbers = dali
            switch dali.count {
            case 2: shape = "POINT"
            case 3: shape = "CIRCLE"
            case let n where n >= 6 && n % 2 == 0: shape = "POLYGON"
            default:
                return .failure(
                    CastFailure(
                        message:
                            "CAST to \(target): \(dali.count) number(s) are not a POINT (2), CIRCLE (3) or POLYGON (an even number of at least 6)"
                    ))
            }
        } else {
            let region: STCSRegion
            do {
                region = try STCSRegion.parse(text)
            } catch {
                return .failure(CastFailure(message: "\(target == "REGION" ? "REGION" : "CAST to " + target): \(error)"))
            }
            guard region.isSimple else {
                return .failure(
                    CastFailure(
                        message:
                            "REGION: a \(region.word) region has no single geometry value; give it as a constant string in CONTAINS or INTERSECTS"
                    ))
            }
            numbers = region.numbers
            shape = region.word.uppercased()
            if shape == "POSITION" { shape = "POINT" }
        }
        guard target == "REGION" || target == shape else {
            return .failure(
                CastFailure(message: "CAST of a \(shape) to \(target): a geometry converts only to its own kind or to REGION"))
        }
        if shape == "BOX" {
            // The generic geometry functions read this form as the exact box.
            return .success("Box ICRS " + numbers.map(UserFunctions.daliNumber).joined(separator: " "))
        }
        if shape == "POLYGON", UserFunctions.polygon(numbers) == nil {
            return .failure(CastFailure(message: "CAST to \(target): the polygon \(text) is not a valid spherical polygon"))
        }
        return .success(UserFunctions.daliText(numbers))
    }

    static func genericPredicate(_ ctx: OpaquePointer?, _ argv: Argv, _ op: Operation) {
        UserFunctions.result(ctx, evaluate(op, dali(ctx, argv, 0), dali(ctx, argv, 1)))
    }

    // MARK: - Helpers Sky lacks

    /// The centroid of a convex polygon's surface: the direction of ∫ x dA = ½ Σ θᵢ nᵢ over the
    /// edges (θᵢ the edge length, nᵢ the unit normal pointing inside, for counter-clockwise vertices).
    static func centroid(of polygon: SkyPolygon) -> (lon: Double, lat: Double) {
        let vs = polygon.vertices
        var sx = 0.0, sy = 0.0, sz = 0.0
        for i in 0..<vs.count {
            let a = vs[i], b = vs[(i + 1) % vs.count]
            let nx = a.y * b.z - a.z * b.y, ny = a.z * b.x - a.x * b.z, nz = a.x * b.y - a.y * b.x
            let s = (nx * nx + ny * ny + nz * nz).squareRoot()
            guard s > 0 else { continue }
            let theta = atan2(s, a.dot(b))
            sx += nx / s * theta
            sy += ny / s * theta
            sz += nz / s * theta
        }
        let u = UnitVector3(x: sx, y: sy, z: sz)
        return (u.lon, u.lat)
    }
}
