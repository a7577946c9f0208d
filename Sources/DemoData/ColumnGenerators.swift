import Catalog
import Foundation
import Ingest

/// How one CSV column's value is made from the row context.
enum ColumnGen {
    case null
    case pk, objectId, parentId, zero
    case ra(Double), dec(Double)  // jitter σ in degrees
    case tract, patch, x, y
    case bandFlux(Int, Double, Double)  // band, factor for galaxies, factor for stars
    case bandFluxErr(Int, Double)
    case bandExt(Int)
    case ext, pointSource
    case bandLetter, refBand, physicalFilter
    case primary, primaryOr(Double), isolated, fromBlend
    case ccdVisitId, visitId, detector
    case mjd(Double), timestamp(Double)
    case epochFlux(Double), epochFluxErr(Double), diffFlux(Double), diffFluxErr(Double), snr
    case refFlux(Double), refFluxErr(Double)
    case flag(Double)
    case int(Int, Int)
    case real(Double, Double, Int)
    case gauss(Double, Double, Int)
    case moment
    case text(StaticString)
    case count
    case seeing, airmass, zenith, altitude, rotation, zeroPoint, psfSigma
    case cornerRa(Bool), cornerDec(Bool)  // hi?
    case truthIdText, idTruthType, truthIdInt, truthType, redshift, isVariable, magR
    case trueFlux(Int, Double)
    case matchObjectId
    case region
    case diaStat(Int, Bool, DiaStat)  // band, TOT?, statistic
    case obs(ObsField)
    case nChild, footprintArea
}

/// The ObsCore columns that differ between a calexp row and a coadd row.
enum ObsField {
    case subtype, calibLevel, obsId, publisherDid, accessUrl, fov, tMin, tMax, exptime, emMin, emMax
    case visit, detector, ccdVisitId, tract, patch
}

enum DiaStat {
    case mean, meanErr, errMean, sigma, chi2, ndata, min, max, mad, percentile(Double), skew, stetsonJ
    case linearSlope, linearIntercept, maxSlope, other

    /// The statistics by the suffix that names them in DiaObject columns (`gPSFluxMean`), but
    /// for `Percentile<p>`.
    static let bySuffix: [String: DiaStat] = [
        "Mean": .mean, "MeanErr": .meanErr, "ErrMean": .errMean, "Sigma": .sigma, "Chi2": .chi2, "Ndata": .ndata,
        "Min": .min, "Max": .max, "MAD": .mad, "Skew": .skew, "StetsonJ": .stetsonJ, "LinearSlope": .linearSlope,
        "LinearIntercept": .linearIntercept, "MaxSlope": .maxSlope,
    ]
}

/// Which kind of rows a table holds, for the generic column rules.
enum DemoTableKind: String {
    case object = "Object", forcedSource = "ForcedSource", ccdVisit = "CcdVisit", visit = "Visit"
    case coaddPatches = "CoaddPatches", source = "Source", diaObject = "DiaObject", diaSource = "DiaSource"
    case forcedSourceOnDiaObject = "ForcedSourceOnDiaObject", truthSummary = "TruthSummary"
    case matchesTruth = "MatchesTruth", obsCore = "ObsCore"

    /// The kind of the table named `table` in the schema.
    init?(table: String) { self.init(rawValue: table) }

    var isEpoch: Bool {
        switch self {
        case .forcedSource, .source, .diaSource, .forcedSourceOnDiaObject, .ccdVisit, .visit: true
        default: false
        }
    }
}

private let bandIndex: [Character: Int] = ["u": 0, "g": 1, "r": 2, "i": 3, "z": 4, "y": 5]

/// Chooses the generator of a column: the columns the demo models by name first, then rules by
/// datatype, unit and UCD, so that any Felis column (e.g. every column of the full
/// dp02_dc2.yaml) gets plausible values.
func resolveColumnGen(kind: DemoTableKind, column c: ColumnInfo) -> ColumnGen {
    let n = c.name
    switch kind {
    case .object:
        switch n {
        case "objectId": return .objectId
        case "coord_ra": return .ra(0)
        case "coord_dec": return .dec(0)
        case "parentObjectId": return .parentId
        case "tract": return .tract
        case "patch": return .patch
        case "x": return .x
        case "y": return .y
        case "detect_isPrimary": return .primary
        case "detect_isPatchInner", "detect_isTractInner": return .primaryOr(0.9)
        case "detect_isIsolated": return .isolated
        case "detect_fromBlend": return .fromBlend
        case "detect_isDeblendedSource", "detect_isDeblendedModelSource": return .primary
        case "deblend_nChild": return .nChild
        case "deblend_skipped": return .flag(0.002)
        case "refBand": return .refBand
        case "refExtendedness": return .ext
        case "footprintArea": return .footprintArea
        case "shape_xx", "shape_yy": return .moment
        case "shape_xy": return .gauss(0, 0.5, 4)
        case "skymap": return .text("DC2")
        case "refFwhm": return .real(0.6, 1.1, 4)
        case "sky_object", "merge_peak_sky": return .flag(0.005)
        default: break
        }
        let chars = Array(n)
        if chars.count > 2, chars[1] == "_", let b = bandIndex[chars[0]] {
            let s = String(n.dropFirst(2))
            if s == "extendedness" { return .bandExt(b) }
            if s == "ra" { return .ra(1e-5) }
            if s == "decl" { return .dec(1e-5) }
            if s == "inputCount" { return .int(5, 40) }
            if s == "blendedness" { return .real(0, 0.2, 4) }
            if s == "kronRad" { return .real(2, 10, 3) }
            if s == "fwhm" { return .real(0.55, 1.2, 4) }
            if s == "hsmShapeRegauss_e1" || s == "hsmShapeRegauss_e2" { return .gauss(0, 0.3, 4) }
            if s == "hsmShapeRegauss_sigma" { return .real(0.1, 0.5, 4) }
            if c.unit == "nJy" {
                if s.hasSuffix("Err") {
                    let f = s.hasPrefix("psf") ? 1.0 : s.hasPrefix("cModel") ? 1.1 : s.hasPrefix("calib") ? 1.05 : 1.3
                    return .bandFluxErr(b, f)
                }
                if s == "psfFlux" || s == "free_psfFlux" { return .bandFlux(b, 0.75, 1.0) }
                if s.hasPrefix("cModelFlux") || s.hasPrefix("free_cModelFlux") { return .bandFlux(b, 1.0, 1.0) }
                if s == "calibFlux" { return .bandFlux(b, 0.85, 0.98) }
                if s == "kronFlux" { return .bandFlux(b, 0.95, 0.97) }
                if s.hasPrefix("ap"), let r = Int(s.dropFirst(2).prefix(2)) {
                    let rr = Double(r)
                    return .bandFlux(b, min(1.0, 0.3 + rr / 40), min(1.0, 0.6 + rr / 30))
                }
                if s.hasPrefix("gaap") { return .bandFlux(b, 0.8, 0.95) }
                return .bandFlux(b, 0.5, 0.5)
            }
        }
    case .forcedSource, .forcedSourceOnDiaObject:
        switch n {
        case "forcedSourceId", "forcedSourceOnDiaObjectId": return .pk
        case "objectId", "diaObjectId": return .objectId
        case "parentObjectId": return kind == .forcedSource ? .parentId : .zero
        case "coord_ra": return .ra(0)
        case "coord_dec": return .dec(0)
        case "tract": return .tract
        case "patch": return .patch
        case "band": return .bandLetter
        case "ccdVisitId": return .ccdVisitId
        case "psfFlux": return .epochFlux(1)
        case "psfFluxErr": return .epochFluxErr(1)
        case "psfDiffFlux": return .diffFlux(1)
        case "psfDiffFluxErr": return .diffFluxErr(1)
        case "detect_isPrimary": return .primary
        case "detect_isPatchInner", "detect_isTractInner": return .primaryOr(0.9)
        case "skymap": return .text("DC2")
        case "localPhotoCalib": return .real(0.9, 1.1, 6)
        case "localPhotoCalibErr": return .real(0.001, 0.01, 6)
        default: break
        }
    case .ccdVisit, .visit:
        switch n {
        case "ccdVisitId": return .ccdVisitId
        case "visitId", "visit": return .visitId
        case "band": return .bandLetter
        case "physical_filter": return .physicalFilter
        case "ra": return .ra(0)
        case "decl": return .dec(0)
        case "zenithDistance": return .zenith
        case "altitude": return .altitude
        case "airmass": return .airmass
        case "azimuth": return .real(0, 360, 4)
        case "zeroPoint": return .zeroPoint
        case "psfSigma": return .psfSigma
        case "skyBg": return .real(200, 2000, 2)
        case "skyNoise": return .real(8, 30, 3)
        case "detector": return .detector
        case "seeing": return .seeing
        case "skyRotation": return .rotation
        case "expMidpt": return .timestamp(0)
        case "expMidptMJD": return .mjd(0)
        case "obsStart": return .timestamp(-15.0 / 86400)
        case "obsStartMJD": return .mjd(-15.0 / 86400)
        case "expTime", "darkTime": return .real(30, 30, 1)
        case "xSize": return .int(4072, 4072)
        case "ySize": return .int(4000, 4000)
        case "llcra", "ulcra": return .cornerRa(false)
        case "urcra", "lrcra": return .cornerRa(true)
        case "llcdec", "lrcdec": return .cornerDec(false)
        case "ulcdec", "urcdec": return .cornerDec(true)
        default: break
        }
    case .obsCore:
        switch n {
        case "dataproduct_type": return .text("image")
        case "dataproduct_subtype": return .obs(.subtype)
        case "calib_level": return .obs(.calibLevel)
        case "obs_collection": return .text("LSST.DP02")
        case "obs_id": return .obs(.obsId)
        case "obs_publisher_did": return .obs(.publisherDid)
        case "access_url": return .obs(.accessUrl)
        case "access_format": return .text("application/x-votable+xml;content=datalink")
        case "s_ra": return .ra(0)
        case "s_dec": return .dec(0)
        case "s_fov": return .obs(.fov)
        case "s_region": return .region
        case "s_resolution": return .seeing
        case "s_xel1": return .int(4072, 4072)
        case "s_xel2": return .int(4000, 4000)
        case "t_min": return .obs(.tMin)
        case "t_max": return .obs(.tMax)
        case "t_exptime": return .obs(.exptime)
        case "em_min": return .obs(.emMin)
        case "em_max": return .obs(.emMax)
        case "o_ucd": return .text("phot.count")
        case "facility_name": return .text("Rubin:Simonyi")
        case "instrument_name": return .text("LSSTCam-imSim")
        case "lsst_band": return .bandLetter
        case "lsst_filter": return .physicalFilter
        case "lsst_visit": return .obs(.visit)
        case "lsst_detector": return .obs(.detector)
        case "lsst_ccdvisitid": return .obs(.ccdVisitId)
        case "lsst_tract": return .obs(.tract)
        case "lsst_patch": return .obs(.patch)
        default: break
        }
    case .coaddPatches:
        switch n {
        case "lsst_tract": return .tract
        case "lsst_patch": return .patch
        case "s_ra": return .ra(0)
        case "s_dec": return .dec(0)
        case "s_region": return .region
        default: break
        }
    case .source:
        switch n {
        case "sourceId": return .pk
        case "coord_ra", "ra": return .ra(2e-5)
        case "coord_dec", "decl": return .dec(2e-5)
        case "ccdVisitId": return .ccdVisitId
        case "parentSourceId": return .zero
        case "extendedness": return .ext
        case "detect_isPrimary": return .flag(0.95)
        case "band": return .bandLetter
        case "detector": return .detector
        case "physical_filter": return .physicalFilter
        case "visit": return .visitId
        case "instrument": return .text("LSSTCam-imSim")
        case "sky_source": return .flag(0.01)
        case "psfFlux": return .epochFlux(1)
        case "calibFlux": return .epochFlux(0.95)
        default: break
        }
    case .diaObject:
        switch n {
        case "diaObjectId": return .pk
        case "ra": return .ra(0)
        case "decl": return .dec(0)
        case "radecTai": return .mjd(0)
        case "nDiaSources": return .count
        case "pixelId": return .int(1 << 20, 1 << 30)
        default: break
        }
        let chars = Array(n)
        if chars.count > 8, let b = bandIndex[chars[0]] {
            let rest = String(n.dropFirst())
            let tot = rest.hasPrefix("TOTFlux")
            if tot || rest.hasPrefix("PSFlux") {
                let stat = String(rest.dropFirst(tot ? 7 : 6))
                let s: DiaStat
                if let named = DiaStat.bySuffix[stat] {
                    s = named
                } else if stat.hasPrefix("Percentile"), let p = Double(stat.dropFirst(10)) {
                    s = .percentile(p)
                } else {
                    s = .other
                }
                return .diaStat(b, tot, s)
            }
        }
    case .diaSource:
        switch n {
        case "diaSourceId": return .pk
        case "diaObjectId": return .objectId
        case "ccdVisitId": return .ccdVisitId
        case "coord_ra", "ra": return .ra(2e-5)
        case "coord_dec", "decl": return .dec(2e-5)
        case "midPointTai": return .mjd(0)
        case "filterName": return .bandLetter
        case "psFlux": return .diffFlux(1)
        case "psFluxErr": return .diffFluxErr(1)
        case "apFlux": return .diffFlux(0.95)
        case "apFluxErr": return .diffFluxErr(1.2)
        case "totFlux": return .epochFlux(1)
        case "totFluxErr": return .epochFluxErr(1)
        case "snr": return .snr
        case "ssObjectId", "parentDiaSourceId": return .zero
        case "bboxSize": return .int(10, 60)
        case "isDipole": return .flag(0.02)
        case "pixelId": return .int(1 << 20, 1 << 30)
        default: break
        }
    case .truthSummary, .matchesTruth:
        switch n {
        case "id": return .truthIdText
        case "id_truth_type": return .idTruthType
        case "host_galaxy": return .int(-1, -1)
        case "ra": return .ra(0)
        case "dec": return .dec(0)
        case "redshift": return .redshift
        case "is_variable": return .isVariable
        case "is_pointsource": return .pointSource
        case "mag_r": return .magR
        case "cosmodc2_hp": return .int(8000, 11000)
        case "cosmodc2_id": return .truthIdInt
        case "truth_type": return .truthType
        case "match_objectId": return .matchObjectId
        case "match_candidate": return .flag(0.95)
        case "match_count": return .int(1, 3)
        case "match_chisq": return .real(0, 10, 4)
        case "match_n_chisq_finite": return .int(1, 6)
        default: break
        }
        if n.hasPrefix("flux_"), n.count >= 6, let b = bandIndex[Array(n)[5]] {
            return .trueFlux(b, n.hasSuffix("_noMW") ? 1.08 : 1.0)
        }
    }
    return genericColumnGen(kind: kind, column: c)
}

/// Values by datatype, unit and UCD, for columns the demo does not model by name.
func genericColumnGen(kind: DemoTableKind, column c: ColumnInfo) -> ColumnGen {
    let n = c.name
    let ucd = c.ucd ?? ""
    switch c.datatype.lowercased() {
    case "boolean":
        return .flag(n.contains("flag") || n.contains("Flag") ? 0.01 : 0.05)
    case "byte", "short", "int", "long":
        if ucd.hasPrefix("meta.id") { return .int(1, 1_000_000) }
        if c.unit == "pixel" { return .int(10, 4000) }
        return .int(0, 10)
    case "float", "double":
        switch c.unit ?? "" {
        case "nJy":
            let err = n.contains("Err") || n.contains("Sigma") || ucd.contains("stat.error")
            if kind.isEpoch { return err ? .epochFluxErr(1.1) : .epochFlux(0.9) }
            return err ? .refFluxErr(1.2) : .refFlux(0.9)
        case "deg":
            if ucd.hasPrefix("pos.eq.ra") { return .ra(1e-5) }
            if ucd.hasPrefix("pos.eq.dec") { return .dec(1e-5) }
            return .real(0, 360, 5)
        case "pixel": return n.hasSuffix("Err") ? .real(0.01, 0.5, 4) : .real(0, 4000, 3)
        case "pixel**2", "arcsec**2": return .moment
        case "mag": return .real(16, 28, 4)
        case "d": return .mjd(0)
        case "s": return .real(15, 30, 2)
        case "count": return n.hasSuffix("Err") ? .real(1, 20, 3) : .real(0, 1000, 3)
        case "arcsec": return .real(0.5, 1.5, 4)
        case "adu": return .real(100, 1000, 3)
        default: return n.hasSuffix("Err") ? .real(0, 0.1, 6) : .real(0, 1, 6)
        }
    case "char", "string", "unicode", "text":
        if c.length == 1 { return .bandLetter }
        return .text("demo")
    case "timestamp":
        return .timestamp(0)
    default:
        return .null
    }
}
