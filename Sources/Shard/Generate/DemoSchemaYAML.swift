// Generated from fixtures/schemas/dp02_dc2_demo.yaml: keep the two identical
// (GenerateTests checks). The demo schema is compiled in so that `skyshard demo` needs no files.
extension DemoSchema {
    public static let yaml = #"""
# SkyShard demo schema: a Felis (lsst-sdm-schemas format) description of a subset of
# DP0.2 dp02_dc2_catalogs. Names, datatypes, units and UCDs follow dp02_dc2.yaml;
# descriptions are short SkyShard wording. Sources/Shard/Generate/DemoSchemaYAML.swift
# embeds a copy of this file: keep the two identical (GenerateTests checks).
---
name: dp02_dc2_catalogs
'@id': "#dp02_dc2_catalogs"
description: 'SkyShard demo subset of the DP0.2 (DESC DC2) catalogs: the core tables and the columns that DP0.2 tutorial queries
  use, filled with synthetic data.'
version: '0.1'
tables:
- name: Object
  '@id': "#Object"
  description: Objects detected and measured on the deep coadds (one row per astronomical object).
  primaryKey: "#Object.objectId"
  tap:table_index: 10
  columns:
  - name: objectId
    '@id': "#Object.objectId"
    datatype: long
    description: Object identifier (primary key).
    ivoa:ucd: meta.id;src;meta.main
    tap:principal: 1
    tap:column_index: 10
  - name: coord_dec
    '@id': "#Object.coord_dec"
    datatype: double
    description: Declination (ICRS) used to place the row on the sky.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.dec;meta.main
    tap:principal: 1
    tap:column_index: 20
  - name: coord_ra
    '@id': "#Object.coord_ra"
    datatype: double
    description: Right ascension (ICRS) used to place the row on the sky.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.ra;meta.main
    tap:principal: 1
    tap:column_index: 30
  - name: deblend_nChild
    '@id': "#Object.deblend_nChild"
    datatype: int
    description: Number of deblended children.
    tap:principal: 0
    tap:column_index: 40
  - name: deblend_skipped
    '@id': "#Object.deblend_skipped"
    datatype: boolean
    description: The deblender skipped this source.
    tap:principal: 0
    tap:column_index: 50
  - name: detect_fromBlend
    '@id': "#Object.detect_fromBlend"
    datatype: boolean
    description: Deblended from a parent with several children.
    tap:principal: 0
    tap:column_index: 60
  - name: detect_isDeblendedModelSource
    '@id': "#Object.detect_isDeblendedModelSource"
    datatype: boolean
    description: Primary, and a deblended child modelled by the deblender.
    tap:principal: 0
    tap:column_index: 70
  - name: detect_isDeblendedSource
    '@id': "#Object.detect_isDeblendedSource"
    datatype: boolean
    description: Primary, and either isolated or a deblended child.
    tap:principal: 0
    tap:column_index: 80
  - name: detect_isIsolated
    '@id': "#Object.detect_isIsolated"
    datatype: boolean
    description: Not part of a blend.
    tap:principal: 0
    tap:column_index: 90
  - name: detect_isPatchInner
    '@id': "#Object.detect_isPatchInner"
    datatype: boolean
    description: In the inner region of its patch.
    tap:principal: 0
    tap:column_index: 100
  - name: detect_isPrimary
    '@id': "#Object.detect_isPrimary"
    datatype: boolean
    description: 'Primary detection: unique, inner region, not a sky source. Use for science samples.'
    tap:principal: 1
    tap:column_index: 110
  - name: detect_isTractInner
    '@id': "#Object.detect_isTractInner"
    datatype: boolean
    description: In the inner region of its tract.
    tap:principal: 0
    tap:column_index: 120
  - name: footprintArea
    '@id': "#Object.footprintArea"
    datatype: int
    description: Pixel count of the detection footprint.
    ivoa:unit: pixel
    tap:principal: 0
    tap:column_index: 130
  - name: merge_peak_sky
    '@id': "#Object.merge_peak_sky"
    datatype: boolean
    description: Peak found on a sky object.
    tap:principal: 0
    tap:column_index: 140
  - name: parentObjectId
    '@id': "#Object.parentObjectId"
    datatype: long
    description: Identifier of the deblend parent (0 if none).
    ivoa:ucd: meta.id.parent
    tap:principal: 0
    tap:column_index: 150
  - name: patch
    '@id': "#Object.patch"
    datatype: long
    description: Skymap patch number.
    ivoa:ucd: meta.id.part;obs.field
    tap:principal: 1
    tap:column_index: 160
  - name: refBand
    '@id': "#Object.refBand"
    datatype: char
    length: 1
    description: Band used as reference for forced measurements.
    ivoa:ucd: meta.id;instr.filter;meta.main
    tap:principal: 0
    tap:column_index: 170
  - name: refExtendedness
    '@id': "#Object.refExtendedness"
    datatype: double
    description: Extendedness in the reference band.
    tap:principal: 1
    tap:column_index: 180
  - name: refFwhm
    '@id': "#Object.refFwhm"
    datatype: double
    description: PSF FWHM in the reference band.
    tap:principal: 0
    tap:column_index: 190
  - name: shape_flag
    '@id': "#Object.shape_flag"
    datatype: boolean
    description: Shape measurement failed.
    tap:principal: 0
    tap:column_index: 200
  - name: shape_xx
    '@id': "#Object.shape_xx"
    datatype: double
    description: Adaptive second moment xx.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 210
  - name: shape_xy
    '@id': "#Object.shape_xy"
    datatype: double
    description: Adaptive second moment xy.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 220
  - name: shape_yy
    '@id': "#Object.shape_yy"
    datatype: double
    description: Adaptive second moment yy.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 230
  - name: sky_object
    '@id': "#Object.sky_object"
    datatype: boolean
    description: Blank-sky measurement position, not a real source.
    tap:principal: 0
    tap:column_index: 240
  - name: skymap
    '@id': "#Object.skymap"
    datatype: char
    length: 12
    description: Name of the skymap.
    tap:principal: 0
    tap:column_index: 250
  - name: tract
    '@id': "#Object.tract"
    datatype: long
    description: Skymap tract number.
    ivoa:ucd: meta.id;obs.field
    tap:principal: 1
    tap:column_index: 260
  - name: x
    '@id': "#Object.x"
    datatype: double
    description: Centroid column on the coadd.
    ivoa:unit: pixel
    tap:principal: 0
    tap:column_index: 270
  - name: xErr
    '@id': "#Object.xErr"
    datatype: float
    description: Uncertainty of x.
    ivoa:unit: pixel
    tap:principal: 0
    tap:column_index: 280
  - name: xy_flag
    '@id': "#Object.xy_flag"
    datatype: boolean
    description: Centroid measurement failed.
    tap:principal: 0
    tap:column_index: 290
  - name: y
    '@id': "#Object.y"
    datatype: double
    description: Centroid row on the coadd.
    ivoa:unit: pixel
    tap:principal: 0
    tap:column_index: 300
  - name: yErr
    '@id': "#Object.yErr"
    datatype: float
    description: Uncertainty of y.
    ivoa:unit: pixel
    tap:principal: 0
    tap:column_index: 310
  - name: g_ap09Flux
    '@id': "#Object.g_ap09Flux"
    datatype: double
    description: g-band flux in a 9-pixel circular aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 380
  - name: g_ap09FluxErr
    '@id': "#Object.g_ap09FluxErr"
    datatype: double
    description: g-band uncertainty of the 9-pixel aperture flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 390
  - name: g_cModelFlux
    '@id': "#Object.g_cModelFlux"
    datatype: double
    description: g-band composite-model (cModel) flux.
    ivoa:unit: nJy
    tap:principal: 1
    tap:column_index: 730
  - name: g_cModelFluxErr
    '@id': "#Object.g_cModelFluxErr"
    datatype: double
    description: g-band uncertainty of the cModel flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 740
  - name: g_cModel_flag
    '@id': "#Object.g_cModel_flag"
    datatype: boolean
    description: g-band cModel fit failed.
    tap:principal: 0
    tap:column_index: 760
  - name: g_calibFlux
    '@id': "#Object.g_calibFlux"
    datatype: double
    description: g-band flux in the 12-pixel calibration aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 780
  - name: g_calibFluxErr
    '@id': "#Object.g_calibFluxErr"
    datatype: double
    description: g-band uncertainty of the calibration-aperture flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 790
  - name: g_extendedness
    '@id': "#Object.g_extendedness"
    datatype: double
    description: g-band 1 if extended, 0 if point-like.
    tap:principal: 0
    tap:column_index: 950
  - name: g_extendedness_flag
    '@id': "#Object.g_extendedness_flag"
    datatype: boolean
    description: g-band extendedness could not be computed.
    tap:principal: 0
    tap:column_index: 960
  - name: g_gaap1p0Flux
    '@id': "#Object.g_gaap1p0Flux"
    datatype: double
    description: g-band GAaP flux with a 1.0 arcsec aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 1110
  - name: g_ixx
    '@id': "#Object.g_ixx"
    datatype: double
    description: g-band second moment xx of the source.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 1420
  - name: g_ixxPSF
    '@id': "#Object.g_ixxPSF"
    datatype: double
    description: g-band second moment xx of the PSF.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 1440
  - name: g_iyy
    '@id': "#Object.g_iyy"
    datatype: double
    description: g-band second moment yy of the source.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 1500
  - name: g_iyyPSF
    '@id': "#Object.g_iyyPSF"
    datatype: double
    description: g-band second moment yy of the PSF.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 1520
  - name: g_psfFlux
    '@id': "#Object.g_psfFlux"
    datatype: double
    description: g-band PSF-model flux.
    ivoa:unit: nJy
    tap:principal: 1
    tap:column_index: 1840
  - name: g_psfFluxErr
    '@id': "#Object.g_psfFluxErr"
    datatype: double
    description: g-band uncertainty of the PSF-model flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 1850
  - name: g_psfFlux_flag
    '@id': "#Object.g_psfFlux_flag"
    datatype: boolean
    description: g-band PSF flux measurement failed.
    tap:principal: 0
    tap:column_index: 1870
  - name: i_ap03Flux
    '@id': "#Object.i_ap03Flux"
    datatype: double
    description: i-band flux in a 3-pixel circular aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 1920
  - name: i_ap06Flux
    '@id': "#Object.i_ap06Flux"
    datatype: double
    description: i-band flux in a 6-pixel circular aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 1950
  - name: i_ap09Flux
    '@id': "#Object.i_ap09Flux"
    datatype: double
    description: i-band flux in a 9-pixel circular aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 1980
  - name: i_ap09FluxErr
    '@id': "#Object.i_ap09FluxErr"
    datatype: double
    description: i-band uncertainty of the 9-pixel aperture flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 1990
  - name: i_ap12Flux
    '@id': "#Object.i_ap12Flux"
    datatype: double
    description: i-band flux in a 12-pixel circular aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 2010
  - name: i_ap17Flux
    '@id': "#Object.i_ap17Flux"
    datatype: double
    description: i-band flux in a 17-pixel circular aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 2040
  - name: i_ap25Flux
    '@id': "#Object.i_ap25Flux"
    datatype: double
    description: i-band flux in a 25-pixel circular aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 2070
  - name: i_ap35Flux
    '@id': "#Object.i_ap35Flux"
    datatype: double
    description: i-band flux in a 35-pixel circular aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 2100
  - name: i_ap50Flux
    '@id': "#Object.i_ap50Flux"
    datatype: double
    description: i-band flux in a 50-pixel circular aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 2130
  - name: i_blendedness
    '@id': "#Object.i_blendedness"
    datatype: double
    description: i-band how much the flux is affected by neighbours.
    tap:principal: 0
    tap:column_index: 2310
  - name: i_cModelFlux
    '@id': "#Object.i_cModelFlux"
    datatype: double
    description: i-band composite-model (cModel) flux.
    ivoa:unit: nJy
    tap:principal: 1
    tap:column_index: 2330
  - name: i_cModelFluxErr
    '@id': "#Object.i_cModelFluxErr"
    datatype: double
    description: i-band uncertainty of the cModel flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 2340
  - name: i_cModel_flag
    '@id': "#Object.i_cModel_flag"
    datatype: boolean
    description: i-band cModel fit failed.
    tap:principal: 0
    tap:column_index: 2360
  - name: i_calibFlux
    '@id': "#Object.i_calibFlux"
    datatype: double
    description: i-band flux in the 12-pixel calibration aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 2380
  - name: i_calibFluxErr
    '@id': "#Object.i_calibFluxErr"
    datatype: double
    description: i-band uncertainty of the calibration-aperture flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 2390
  - name: i_calib_psf_used
    '@id': "#Object.i_calib_psf_used"
    datatype: boolean
    description: i-band source used to model the PSF.
    tap:principal: 0
    tap:column_index: 2480
  - name: i_extendedness
    '@id': "#Object.i_extendedness"
    datatype: double
    description: i-band 1 if extended, 0 if point-like.
    tap:principal: 0
    tap:column_index: 2550
  - name: i_extendedness_flag
    '@id': "#Object.i_extendedness_flag"
    datatype: boolean
    description: i-band extendedness could not be computed.
    tap:principal: 0
    tap:column_index: 2560
  - name: i_fwhm
    '@id': "#Object.i_fwhm"
    datatype: double
    description: i-band PSF full width at half maximum.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 2640
  - name: i_gaap1p0Flux
    '@id': "#Object.i_gaap1p0Flux"
    datatype: double
    description: i-band GAaP flux with a 1.0 arcsec aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 2710
  - name: i_inputCount
    '@id': "#Object.i_inputCount"
    datatype: int
    description: i-band number of images contributing to the coadd here.
    tap:principal: 0
    tap:column_index: 2990
  - name: i_ixx
    '@id': "#Object.i_ixx"
    datatype: double
    description: i-band second moment xx of the source.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 3020
  - name: i_ixxPSF
    '@id': "#Object.i_ixxPSF"
    datatype: double
    description: i-band second moment xx of the PSF.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 3040
  - name: i_ixy
    '@id': "#Object.i_ixy"
    datatype: double
    description: i-band second moment xy of the source.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 3060
  - name: i_ixyPSF
    '@id': "#Object.i_ixyPSF"
    datatype: double
    description: i-band second moment xy of the PSF.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 3080
  - name: i_iyy
    '@id': "#Object.i_iyy"
    datatype: double
    description: i-band second moment yy of the source.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 3100
  - name: i_iyyPSF
    '@id': "#Object.i_iyyPSF"
    datatype: double
    description: i-band second moment yy of the PSF.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 3120
  - name: i_kronFlux
    '@id': "#Object.i_kronFlux"
    datatype: double
    description: i-band flux in the Kron aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 3140
  - name: i_kronFluxErr
    '@id': "#Object.i_kronFluxErr"
    datatype: double
    description: i-band uncertainty of the Kron flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 3150
  - name: i_kronFlux_flag
    '@id': "#Object.i_kronFlux_flag"
    datatype: boolean
    description: i-band Kron flux measurement failed.
    tap:principal: 0
    tap:column_index: 3160
  - name: i_kronRad
    '@id': "#Object.i_kronRad"
    datatype: float
    description: i-band Kron radius.
    tap:principal: 0
    tap:column_index: 3260
  - name: i_pixelFlags_inexact_psfCenter
    '@id': "#Object.i_pixelFlags_inexact_psfCenter"
    datatype: boolean
    description: i-band PSF inexact at the center.
    tap:principal: 0
    tap:column_index: 3340
  - name: i_pixelFlags_saturatedCenter
    '@id': "#Object.i_pixelFlags_saturatedCenter"
    datatype: boolean
    description: i-band saturated pixel in the center.
    tap:principal: 0
    tap:column_index: 3390
  - name: i_psfFlux
    '@id': "#Object.i_psfFlux"
    datatype: double
    description: i-band PSF-model flux.
    ivoa:unit: nJy
    tap:principal: 1
    tap:column_index: 3440
  - name: i_psfFluxErr
    '@id': "#Object.i_psfFluxErr"
    datatype: double
    description: i-band uncertainty of the PSF-model flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 3450
  - name: i_psfFlux_flag
    '@id': "#Object.i_psfFlux_flag"
    datatype: boolean
    description: i-band PSF flux measurement failed.
    tap:principal: 0
    tap:column_index: 3470
  - name: r_ap09Flux
    '@id': "#Object.r_ap09Flux"
    datatype: double
    description: r-band flux in a 9-pixel circular aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 3580
  - name: r_ap09FluxErr
    '@id': "#Object.r_ap09FluxErr"
    datatype: double
    description: r-band uncertainty of the 9-pixel aperture flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 3590
  - name: r_blendedness
    '@id': "#Object.r_blendedness"
    datatype: double
    description: r-band how much the flux is affected by neighbours.
    tap:principal: 0
    tap:column_index: 3910
  - name: r_cModelFlux
    '@id': "#Object.r_cModelFlux"
    datatype: double
    description: r-band composite-model (cModel) flux.
    ivoa:unit: nJy
    tap:principal: 1
    tap:column_index: 3930
  - name: r_cModelFluxErr
    '@id': "#Object.r_cModelFluxErr"
    datatype: double
    description: r-band uncertainty of the cModel flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 3940
  - name: r_cModel_flag
    '@id': "#Object.r_cModel_flag"
    datatype: boolean
    description: r-band cModel fit failed.
    tap:principal: 0
    tap:column_index: 3960
  - name: r_calibFlux
    '@id': "#Object.r_calibFlux"
    datatype: double
    description: r-band flux in the 12-pixel calibration aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 3980
  - name: r_calibFluxErr
    '@id': "#Object.r_calibFluxErr"
    datatype: double
    description: r-band uncertainty of the calibration-aperture flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 3990
  - name: r_centroid_flag
    '@id': "#Object.r_centroid_flag"
    datatype: boolean
    description: r-band centroid measurement failed.
    tap:principal: 0
    tap:column_index: 4090
  - name: r_decl
    '@id': "#Object.r_decl"
    datatype: double
    description: r-band declination measured in this band.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.dec
    tap:principal: 0
    tap:column_index: 4140
  - name: r_extendedness
    '@id': "#Object.r_extendedness"
    datatype: double
    description: r-band 1 if extended, 0 if point-like.
    tap:principal: 0
    tap:column_index: 4150
  - name: r_extendedness_flag
    '@id': "#Object.r_extendedness_flag"
    datatype: boolean
    description: r-band extendedness could not be computed.
    tap:principal: 0
    tap:column_index: 4160
  - name: r_hsmShapeRegauss_e1
    '@id': "#Object.r_hsmShapeRegauss_e1"
    datatype: double
    description: r-band HSM regaussianization ellipticity e1.
    tap:principal: 0
    tap:column_index: 4510
  - name: r_hsmShapeRegauss_e2
    '@id': "#Object.r_hsmShapeRegauss_e2"
    datatype: double
    description: r-band HSM regaussianization ellipticity e2.
    tap:principal: 0
    tap:column_index: 4520
  - name: r_hsmShapeRegauss_sigma
    '@id': "#Object.r_hsmShapeRegauss_sigma"
    datatype: double
    description: r-band HSM regaussianization shape noise.
    tap:principal: 0
    tap:column_index: 4540
  - name: r_ixx
    '@id': "#Object.r_ixx"
    datatype: double
    description: r-band second moment xx of the source.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 4620
  - name: r_ixxPSF
    '@id': "#Object.r_ixxPSF"
    datatype: double
    description: r-band second moment xx of the PSF.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 4640
  - name: r_iyy
    '@id': "#Object.r_iyy"
    datatype: double
    description: r-band second moment yy of the source.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 4700
  - name: r_iyyPSF
    '@id': "#Object.r_iyyPSF"
    datatype: double
    description: r-band second moment yy of the PSF.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 4720
  - name: r_kronRad
    '@id': "#Object.r_kronRad"
    datatype: float
    description: r-band Kron radius.
    tap:principal: 0
    tap:column_index: 4860
  - name: r_psfFlux
    '@id': "#Object.r_psfFlux"
    datatype: double
    description: r-band PSF-model flux.
    ivoa:unit: nJy
    tap:principal: 1
    tap:column_index: 5040
  - name: r_psfFluxErr
    '@id': "#Object.r_psfFluxErr"
    datatype: double
    description: r-band uncertainty of the PSF-model flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 5050
  - name: r_psfFlux_flag
    '@id': "#Object.r_psfFlux_flag"
    datatype: boolean
    description: r-band PSF flux measurement failed.
    tap:principal: 0
    tap:column_index: 5070
  - name: r_ra
    '@id': "#Object.r_ra"
    datatype: double
    description: r-band right ascension measured in this band.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.ra
    tap:principal: 0
    tap:column_index: 5110
  - name: u_ap09Flux
    '@id': "#Object.u_ap09Flux"
    datatype: double
    description: u-band flux in a 9-pixel circular aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 5180
  - name: u_ap09FluxErr
    '@id': "#Object.u_ap09FluxErr"
    datatype: double
    description: u-band uncertainty of the 9-pixel aperture flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 5190
  - name: u_cModelFlux
    '@id': "#Object.u_cModelFlux"
    datatype: double
    description: u-band composite-model (cModel) flux.
    ivoa:unit: nJy
    tap:principal: 1
    tap:column_index: 5530
  - name: u_cModelFluxErr
    '@id': "#Object.u_cModelFluxErr"
    datatype: double
    description: u-band uncertainty of the cModel flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 5540
  - name: u_cModel_flag
    '@id': "#Object.u_cModel_flag"
    datatype: boolean
    description: u-band cModel fit failed.
    tap:principal: 0
    tap:column_index: 5560
  - name: u_calibFlux
    '@id': "#Object.u_calibFlux"
    datatype: double
    description: u-band flux in the 12-pixel calibration aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 5580
  - name: u_calibFluxErr
    '@id': "#Object.u_calibFluxErr"
    datatype: double
    description: u-band uncertainty of the calibration-aperture flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 5590
  - name: u_extendedness
    '@id': "#Object.u_extendedness"
    datatype: double
    description: u-band 1 if extended, 0 if point-like.
    tap:principal: 0
    tap:column_index: 5750
  - name: u_extendedness_flag
    '@id': "#Object.u_extendedness_flag"
    datatype: boolean
    description: u-band extendedness could not be computed.
    tap:principal: 0
    tap:column_index: 5760
  - name: u_ixx
    '@id': "#Object.u_ixx"
    datatype: double
    description: u-band second moment xx of the source.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 6220
  - name: u_ixxPSF
    '@id': "#Object.u_ixxPSF"
    datatype: double
    description: u-band second moment xx of the PSF.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 6240
  - name: u_iyy
    '@id': "#Object.u_iyy"
    datatype: double
    description: u-band second moment yy of the source.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 6300
  - name: u_iyyPSF
    '@id': "#Object.u_iyyPSF"
    datatype: double
    description: u-band second moment yy of the PSF.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 6320
  - name: u_psfFlux
    '@id': "#Object.u_psfFlux"
    datatype: double
    description: u-band PSF-model flux.
    ivoa:unit: nJy
    tap:principal: 1
    tap:column_index: 6640
  - name: u_psfFluxErr
    '@id': "#Object.u_psfFluxErr"
    datatype: double
    description: u-band uncertainty of the PSF-model flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 6650
  - name: u_psfFlux_flag
    '@id': "#Object.u_psfFlux_flag"
    datatype: boolean
    description: u-band PSF flux measurement failed.
    tap:principal: 0
    tap:column_index: 6670
  - name: y_ap09Flux
    '@id': "#Object.y_ap09Flux"
    datatype: double
    description: y-band flux in a 9-pixel circular aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 6780
  - name: y_ap09FluxErr
    '@id': "#Object.y_ap09FluxErr"
    datatype: double
    description: y-band uncertainty of the 9-pixel aperture flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 6790
  - name: y_cModelFlux
    '@id': "#Object.y_cModelFlux"
    datatype: double
    description: y-band composite-model (cModel) flux.
    ivoa:unit: nJy
    tap:principal: 1
    tap:column_index: 7130
  - name: y_cModelFluxErr
    '@id': "#Object.y_cModelFluxErr"
    datatype: double
    description: y-band uncertainty of the cModel flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 7140
  - name: y_cModel_flag
    '@id': "#Object.y_cModel_flag"
    datatype: boolean
    description: y-band cModel fit failed.
    tap:principal: 0
    tap:column_index: 7160
  - name: y_calibFlux
    '@id': "#Object.y_calibFlux"
    datatype: double
    description: y-band flux in the 12-pixel calibration aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 7180
  - name: y_calibFluxErr
    '@id': "#Object.y_calibFluxErr"
    datatype: double
    description: y-band uncertainty of the calibration-aperture flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 7190
  - name: y_extendedness
    '@id': "#Object.y_extendedness"
    datatype: double
    description: y-band 1 if extended, 0 if point-like.
    tap:principal: 0
    tap:column_index: 7350
  - name: y_extendedness_flag
    '@id': "#Object.y_extendedness_flag"
    datatype: boolean
    description: y-band extendedness could not be computed.
    tap:principal: 0
    tap:column_index: 7360
  - name: y_ixx
    '@id': "#Object.y_ixx"
    datatype: double
    description: y-band second moment xx of the source.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 7820
  - name: y_ixxPSF
    '@id': "#Object.y_ixxPSF"
    datatype: double
    description: y-band second moment xx of the PSF.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 7840
  - name: y_iyy
    '@id': "#Object.y_iyy"
    datatype: double
    description: y-band second moment yy of the source.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 7900
  - name: y_iyyPSF
    '@id': "#Object.y_iyyPSF"
    datatype: double
    description: y-band second moment yy of the PSF.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 7920
  - name: y_psfFlux
    '@id': "#Object.y_psfFlux"
    datatype: double
    description: y-band PSF-model flux.
    ivoa:unit: nJy
    tap:principal: 1
    tap:column_index: 8240
  - name: y_psfFluxErr
    '@id': "#Object.y_psfFluxErr"
    datatype: double
    description: y-band uncertainty of the PSF-model flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 8250
  - name: y_psfFlux_flag
    '@id': "#Object.y_psfFlux_flag"
    datatype: boolean
    description: y-band PSF flux measurement failed.
    tap:principal: 0
    tap:column_index: 8270
  - name: z_ap09Flux
    '@id': "#Object.z_ap09Flux"
    datatype: double
    description: z-band flux in a 9-pixel circular aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 8380
  - name: z_ap09FluxErr
    '@id': "#Object.z_ap09FluxErr"
    datatype: double
    description: z-band uncertainty of the 9-pixel aperture flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 8390
  - name: z_blendedness
    '@id': "#Object.z_blendedness"
    datatype: double
    description: z-band how much the flux is affected by neighbours.
    tap:principal: 0
    tap:column_index: 8710
  - name: z_cModelFlux
    '@id': "#Object.z_cModelFlux"
    datatype: double
    description: z-band composite-model (cModel) flux.
    ivoa:unit: nJy
    tap:principal: 1
    tap:column_index: 8730
  - name: z_cModelFluxErr
    '@id': "#Object.z_cModelFluxErr"
    datatype: double
    description: z-band uncertainty of the cModel flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 8740
  - name: z_cModel_flag
    '@id': "#Object.z_cModel_flag"
    datatype: boolean
    description: z-band cModel fit failed.
    tap:principal: 0
    tap:column_index: 8760
  - name: z_calibFlux
    '@id': "#Object.z_calibFlux"
    datatype: double
    description: z-band flux in the 12-pixel calibration aperture.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 8780
  - name: z_calibFluxErr
    '@id': "#Object.z_calibFluxErr"
    datatype: double
    description: z-band uncertainty of the calibration-aperture flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 8790
  - name: z_extendedness
    '@id': "#Object.z_extendedness"
    datatype: double
    description: z-band 1 if extended, 0 if point-like.
    tap:principal: 0
    tap:column_index: 8950
  - name: z_extendedness_flag
    '@id': "#Object.z_extendedness_flag"
    datatype: boolean
    description: z-band extendedness could not be computed.
    tap:principal: 0
    tap:column_index: 8960
  - name: z_ixx
    '@id': "#Object.z_ixx"
    datatype: double
    description: z-band second moment xx of the source.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 9420
  - name: z_ixxPSF
    '@id': "#Object.z_ixxPSF"
    datatype: double
    description: z-band second moment xx of the PSF.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 9440
  - name: z_iyy
    '@id': "#Object.z_iyy"
    datatype: double
    description: z-band second moment yy of the source.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 9500
  - name: z_iyyPSF
    '@id': "#Object.z_iyyPSF"
    datatype: double
    description: z-band second moment yy of the PSF.
    ivoa:unit: pixel**2
    tap:principal: 0
    tap:column_index: 9520
  - name: z_psfFlux
    '@id': "#Object.z_psfFlux"
    datatype: double
    description: z-band PSF-model flux.
    ivoa:unit: nJy
    tap:principal: 1
    tap:column_index: 9840
  - name: z_psfFluxErr
    '@id': "#Object.z_psfFluxErr"
    datatype: double
    description: z-band uncertainty of the PSF-model flux.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 9850
  - name: z_psfFlux_flag
    '@id': "#Object.z_psfFlux_flag"
    datatype: boolean
    description: z-band PSF flux measurement failed.
    tap:principal: 0
    tap:column_index: 9870
- name: Source
  '@id': "#Source"
  description: Detections measured on single-epoch calibrated exposures.
  primaryKey: "#Source.sourceId"
  tap:table_index: 20
  columns:
  - name: sourceId
    '@id': "#Source.sourceId"
    datatype: long
    description: Source identifier (primary key).
    ivoa:ucd: meta.id;src;meta.main
    nullable: false
    tap:column_index: 10
  - name: coord_ra
    '@id': "#Source.coord_ra"
    datatype: double
    description: Right ascension (ICRS) used to place the row on the sky.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.ra;meta.main
    tap:column_index: 20
  - name: coord_dec
    '@id': "#Source.coord_dec"
    datatype: double
    description: Declination (ICRS) used to place the row on the sky.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.dec;meta.main
    tap:column_index: 30
  - name: ccdVisitId
    '@id': "#Source.ccdVisitId"
    datatype: long
    description: Detector image identifier (CcdVisit key).
    ivoa:ucd: meta.id;obs.image
    tap:column_index: 40
  - name: parentSourceId
    '@id': "#Source.parentSourceId"
    datatype: long
    description: Deblend parent Source id.
    ivoa:ucd: meta.id.parent
    tap:column_index: 50
  - name: x
    '@id': "#Source.x"
    datatype: double
    description: Centroid column on the coadd.
    ivoa:unit: pixel
    tap:column_index: 60
  - name: y
    '@id': "#Source.y"
    datatype: double
    description: Centroid row on the coadd.
    ivoa:unit: pixel
    tap:column_index: 70
  - name: xErr
    '@id': "#Source.xErr"
    datatype: float
    description: Uncertainty of x.
    ivoa:unit: pixel
    tap:column_index: 80
  - name: yErr
    '@id': "#Source.yErr"
    datatype: float
    description: Uncertainty of y.
    ivoa:unit: pixel
    tap:column_index: 90
  - name: ra
    '@id': "#Source.ra"
    datatype: double
    description: Right ascension (ICRS).
    ivoa:unit: deg
    ivoa:ucd: pos.eq.ra
    tap:column_index: 100
  - name: decl
    '@id': "#Source.decl"
    datatype: double
    description: Declination (ICRS).
    ivoa:unit: deg
    ivoa:ucd: pos.eq.dec
    tap:column_index: 110
  - name: calibFlux
    '@id': "#Source.calibFlux"
    datatype: double
    description: Calibration-aperture flux.
    ivoa:unit: nJy
    tap:column_index: 120
  - name: calibFluxErr
    '@id': "#Source.calibFluxErr"
    datatype: double
    description: Uncertainty of calibFlux.
    ivoa:unit: nJy
    tap:column_index: 130
  - name: ap09Flux
    '@id': "#Source.ap09Flux"
    datatype: double
    description: ap09Flux.
    ivoa:unit: nJy
    tap:column_index: 200
  - name: ap09FluxErr
    '@id': "#Source.ap09FluxErr"
    datatype: double
    description: Uncertainty of ap09Flux.
    ivoa:unit: nJy
    tap:column_index: 210
  - name: psfFlux
    '@id': "#Source.psfFlux"
    datatype: double
    description: PSF-model flux.
    ivoa:unit: nJy
    tap:column_index: 430
  - name: psfFluxErr
    '@id': "#Source.psfFluxErr"
    datatype: double
    description: Uncertainty of psfFlux.
    ivoa:unit: nJy
    tap:column_index: 440
  - name: ixx
    '@id': "#Source.ixx"
    datatype: double
    description: Second moment xx.
    ivoa:unit: pixel**2
    tap:column_index: 450
  - name: iyy
    '@id': "#Source.iyy"
    datatype: double
    description: Second moment yy.
    ivoa:unit: pixel**2
    tap:column_index: 460
  - name: ixy
    '@id': "#Source.ixy"
    datatype: double
    description: Second moment xy.
    ivoa:unit: pixel**2
    tap:column_index: 470
  - name: ixxPSF
    '@id': "#Source.ixxPSF"
    datatype: double
    description: PSF second moment xx.
    ivoa:unit: pixel**2
    tap:column_index: 480
  - name: iyyPSF
    '@id': "#Source.iyyPSF"
    datatype: double
    description: PSF second moment yy.
    ivoa:unit: pixel**2
    tap:column_index: 490
  - name: ixyPSF
    '@id': "#Source.ixyPSF"
    datatype: double
    description: PSF second moment xy.
    ivoa:unit: pixel**2
    tap:column_index: 500
  - name: extendedness
    '@id': "#Source.extendedness"
    datatype: double
    description: 1 if extended, 0 if point-like.
    tap:column_index: 530
  - name: pixelFlags_bad
    '@id': "#Source.pixelFlags_bad"
    datatype: boolean
    description: 'Pixel mask bit set: bad.'
    tap:column_index: 830
  - name: pixelFlags_saturated
    '@id': "#Source.pixelFlags_saturated"
    datatype: boolean
    description: 'Pixel mask bit set: saturated.'
    tap:column_index: 900
  - name: pixelFlags_suspectCenter
    '@id': "#Source.pixelFlags_suspectCenter"
    datatype: boolean
    description: 'Pixel mask bit set: suspectCenter.'
    tap:column_index: 930
  - name: psfFlux_flag
    '@id': "#Source.psfFlux_flag"
    datatype: boolean
    description: PSF flux measurement failed.
    tap:column_index: 970
  - name: calib_psf_used
    '@id': "#Source.calib_psf_used"
    datatype: boolean
    description: Used to model the PSF.
    tap:column_index: 1180
  - name: sky_source
    '@id': "#Source.sky_source"
    datatype: boolean
    description: Blank-sky measurement.
    tap:column_index: 1370
  - name: detect_isPrimary
    '@id': "#Source.detect_isPrimary"
    datatype: boolean
    description: 'Primary detection: unique, inner region, not a sky source. Use for science samples.'
    tap:column_index: 1380
  - name: band
    '@id': "#Source.band"
    datatype: char
    length: 1
    description: Filter band (u, g, r, i, z or y).
    tap:column_index: 1390
  - name: instrument
    '@id': "#Source.instrument"
    datatype: char
    length: 13
    description: Instrument name.
    tap:column_index: 1400
  - name: detector
    '@id': "#Source.detector"
    datatype: long
    description: Detector number.
    tap:column_index: 1410
  - name: physical_filter
    '@id': "#Source.physical_filter"
    datatype: char
    length: 9
    description: Physical filter name.
    tap:column_index: 1420
  - name: visit
    '@id': "#Source.visit"
    datatype: long
    description: Visit identifier.
    tap:column_index: 1440
  indexes:
  - name: IDX_Source_ccdVisitId
    '@id': "#IDX_Source_ccdVisitId"
    columns:
    - "#Source.ccdVisitId"
  constraints:
  - name: CcdV_Src
    '@type': ForeignKey
    '@id': "#FK_Source_ccdVisitId_CcdVisit_ccdVisitId"
    description: Links Source rows to CcdVisit.
    columns:
    - "#Source.ccdVisitId"
    referencedColumns:
    - "#CcdVisit.ccdVisitId"
- name: ForcedSource
  '@id': "#ForcedSource"
  description: Forced PSF photometry of every Object on each single-epoch image and difference image.
  primaryKey: "#ForcedSource.forcedSourceId"
  tap:table_index: 30
  columns:
  - name: forcedSourceId
    '@id': "#ForcedSource.forcedSourceId"
    datatype: long
    description: Forced measurement identifier (primary key).
    ivoa:ucd: meta.id;meta.main
    tap:principal: 1
    tap:column_index: 10
  - name: objectId
    '@id': "#ForcedSource.objectId"
    datatype: long
    description: Object identifier (primary key).
    ivoa:ucd: meta.id
    tap:principal: 1
    tap:column_index: 20
  - name: parentObjectId
    '@id': "#ForcedSource.parentObjectId"
    datatype: long
    description: Identifier of the deblend parent (0 if none).
    ivoa:ucd: meta.id.parent
    tap:principal: 0
    tap:column_index: 30
  - name: coord_ra
    '@id': "#ForcedSource.coord_ra"
    datatype: double
    description: Right ascension (ICRS) used to place the row on the sky.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.ra;meta.main
    tap:principal: 0
    tap:column_index: 40
  - name: coord_dec
    '@id': "#ForcedSource.coord_dec"
    datatype: double
    description: Declination (ICRS) used to place the row on the sky.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.dec;meta.main
    tap:principal: 0
    tap:column_index: 50
  - name: skymap
    '@id': "#ForcedSource.skymap"
    datatype: char
    length: 12
    description: Name of the skymap.
    tap:principal: 0
    tap:column_index: 60
  - name: tract
    '@id': "#ForcedSource.tract"
    datatype: long
    description: Skymap tract number.
    ivoa:ucd: meta.id
    tap:principal: 0
    tap:column_index: 70
  - name: patch
    '@id': "#ForcedSource.patch"
    datatype: long
    description: Skymap patch number.
    ivoa:ucd: meta.id.part
    tap:principal: 0
    tap:column_index: 80
  - name: band
    '@id': "#ForcedSource.band"
    datatype: char
    length: 1
    description: Filter band (u, g, r, i, z or y).
    ivoa:ucd: meta.id;instr.filter
    tap:principal: 1
    tap:column_index: 90
  - name: ccdVisitId
    '@id': "#ForcedSource.ccdVisitId"
    datatype: long
    description: Detector image identifier (CcdVisit key).
    ivoa:ucd: meta.id;obs.image
    tap:principal: 1
    tap:column_index: 100
  - name: detect_isPatchInner
    '@id': "#ForcedSource.detect_isPatchInner"
    datatype: boolean
    description: In the inner region of its patch.
    ivoa:ucd: meta.code
    tap:principal: 0
    tap:column_index: 110
  - name: detect_isPrimary
    '@id': "#ForcedSource.detect_isPrimary"
    datatype: boolean
    description: 'Primary detection: unique, inner region, not a sky source. Use for science samples.'
    ivoa:ucd: meta.code.qual
    tap:principal: 1
    tap:column_index: 120
  - name: detect_isTractInner
    '@id': "#ForcedSource.detect_isTractInner"
    datatype: boolean
    description: In the inner region of its tract.
    ivoa:ucd: meta.code
    tap:principal: 0
    tap:column_index: 130
  - name: localPhotoCalibErr
    '@id': "#ForcedSource.localPhotoCalibErr"
    datatype: double
    description: Uncertainty of localPhotoCalib.
    ivoa:ucd: stat.error;phot.calib
    tap:principal: 0
    tap:column_index: 160
  - name: localPhotoCalib_flag
    '@id': "#ForcedSource.localPhotoCalib_flag"
    datatype: boolean
    description: Local calibration unavailable.
    ivoa:ucd: meta.code.qual
    tap:principal: 0
    tap:column_index: 170
  - name: localPhotoCalib
    '@id': "#ForcedSource.localPhotoCalib"
    datatype: double
    description: Local calibration factor from counts to nJy.
    ivoa:ucd: phot.calib
    tap:principal: 0
    tap:column_index: 180
  - name: pixelFlags_bad
    '@id': "#ForcedSource.pixelFlags_bad"
    datatype: boolean
    description: 'Pixel mask bit set: bad.'
    ivoa:ucd: meta.code.qual;instr.pixel
    tap:principal: 0
    tap:column_index: 240
  - name: pixelFlags_saturated
    '@id': "#ForcedSource.pixelFlags_saturated"
    datatype: boolean
    description: 'Pixel mask bit set: saturated.'
    ivoa:ucd: meta.code.qual;instr.pixel
    tap:principal: 0
    tap:column_index: 310
  - name: pixelFlags_suspect
    '@id': "#ForcedSource.pixelFlags_suspect"
    datatype: boolean
    description: 'Pixel mask bit set: suspect.'
    ivoa:ucd: meta.code.qual;instr.pixel
    tap:principal: 0
    tap:column_index: 330
  - name: psfDiffFluxErr
    '@id': "#ForcedSource.psfDiffFluxErr"
    datatype: double
    description: Uncertainty of psfDiffFlux.
    ivoa:unit: nJy
    ivoa:ucd: stat.error;phot.flux
    tap:principal: 1
    tap:column_index: 340
  - name: psfDiffFlux_flag
    '@id': "#ForcedSource.psfDiffFlux_flag"
    datatype: boolean
    description: Difference-image flux measurement failed.
    ivoa:ucd: meta.code.qual
    tap:principal: 0
    tap:column_index: 350
  - name: psfDiffFlux
    '@id': "#ForcedSource.psfDiffFlux"
    datatype: double
    description: PSF-model flux on the difference image.
    ivoa:unit: nJy
    ivoa:ucd: phot.flux
    tap:principal: 1
    tap:column_index: 360
  - name: psfFluxErr
    '@id': "#ForcedSource.psfFluxErr"
    datatype: double
    description: Uncertainty of psfFlux.
    ivoa:unit: nJy
    ivoa:ucd: stat.error;phot.flux
    tap:principal: 1
    tap:column_index: 370
  - name: psfFlux_flag
    '@id': "#ForcedSource.psfFlux_flag"
    datatype: boolean
    description: PSF flux measurement failed.
    ivoa:ucd: meta.code.qual
    tap:principal: 0
    tap:column_index: 380
  - name: psfFlux
    '@id': "#ForcedSource.psfFlux"
    datatype: double
    description: PSF-model flux.
    ivoa:unit: nJy
    ivoa:ucd: phot.flux
    tap:principal: 1
    tap:column_index: 390
  indexes:
  - name: IDX_ForcedSource_ccdVisitId
    '@id': "#IDX_ForcedSource_ccdVisitId"
    columns:
    - "#ForcedSource.ccdVisitId"
  constraints:
  - name: Obj_FS
    '@type': ForeignKey
    '@id': "#FK_ForcedSource_objectId_Object_objectId"
    description: Links ForcedSource rows to Object.
    columns:
    - "#ForcedSource.objectId"
    referencedColumns:
    - "#Object.objectId"
  - name: CcdV_FS
    '@type': ForeignKey
    '@id': "#FK_ForcedSource_ccdVisitId_CcdVisit_ccdVisitId"
    description: Links ForcedSource rows to CcdVisit.
    columns:
    - "#ForcedSource.ccdVisitId"
    referencedColumns:
    - "#CcdVisit.ccdVisitId"
- name: DiaObject
  '@id': "#DiaObject"
  description: Variable or transient objects built by associating difference-image detections.
  primaryKey: "#DiaObject.diaObjectId"
  tap:table_index: 40
  columns:
  - name: decl
    '@id': "#DiaObject.decl"
    datatype: double
    description: Declination (ICRS).
    ivoa:unit: deg
    ivoa:ucd: pos.eq.dec;meta.main
    tap:column_index: 10
  - name: diaObjectId
    '@id': "#DiaObject.diaObjectId"
    datatype: long
    description: DiaObject identifier.
    ivoa:ucd: meta.id;meta.main
    tap:column_index: 20
  - name: gPSFluxChi2
    '@id': "#DiaObject.gPSFluxChi2"
    datatype: double
    description: g-band chi-square of the fluxes about their mean (point-source difference-image fluxes).
    tap:column_index: 30
  - name: gPSFluxErrMean
    '@id': "#DiaObject.gPSFluxErrMean"
    datatype: double
    description: g-band mean flux uncertainty (point-source difference-image fluxes).
    tap:column_index: 40
  - name: gPSFluxLinearIntercept
    '@id': "#DiaObject.gPSFluxLinearIntercept"
    datatype: double
    description: g-band intercept of a linear fit of flux versus time (point-source difference-image fluxes).
    tap:column_index: 50
  - name: gPSFluxLinearSlope
    '@id': "#DiaObject.gPSFluxLinearSlope"
    datatype: double
    description: g-band slope of a linear fit of flux versus time (point-source difference-image fluxes).
    tap:column_index: 60
  - name: gPSFluxMAD
    '@id': "#DiaObject.gPSFluxMAD"
    datatype: double
    description: g-band median absolute deviation of the fluxes (point-source difference-image fluxes).
    tap:column_index: 70
  - name: gPSFluxMax
    '@id': "#DiaObject.gPSFluxMax"
    datatype: double
    description: g-band largest flux (point-source difference-image fluxes).
    tap:column_index: 80
  - name: gPSFluxMaxSlope
    '@id': "#DiaObject.gPSFluxMaxSlope"
    datatype: double
    description: g-band largest slope between consecutive fluxes (point-source difference-image fluxes).
    tap:column_index: 90
  - name: gPSFluxMean
    '@id': "#DiaObject.gPSFluxMean"
    datatype: double
    description: g-band mean flux (point-source difference-image fluxes).
    tap:column_index: 100
  - name: gPSFluxMeanErr
    '@id': "#DiaObject.gPSFluxMeanErr"
    datatype: double
    description: g-band uncertainty of the mean flux (point-source difference-image fluxes).
    tap:column_index: 110
  - name: gPSFluxMin
    '@id': "#DiaObject.gPSFluxMin"
    datatype: double
    description: g-band smallest flux (point-source difference-image fluxes).
    tap:column_index: 120
  - name: gPSFluxNdata
    '@id': "#DiaObject.gPSFluxNdata"
    datatype: double
    description: g-band number of flux measurements (point-source difference-image fluxes).
    tap:column_index: 130
  - name: gPSFluxPercentile05
    '@id': "#DiaObject.gPSFluxPercentile05"
    datatype: double
    description: g-band 5th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 140
  - name: gPSFluxPercentile25
    '@id': "#DiaObject.gPSFluxPercentile25"
    datatype: double
    description: g-band 25th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 150
  - name: gPSFluxPercentile50
    '@id': "#DiaObject.gPSFluxPercentile50"
    datatype: double
    description: g-band median flux (point-source difference-image fluxes).
    tap:column_index: 160
  - name: gPSFluxPercentile75
    '@id': "#DiaObject.gPSFluxPercentile75"
    datatype: double
    description: g-band 75th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 170
  - name: gPSFluxPercentile95
    '@id': "#DiaObject.gPSFluxPercentile95"
    datatype: double
    description: g-band 95th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 180
  - name: gPSFluxSigma
    '@id': "#DiaObject.gPSFluxSigma"
    datatype: double
    description: g-band standard deviation of the fluxes (point-source difference-image fluxes).
    tap:column_index: 190
  - name: gPSFluxSkew
    '@id': "#DiaObject.gPSFluxSkew"
    datatype: double
    description: g-band skewness of the fluxes (point-source difference-image fluxes).
    tap:column_index: 200
  - name: gPSFluxStetsonJ
    '@id': "#DiaObject.gPSFluxStetsonJ"
    datatype: double
    description: g-band Stetson J variability index (point-source difference-image fluxes).
    tap:column_index: 210
  - name: gTOTFluxMean
    '@id': "#DiaObject.gTOTFluxMean"
    datatype: double
    description: g-band mean flux (direct-image forced fluxes).
    tap:column_index: 220
  - name: gTOTFluxMeanErr
    '@id': "#DiaObject.gTOTFluxMeanErr"
    datatype: double
    description: g-band uncertainty of the mean flux (direct-image forced fluxes).
    tap:column_index: 230
  - name: gTOTFluxSigma
    '@id': "#DiaObject.gTOTFluxSigma"
    datatype: double
    description: g-band standard deviation of the fluxes (direct-image forced fluxes).
    tap:column_index: 240
  - name: iPSFluxChi2
    '@id': "#DiaObject.iPSFluxChi2"
    datatype: double
    description: i-band chi-square of the fluxes about their mean (point-source difference-image fluxes).
    tap:column_index: 250
  - name: iPSFluxErrMean
    '@id': "#DiaObject.iPSFluxErrMean"
    datatype: double
    description: i-band mean flux uncertainty (point-source difference-image fluxes).
    tap:column_index: 260
  - name: iPSFluxLinearIntercept
    '@id': "#DiaObject.iPSFluxLinearIntercept"
    datatype: double
    description: i-band intercept of a linear fit of flux versus time (point-source difference-image fluxes).
    tap:column_index: 270
  - name: iPSFluxLinearSlope
    '@id': "#DiaObject.iPSFluxLinearSlope"
    datatype: double
    description: i-band slope of a linear fit of flux versus time (point-source difference-image fluxes).
    tap:column_index: 280
  - name: iPSFluxMAD
    '@id': "#DiaObject.iPSFluxMAD"
    datatype: double
    description: i-band median absolute deviation of the fluxes (point-source difference-image fluxes).
    tap:column_index: 290
  - name: iPSFluxMax
    '@id': "#DiaObject.iPSFluxMax"
    datatype: double
    description: i-band largest flux (point-source difference-image fluxes).
    tap:column_index: 300
  - name: iPSFluxMaxSlope
    '@id': "#DiaObject.iPSFluxMaxSlope"
    datatype: double
    description: i-band largest slope between consecutive fluxes (point-source difference-image fluxes).
    tap:column_index: 310
  - name: iPSFluxMean
    '@id': "#DiaObject.iPSFluxMean"
    datatype: double
    description: i-band mean flux (point-source difference-image fluxes).
    tap:column_index: 320
  - name: iPSFluxMeanErr
    '@id': "#DiaObject.iPSFluxMeanErr"
    datatype: double
    description: i-band uncertainty of the mean flux (point-source difference-image fluxes).
    tap:column_index: 330
  - name: iPSFluxMin
    '@id': "#DiaObject.iPSFluxMin"
    datatype: double
    description: i-band smallest flux (point-source difference-image fluxes).
    tap:column_index: 340
  - name: iPSFluxNdata
    '@id': "#DiaObject.iPSFluxNdata"
    datatype: double
    description: i-band number of flux measurements (point-source difference-image fluxes).
    tap:column_index: 350
  - name: iPSFluxPercentile05
    '@id': "#DiaObject.iPSFluxPercentile05"
    datatype: double
    description: i-band 5th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 360
  - name: iPSFluxPercentile25
    '@id': "#DiaObject.iPSFluxPercentile25"
    datatype: double
    description: i-band 25th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 370
  - name: iPSFluxPercentile50
    '@id': "#DiaObject.iPSFluxPercentile50"
    datatype: double
    description: i-band median flux (point-source difference-image fluxes).
    tap:column_index: 380
  - name: iPSFluxPercentile75
    '@id': "#DiaObject.iPSFluxPercentile75"
    datatype: double
    description: i-band 75th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 390
  - name: iPSFluxPercentile95
    '@id': "#DiaObject.iPSFluxPercentile95"
    datatype: double
    description: i-band 95th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 400
  - name: iPSFluxSigma
    '@id': "#DiaObject.iPSFluxSigma"
    datatype: double
    description: i-band standard deviation of the fluxes (point-source difference-image fluxes).
    tap:column_index: 410
  - name: iPSFluxSkew
    '@id': "#DiaObject.iPSFluxSkew"
    datatype: double
    description: i-band skewness of the fluxes (point-source difference-image fluxes).
    tap:column_index: 420
  - name: iPSFluxStetsonJ
    '@id': "#DiaObject.iPSFluxStetsonJ"
    datatype: double
    description: i-band Stetson J variability index (point-source difference-image fluxes).
    tap:column_index: 430
  - name: iTOTFluxMean
    '@id': "#DiaObject.iTOTFluxMean"
    datatype: double
    description: i-band mean flux (direct-image forced fluxes).
    tap:column_index: 440
  - name: iTOTFluxMeanErr
    '@id': "#DiaObject.iTOTFluxMeanErr"
    datatype: double
    description: i-band uncertainty of the mean flux (direct-image forced fluxes).
    tap:column_index: 450
  - name: iTOTFluxSigma
    '@id': "#DiaObject.iTOTFluxSigma"
    datatype: double
    description: i-band standard deviation of the fluxes (direct-image forced fluxes).
    tap:column_index: 460
  - name: nDiaSources
    '@id': "#DiaObject.nDiaSources"
    datatype: long
    description: Number of associated DiaSources.
    tap:column_index: 470
  - name: pixelId
    '@id': "#DiaObject.pixelId"
    datatype: double
    description: HTM index of the position.
    tap:column_index: 480
  - name: rPSFluxChi2
    '@id': "#DiaObject.rPSFluxChi2"
    datatype: double
    description: r-band chi-square of the fluxes about their mean (point-source difference-image fluxes).
    tap:column_index: 490
  - name: rPSFluxErrMean
    '@id': "#DiaObject.rPSFluxErrMean"
    datatype: double
    description: r-band mean flux uncertainty (point-source difference-image fluxes).
    tap:column_index: 500
  - name: rPSFluxLinearIntercept
    '@id': "#DiaObject.rPSFluxLinearIntercept"
    datatype: double
    description: r-band intercept of a linear fit of flux versus time (point-source difference-image fluxes).
    tap:column_index: 510
  - name: rPSFluxLinearSlope
    '@id': "#DiaObject.rPSFluxLinearSlope"
    datatype: double
    description: r-band slope of a linear fit of flux versus time (point-source difference-image fluxes).
    tap:column_index: 520
  - name: rPSFluxMAD
    '@id': "#DiaObject.rPSFluxMAD"
    datatype: double
    description: r-band median absolute deviation of the fluxes (point-source difference-image fluxes).
    tap:column_index: 530
  - name: rPSFluxMax
    '@id': "#DiaObject.rPSFluxMax"
    datatype: double
    description: r-band largest flux (point-source difference-image fluxes).
    tap:column_index: 540
  - name: rPSFluxMaxSlope
    '@id': "#DiaObject.rPSFluxMaxSlope"
    datatype: double
    description: r-band largest slope between consecutive fluxes (point-source difference-image fluxes).
    tap:column_index: 550
  - name: rPSFluxMean
    '@id': "#DiaObject.rPSFluxMean"
    datatype: double
    description: r-band mean flux (point-source difference-image fluxes).
    tap:column_index: 560
  - name: rPSFluxMeanErr
    '@id': "#DiaObject.rPSFluxMeanErr"
    datatype: double
    description: r-band uncertainty of the mean flux (point-source difference-image fluxes).
    tap:column_index: 570
  - name: rPSFluxMin
    '@id': "#DiaObject.rPSFluxMin"
    datatype: double
    description: r-band smallest flux (point-source difference-image fluxes).
    tap:column_index: 580
  - name: rPSFluxNdata
    '@id': "#DiaObject.rPSFluxNdata"
    datatype: double
    description: r-band number of flux measurements (point-source difference-image fluxes).
    tap:column_index: 590
  - name: rPSFluxPercentile05
    '@id': "#DiaObject.rPSFluxPercentile05"
    datatype: double
    description: r-band 5th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 600
  - name: rPSFluxPercentile25
    '@id': "#DiaObject.rPSFluxPercentile25"
    datatype: double
    description: r-band 25th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 610
  - name: rPSFluxPercentile50
    '@id': "#DiaObject.rPSFluxPercentile50"
    datatype: double
    description: r-band median flux (point-source difference-image fluxes).
    tap:column_index: 620
  - name: rPSFluxPercentile75
    '@id': "#DiaObject.rPSFluxPercentile75"
    datatype: double
    description: r-band 75th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 630
  - name: rPSFluxPercentile95
    '@id': "#DiaObject.rPSFluxPercentile95"
    datatype: double
    description: r-band 95th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 640
  - name: rPSFluxSigma
    '@id': "#DiaObject.rPSFluxSigma"
    datatype: double
    description: r-band standard deviation of the fluxes (point-source difference-image fluxes).
    tap:column_index: 650
  - name: rPSFluxSkew
    '@id': "#DiaObject.rPSFluxSkew"
    datatype: double
    description: r-band skewness of the fluxes (point-source difference-image fluxes).
    tap:column_index: 660
  - name: rPSFluxStetsonJ
    '@id': "#DiaObject.rPSFluxStetsonJ"
    datatype: double
    description: r-band Stetson J variability index (point-source difference-image fluxes).
    tap:column_index: 670
  - name: rTOTFluxMean
    '@id': "#DiaObject.rTOTFluxMean"
    datatype: double
    description: r-band mean flux (direct-image forced fluxes).
    tap:column_index: 680
  - name: rTOTFluxMeanErr
    '@id': "#DiaObject.rTOTFluxMeanErr"
    datatype: double
    description: r-band uncertainty of the mean flux (direct-image forced fluxes).
    tap:column_index: 690
  - name: rTOTFluxSigma
    '@id': "#DiaObject.rTOTFluxSigma"
    datatype: double
    description: r-band standard deviation of the fluxes (direct-image forced fluxes).
    tap:column_index: 700
  - name: ra
    '@id': "#DiaObject.ra"
    datatype: double
    description: Right ascension (ICRS).
    ivoa:unit: deg
    ivoa:ucd: pos.eq.ra;meta.main
    tap:column_index: 710
  - name: radecTai
    '@id': "#DiaObject.radecTai"
    datatype: double
    description: Time of the position (MJD TAI).
    tap:column_index: 720
  - name: uPSFluxChi2
    '@id': "#DiaObject.uPSFluxChi2"
    datatype: double
    description: u-band chi-square of the fluxes about their mean (point-source difference-image fluxes).
    tap:column_index: 730
  - name: uPSFluxErrMean
    '@id': "#DiaObject.uPSFluxErrMean"
    datatype: double
    description: u-band mean flux uncertainty (point-source difference-image fluxes).
    tap:column_index: 740
  - name: uPSFluxLinearIntercept
    '@id': "#DiaObject.uPSFluxLinearIntercept"
    datatype: double
    description: u-band intercept of a linear fit of flux versus time (point-source difference-image fluxes).
    tap:column_index: 750
  - name: uPSFluxLinearSlope
    '@id': "#DiaObject.uPSFluxLinearSlope"
    datatype: double
    description: u-band slope of a linear fit of flux versus time (point-source difference-image fluxes).
    tap:column_index: 760
  - name: uPSFluxMAD
    '@id': "#DiaObject.uPSFluxMAD"
    datatype: double
    description: u-band median absolute deviation of the fluxes (point-source difference-image fluxes).
    tap:column_index: 770
  - name: uPSFluxMax
    '@id': "#DiaObject.uPSFluxMax"
    datatype: double
    description: u-band largest flux (point-source difference-image fluxes).
    tap:column_index: 780
  - name: uPSFluxMaxSlope
    '@id': "#DiaObject.uPSFluxMaxSlope"
    datatype: double
    description: u-band largest slope between consecutive fluxes (point-source difference-image fluxes).
    tap:column_index: 790
  - name: uPSFluxMean
    '@id': "#DiaObject.uPSFluxMean"
    datatype: double
    description: u-band mean flux (point-source difference-image fluxes).
    tap:column_index: 800
  - name: uPSFluxMeanErr
    '@id': "#DiaObject.uPSFluxMeanErr"
    datatype: double
    description: u-band uncertainty of the mean flux (point-source difference-image fluxes).
    tap:column_index: 810
  - name: uPSFluxMin
    '@id': "#DiaObject.uPSFluxMin"
    datatype: double
    description: u-band smallest flux (point-source difference-image fluxes).
    tap:column_index: 820
  - name: uPSFluxNdata
    '@id': "#DiaObject.uPSFluxNdata"
    datatype: double
    description: u-band number of flux measurements (point-source difference-image fluxes).
    tap:column_index: 830
  - name: uPSFluxPercentile05
    '@id': "#DiaObject.uPSFluxPercentile05"
    datatype: double
    description: u-band 5th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 840
  - name: uPSFluxPercentile25
    '@id': "#DiaObject.uPSFluxPercentile25"
    datatype: double
    description: u-band 25th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 850
  - name: uPSFluxPercentile50
    '@id': "#DiaObject.uPSFluxPercentile50"
    datatype: double
    description: u-band median flux (point-source difference-image fluxes).
    tap:column_index: 860
  - name: uPSFluxPercentile75
    '@id': "#DiaObject.uPSFluxPercentile75"
    datatype: double
    description: u-band 75th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 870
  - name: uPSFluxPercentile95
    '@id': "#DiaObject.uPSFluxPercentile95"
    datatype: double
    description: u-band 95th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 880
  - name: uPSFluxSigma
    '@id': "#DiaObject.uPSFluxSigma"
    datatype: double
    description: u-band standard deviation of the fluxes (point-source difference-image fluxes).
    tap:column_index: 890
  - name: uPSFluxSkew
    '@id': "#DiaObject.uPSFluxSkew"
    datatype: double
    description: u-band skewness of the fluxes (point-source difference-image fluxes).
    tap:column_index: 900
  - name: uPSFluxStetsonJ
    '@id': "#DiaObject.uPSFluxStetsonJ"
    datatype: double
    description: u-band Stetson J variability index (point-source difference-image fluxes).
    tap:column_index: 910
  - name: uTOTFluxMean
    '@id': "#DiaObject.uTOTFluxMean"
    datatype: double
    description: u-band mean flux (direct-image forced fluxes).
    tap:column_index: 920
  - name: uTOTFluxMeanErr
    '@id': "#DiaObject.uTOTFluxMeanErr"
    datatype: double
    description: u-band uncertainty of the mean flux (direct-image forced fluxes).
    tap:column_index: 930
  - name: uTOTFluxSigma
    '@id': "#DiaObject.uTOTFluxSigma"
    datatype: double
    description: u-band standard deviation of the fluxes (direct-image forced fluxes).
    tap:column_index: 940
  - name: yPSFluxChi2
    '@id': "#DiaObject.yPSFluxChi2"
    datatype: double
    description: y-band chi-square of the fluxes about their mean (point-source difference-image fluxes).
    tap:column_index: 950
  - name: yPSFluxErrMean
    '@id': "#DiaObject.yPSFluxErrMean"
    datatype: double
    description: y-band mean flux uncertainty (point-source difference-image fluxes).
    tap:column_index: 960
  - name: yPSFluxLinearIntercept
    '@id': "#DiaObject.yPSFluxLinearIntercept"
    datatype: double
    description: y-band intercept of a linear fit of flux versus time (point-source difference-image fluxes).
    tap:column_index: 970
  - name: yPSFluxLinearSlope
    '@id': "#DiaObject.yPSFluxLinearSlope"
    datatype: double
    description: y-band slope of a linear fit of flux versus time (point-source difference-image fluxes).
    tap:column_index: 980
  - name: yPSFluxMAD
    '@id': "#DiaObject.yPSFluxMAD"
    datatype: double
    description: y-band median absolute deviation of the fluxes (point-source difference-image fluxes).
    tap:column_index: 990
  - name: yPSFluxMax
    '@id': "#DiaObject.yPSFluxMax"
    datatype: double
    description: y-band largest flux (point-source difference-image fluxes).
    tap:column_index: 1000
  - name: yPSFluxMaxSlope
    '@id': "#DiaObject.yPSFluxMaxSlope"
    datatype: double
    description: y-band largest slope between consecutive fluxes (point-source difference-image fluxes).
    tap:column_index: 1010
  - name: yPSFluxMean
    '@id': "#DiaObject.yPSFluxMean"
    datatype: double
    description: y-band mean flux (point-source difference-image fluxes).
    tap:column_index: 1020
  - name: yPSFluxMeanErr
    '@id': "#DiaObject.yPSFluxMeanErr"
    datatype: double
    description: y-band uncertainty of the mean flux (point-source difference-image fluxes).
    tap:column_index: 1030
  - name: yPSFluxMin
    '@id': "#DiaObject.yPSFluxMin"
    datatype: double
    description: y-band smallest flux (point-source difference-image fluxes).
    tap:column_index: 1040
  - name: yPSFluxNdata
    '@id': "#DiaObject.yPSFluxNdata"
    datatype: double
    description: y-band number of flux measurements (point-source difference-image fluxes).
    tap:column_index: 1050
  - name: yPSFluxPercentile05
    '@id': "#DiaObject.yPSFluxPercentile05"
    datatype: double
    description: y-band 5th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 1060
  - name: yPSFluxPercentile25
    '@id': "#DiaObject.yPSFluxPercentile25"
    datatype: double
    description: y-band 25th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 1070
  - name: yPSFluxPercentile50
    '@id': "#DiaObject.yPSFluxPercentile50"
    datatype: double
    description: y-band median flux (point-source difference-image fluxes).
    tap:column_index: 1080
  - name: yPSFluxPercentile75
    '@id': "#DiaObject.yPSFluxPercentile75"
    datatype: double
    description: y-band 75th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 1090
  - name: yPSFluxPercentile95
    '@id': "#DiaObject.yPSFluxPercentile95"
    datatype: double
    description: y-band 95th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 1100
  - name: yPSFluxSigma
    '@id': "#DiaObject.yPSFluxSigma"
    datatype: double
    description: y-band standard deviation of the fluxes (point-source difference-image fluxes).
    tap:column_index: 1110
  - name: yPSFluxSkew
    '@id': "#DiaObject.yPSFluxSkew"
    datatype: double
    description: y-band skewness of the fluxes (point-source difference-image fluxes).
    tap:column_index: 1120
  - name: yPSFluxStetsonJ
    '@id': "#DiaObject.yPSFluxStetsonJ"
    datatype: double
    description: y-band Stetson J variability index (point-source difference-image fluxes).
    tap:column_index: 1130
  - name: yTOTFluxMean
    '@id': "#DiaObject.yTOTFluxMean"
    datatype: double
    description: y-band mean flux (direct-image forced fluxes).
    tap:column_index: 1140
  - name: yTOTFluxMeanErr
    '@id': "#DiaObject.yTOTFluxMeanErr"
    datatype: double
    description: y-band uncertainty of the mean flux (direct-image forced fluxes).
    tap:column_index: 1150
  - name: yTOTFluxSigma
    '@id': "#DiaObject.yTOTFluxSigma"
    datatype: double
    description: y-band standard deviation of the fluxes (direct-image forced fluxes).
    tap:column_index: 1160
  - name: zPSFluxChi2
    '@id': "#DiaObject.zPSFluxChi2"
    datatype: double
    description: z-band chi-square of the fluxes about their mean (point-source difference-image fluxes).
    tap:column_index: 1170
  - name: zPSFluxErrMean
    '@id': "#DiaObject.zPSFluxErrMean"
    datatype: double
    description: z-band mean flux uncertainty (point-source difference-image fluxes).
    tap:column_index: 1180
  - name: zPSFluxLinearIntercept
    '@id': "#DiaObject.zPSFluxLinearIntercept"
    datatype: double
    description: z-band intercept of a linear fit of flux versus time (point-source difference-image fluxes).
    tap:column_index: 1190
  - name: zPSFluxLinearSlope
    '@id': "#DiaObject.zPSFluxLinearSlope"
    datatype: double
    description: z-band slope of a linear fit of flux versus time (point-source difference-image fluxes).
    tap:column_index: 1200
  - name: zPSFluxMAD
    '@id': "#DiaObject.zPSFluxMAD"
    datatype: double
    description: z-band median absolute deviation of the fluxes (point-source difference-image fluxes).
    tap:column_index: 1210
  - name: zPSFluxMax
    '@id': "#DiaObject.zPSFluxMax"
    datatype: double
    description: z-band largest flux (point-source difference-image fluxes).
    tap:column_index: 1220
  - name: zPSFluxMaxSlope
    '@id': "#DiaObject.zPSFluxMaxSlope"
    datatype: double
    description: z-band largest slope between consecutive fluxes (point-source difference-image fluxes).
    tap:column_index: 1230
  - name: zPSFluxMean
    '@id': "#DiaObject.zPSFluxMean"
    datatype: double
    description: z-band mean flux (point-source difference-image fluxes).
    tap:column_index: 1240
  - name: zPSFluxMeanErr
    '@id': "#DiaObject.zPSFluxMeanErr"
    datatype: double
    description: z-band uncertainty of the mean flux (point-source difference-image fluxes).
    tap:column_index: 1250
  - name: zPSFluxMin
    '@id': "#DiaObject.zPSFluxMin"
    datatype: double
    description: z-band smallest flux (point-source difference-image fluxes).
    tap:column_index: 1260
  - name: zPSFluxNdata
    '@id': "#DiaObject.zPSFluxNdata"
    datatype: double
    description: z-band number of flux measurements (point-source difference-image fluxes).
    tap:column_index: 1270
  - name: zPSFluxPercentile05
    '@id': "#DiaObject.zPSFluxPercentile05"
    datatype: double
    description: z-band 5th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 1280
  - name: zPSFluxPercentile25
    '@id': "#DiaObject.zPSFluxPercentile25"
    datatype: double
    description: z-band 25th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 1290
  - name: zPSFluxPercentile50
    '@id': "#DiaObject.zPSFluxPercentile50"
    datatype: double
    description: z-band median flux (point-source difference-image fluxes).
    tap:column_index: 1300
  - name: zPSFluxPercentile75
    '@id': "#DiaObject.zPSFluxPercentile75"
    datatype: double
    description: z-band 75th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 1310
  - name: zPSFluxPercentile95
    '@id': "#DiaObject.zPSFluxPercentile95"
    datatype: double
    description: z-band 95th percentile of the fluxes (point-source difference-image fluxes).
    tap:column_index: 1320
  - name: zPSFluxSigma
    '@id': "#DiaObject.zPSFluxSigma"
    datatype: double
    description: z-band standard deviation of the fluxes (point-source difference-image fluxes).
    tap:column_index: 1330
  - name: zPSFluxSkew
    '@id': "#DiaObject.zPSFluxSkew"
    datatype: double
    description: z-band skewness of the fluxes (point-source difference-image fluxes).
    tap:column_index: 1340
  - name: zPSFluxStetsonJ
    '@id': "#DiaObject.zPSFluxStetsonJ"
    datatype: double
    description: z-band Stetson J variability index (point-source difference-image fluxes).
    tap:column_index: 1350
  - name: zTOTFluxMean
    '@id': "#DiaObject.zTOTFluxMean"
    datatype: double
    description: z-band mean flux (direct-image forced fluxes).
    tap:column_index: 1360
  - name: zTOTFluxMeanErr
    '@id': "#DiaObject.zTOTFluxMeanErr"
    datatype: double
    description: z-band uncertainty of the mean flux (direct-image forced fluxes).
    tap:column_index: 1370
  - name: zTOTFluxSigma
    '@id': "#DiaObject.zTOTFluxSigma"
    datatype: double
    description: z-band standard deviation of the fluxes (direct-image forced fluxes).
    tap:column_index: 1380
- name: DiaSource
  '@id': "#DiaSource"
  description: Detections on single-epoch difference images.
  primaryKey: "#DiaSource.diaSourceId"
  tap:table_index: 50
  columns:
  - name: apFlux
    '@id': "#DiaSource.apFlux"
    datatype: double
    description: Aperture flux on the difference image.
    ivoa:unit: nJy
    tap:column_index: 10
  - name: apFluxErr
    '@id': "#DiaSource.apFluxErr"
    datatype: double
    description: Uncertainty of apFlux.
    ivoa:unit: nJy
    tap:column_index: 20
  - name: apFlux_flag
    '@id': "#DiaSource.apFlux_flag"
    datatype: boolean
    description: Quality flag apFlux_flag.
    tap:column_index: 30
  - name: apFlux_flag_apertureTruncated
    '@id': "#DiaSource.apFlux_flag_apertureTruncated"
    datatype: boolean
    description: Quality flag apFlux_flag_apertureTruncated.
    tap:column_index: 40
  - name: bboxSize
    '@id': "#DiaSource.bboxSize"
    datatype: long
    description: Footprint bounding-box size.
    tap:column_index: 50
  - name: ccdVisitId
    '@id': "#DiaSource.ccdVisitId"
    datatype: long
    description: Detector image identifier (CcdVisit key).
    ivoa:ucd: meta.id;obs.image
    tap:column_index: 60
  - name: centroid_flag
    '@id': "#DiaSource.centroid_flag"
    datatype: boolean
    description: Quality flag centroid_flag.
    tap:column_index: 70
  - name: centroid_neg_flag
    '@id': "#DiaSource.centroid_neg_flag"
    datatype: boolean
    description: Quality flag centroid_neg_flag.
    tap:column_index: 80
  - name: centroid_pos_flag
    '@id': "#DiaSource.centroid_pos_flag"
    datatype: boolean
    description: Quality flag centroid_pos_flag.
    tap:column_index: 90
  - name: coord_dec
    '@id': "#DiaSource.coord_dec"
    datatype: double
    description: Declination (ICRS) used to place the row on the sky.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.dec;meta.main
    tap:column_index: 100
  - name: coord_ra
    '@id': "#DiaSource.coord_ra"
    datatype: double
    description: Right ascension (ICRS) used to place the row on the sky.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.ra;meta.main
    tap:column_index: 110
  - name: decl
    '@id': "#DiaSource.decl"
    datatype: double
    description: Declination (ICRS).
    ivoa:unit: deg
    ivoa:ucd: pos.eq.dec
    tap:column_index: 120
  - name: diaObjectId
    '@id': "#DiaSource.diaObjectId"
    datatype: long
    description: DiaObject identifier.
    ivoa:ucd: meta.id.assoc;src
    tap:column_index: 130
  - name: diaSourceId
    '@id': "#DiaSource.diaSourceId"
    datatype: long
    description: DiaSource identifier (primary key).
    ivoa:ucd: meta.id;src;meta.main
    tap:column_index: 140
  - name: dipAngle
    '@id': "#DiaSource.dipAngle"
    datatype: double
    description: dipAngle.
    ivoa:unit: deg
    tap:column_index: 150
  - name: dipChi2
    '@id': "#DiaSource.dipChi2"
    datatype: double
    description: dipChi2.
    tap:column_index: 160
  - name: dipFluxDiff
    '@id': "#DiaSource.dipFluxDiff"
    datatype: double
    description: dipFluxDiff.
    ivoa:unit: nJy
    tap:column_index: 170
  - name: dipFluxDiffErr
    '@id': "#DiaSource.dipFluxDiffErr"
    datatype: double
    description: Uncertainty of dipFluxDiff.
    ivoa:unit: nJy
    tap:column_index: 180
  - name: dipLength
    '@id': "#DiaSource.dipLength"
    datatype: double
    description: dipLength.
    ivoa:unit: pixel
    tap:column_index: 190
  - name: dipMeanFlux
    '@id': "#DiaSource.dipMeanFlux"
    datatype: double
    description: dipMeanFlux.
    ivoa:unit: count
    tap:column_index: 200
  - name: dipMeanFluxErr
    '@id': "#DiaSource.dipMeanFluxErr"
    datatype: double
    description: Uncertainty of dipMeanFlux.
    ivoa:unit: count
    tap:column_index: 210
  - name: filterName
    '@id': "#DiaSource.filterName"
    datatype: char
    length: 1
    description: Filter band.
    tap:column_index: 220
  - name: forced_PsfFlux_flag
    '@id': "#DiaSource.forced_PsfFlux_flag"
    datatype: boolean
    description: Quality flag forced_PsfFlux_flag.
    tap:column_index: 230
  - name: forced_PsfFlux_flag_edge
    '@id': "#DiaSource.forced_PsfFlux_flag_edge"
    datatype: boolean
    description: Quality flag forced_PsfFlux_flag_edge.
    tap:column_index: 240
  - name: forced_PsfFlux_flag_noGoodPixels
    '@id': "#DiaSource.forced_PsfFlux_flag_noGoodPixels"
    datatype: boolean
    description: Quality flag forced_PsfFlux_flag_noGoodPixels.
    tap:column_index: 250
  - name: isDipole
    '@id': "#DiaSource.isDipole"
    datatype: boolean
    description: Looks like a dipole.
    tap:column_index: 260
  - name: ixx
    '@id': "#DiaSource.ixx"
    datatype: double
    description: Second moment xx.
    ivoa:unit: arcsec**2
    tap:column_index: 270
  - name: ixxPSF
    '@id': "#DiaSource.ixxPSF"
    datatype: double
    description: PSF second moment xx.
    ivoa:unit: arcsec**2
    tap:column_index: 280
  - name: ixy
    '@id': "#DiaSource.ixy"
    datatype: double
    description: Second moment xy.
    ivoa:unit: arcsec**2
    tap:column_index: 290
  - name: ixyPSF
    '@id': "#DiaSource.ixyPSF"
    datatype: double
    description: PSF second moment xy.
    ivoa:unit: arcsec**2
    tap:column_index: 300
  - name: iyy
    '@id': "#DiaSource.iyy"
    datatype: double
    description: Second moment yy.
    ivoa:unit: arcsec**2
    tap:column_index: 310
  - name: iyyPSF
    '@id': "#DiaSource.iyyPSF"
    datatype: double
    description: PSF second moment yy.
    ivoa:unit: arcsec**2
    tap:column_index: 320
  - name: midPointTai
    '@id': "#DiaSource.midPointTai"
    datatype: double
    description: Exposure mid-point (MJD TAI).
    ivoa:unit: d
    ivoa:ucd: time.epoch;obs.exposure
    tap:column_index: 330
  - name: parentDiaSourceId
    '@id': "#DiaSource.parentDiaSourceId"
    datatype: long
    description: Deblend parent DiaSource id.
    tap:column_index: 340
  - name: pixelFlags
    '@id': "#DiaSource.pixelFlags"
    datatype: boolean
    description: Any pixel flag set.
    tap:column_index: 350
  - name: pixelFlags_bad
    '@id': "#DiaSource.pixelFlags_bad"
    datatype: boolean
    description: 'Pixel mask bit set: bad.'
    tap:column_index: 360
  - name: pixelFlags_cr
    '@id': "#DiaSource.pixelFlags_cr"
    datatype: boolean
    description: 'Pixel mask bit set: cr.'
    tap:column_index: 370
  - name: pixelFlags_crCenter
    '@id': "#DiaSource.pixelFlags_crCenter"
    datatype: boolean
    description: 'Pixel mask bit set: crCenter.'
    tap:column_index: 380
  - name: pixelFlags_edge
    '@id': "#DiaSource.pixelFlags_edge"
    datatype: boolean
    description: 'Pixel mask bit set: edge.'
    tap:column_index: 390
  - name: pixelFlags_interpolated
    '@id': "#DiaSource.pixelFlags_interpolated"
    datatype: boolean
    description: 'Pixel mask bit set: interpolated.'
    tap:column_index: 400
  - name: pixelFlags_interpolatedCenter
    '@id': "#DiaSource.pixelFlags_interpolatedCenter"
    datatype: boolean
    description: 'Pixel mask bit set: interpolatedCenter.'
    tap:column_index: 410
  - name: pixelFlags_offimage
    '@id': "#DiaSource.pixelFlags_offimage"
    datatype: boolean
    description: 'Pixel mask bit set: offimage.'
    tap:column_index: 420
  - name: pixelFlags_saturated
    '@id': "#DiaSource.pixelFlags_saturated"
    datatype: boolean
    description: 'Pixel mask bit set: saturated.'
    tap:column_index: 430
  - name: pixelFlags_saturatedCenter
    '@id': "#DiaSource.pixelFlags_saturatedCenter"
    datatype: boolean
    description: 'Pixel mask bit set: saturatedCenter.'
    tap:column_index: 440
  - name: pixelFlags_suspect
    '@id': "#DiaSource.pixelFlags_suspect"
    datatype: boolean
    description: 'Pixel mask bit set: suspect.'
    tap:column_index: 450
  - name: pixelFlags_suspectCenter
    '@id': "#DiaSource.pixelFlags_suspectCenter"
    datatype: boolean
    description: 'Pixel mask bit set: suspectCenter.'
    tap:column_index: 460
  - name: pixelId
    '@id': "#DiaSource.pixelId"
    datatype: long
    description: HTM index of the position.
    tap:column_index: 470
  - name: psFlux
    '@id': "#DiaSource.psFlux"
    datatype: double
    description: Point-source flux on the difference image.
    ivoa:unit: nJy
    tap:column_index: 480
  - name: psFluxErr
    '@id': "#DiaSource.psFluxErr"
    datatype: double
    description: Uncertainty of psFlux.
    ivoa:unit: nJy
    tap:column_index: 490
  - name: psfFlux_flag
    '@id': "#DiaSource.psfFlux_flag"
    datatype: boolean
    description: PSF flux measurement failed.
    tap:column_index: 500
  - name: psfFlux_flag_edge
    '@id': "#DiaSource.psfFlux_flag_edge"
    datatype: boolean
    description: Quality flag psfFlux_flag_edge.
    tap:column_index: 510
  - name: psfFlux_flag_noGoodPixels
    '@id': "#DiaSource.psfFlux_flag_noGoodPixels"
    datatype: boolean
    description: Quality flag psfFlux_flag_noGoodPixels.
    tap:column_index: 520
  - name: ra
    '@id': "#DiaSource.ra"
    datatype: double
    description: Right ascension (ICRS).
    ivoa:unit: deg
    ivoa:ucd: pos.eq.ra
    tap:column_index: 530
  - name: shape_flag
    '@id': "#DiaSource.shape_flag"
    datatype: boolean
    description: Shape measurement failed.
    tap:column_index: 540
  - name: shape_flag_maxIter
    '@id': "#DiaSource.shape_flag_maxIter"
    datatype: boolean
    description: Quality flag shape_flag_maxIter.
    tap:column_index: 550
  - name: shape_flag_psf
    '@id': "#DiaSource.shape_flag_psf"
    datatype: boolean
    description: Quality flag shape_flag_psf.
    tap:column_index: 560
  - name: shape_flag_shift
    '@id': "#DiaSource.shape_flag_shift"
    datatype: boolean
    description: Quality flag shape_flag_shift.
    tap:column_index: 570
  - name: shape_flag_unweighted
    '@id': "#DiaSource.shape_flag_unweighted"
    datatype: boolean
    description: Quality flag shape_flag_unweighted.
    tap:column_index: 580
  - name: shape_flag_unweightedBad
    '@id': "#DiaSource.shape_flag_unweightedBad"
    datatype: boolean
    description: Quality flag shape_flag_unweightedBad.
    tap:column_index: 590
  - name: snr
    '@id': "#DiaSource.snr"
    datatype: double
    description: Signal-to-noise ratio.
    tap:column_index: 600
  - name: ssObjectId
    '@id': "#DiaSource.ssObjectId"
    datatype: long
    description: Solar-system object id (0 if none).
    tap:column_index: 610
  - name: totFlux
    '@id': "#DiaSource.totFlux"
    datatype: double
    description: Forced flux on the direct image.
    ivoa:unit: nJy
    tap:column_index: 620
  - name: totFluxErr
    '@id': "#DiaSource.totFluxErr"
    datatype: double
    description: Uncertainty of totFlux.
    ivoa:unit: nJy
    tap:column_index: 630
  - name: x
    '@id': "#DiaSource.x"
    datatype: double
    description: Centroid column on the coadd.
    ivoa:unit: pixel
    tap:column_index: 640
  - name: xErr
    '@id': "#DiaSource.xErr"
    datatype: float
    description: Uncertainty of x.
    ivoa:unit: pixel
    tap:column_index: 650
  - name: y
    '@id': "#DiaSource.y"
    datatype: double
    description: Centroid row on the coadd.
    ivoa:unit: pixel
    tap:column_index: 660
  - name: yErr
    '@id': "#DiaSource.yErr"
    datatype: float
    description: Uncertainty of y.
    ivoa:unit: pixel
    tap:column_index: 670
  indexes:
  - name: IDX_DiaSource_diaObjectId
    '@id': "#IDX_DiaSource_diaObjectId"
    columns:
    - "#DiaSource.diaObjectId"
  constraints:
  - name: DiaO_DiaS
    '@type': ForeignKey
    '@id': "#FK_DiaSource_diaObjectId_DiaObject_diaObjectId"
    description: Links DiaSource rows to DiaObject.
    columns:
    - "#DiaSource.diaObjectId"
    referencedColumns:
    - "#DiaObject.diaObjectId"
  - name: CcdV_DiaS
    '@type': ForeignKey
    '@id': "#FK_DiaSource_ccdVisitId_CcdVisit_ccdVisitId"
    description: Links DiaSource rows to CcdVisit.
    columns:
    - "#DiaSource.ccdVisitId"
    referencedColumns:
    - "#CcdVisit.ccdVisitId"
- name: ForcedSourceOnDiaObject
  '@id': "#ForcedSourceOnDiaObject"
  description: Forced PSF photometry at DiaObject positions on single-epoch images.
  primaryKey: "#ForcedSourceOnDiaObject.forcedSourceOnDiaObjectId"
  tap:table_index: 60
  columns:
  - name: band
    '@id': "#ForcedSourceOnDiaObject.band"
    datatype: char
    length: 1
    description: Filter band (u, g, r, i, z or y).
    ivoa:ucd: meta.id;instr.filter
    tap:principal: 1
    tap:column_index: 10
  - name: ccdVisitId
    '@id': "#ForcedSourceOnDiaObject.ccdVisitId"
    datatype: long
    description: Detector image identifier (CcdVisit key).
    ivoa:ucd: meta.id;obs.image
    tap:principal: 1
    tap:column_index: 20
  - name: coord_dec
    '@id': "#ForcedSourceOnDiaObject.coord_dec"
    datatype: double
    description: Declination (ICRS) used to place the row on the sky.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.dec;meta.main
    tap:principal: 0
    tap:column_index: 30
  - name: coord_ra
    '@id': "#ForcedSourceOnDiaObject.coord_ra"
    datatype: double
    description: Right ascension (ICRS) used to place the row on the sky.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.ra;meta.main
    tap:principal: 0
    tap:column_index: 40
  - name: diaObjectId
    '@id': "#ForcedSourceOnDiaObject.diaObjectId"
    datatype: long
    description: DiaObject identifier.
    ivoa:ucd: meta.id;src
    tap:principal: 1
    tap:column_index: 50
  - name: forcedSourceOnDiaObjectId
    '@id': "#ForcedSourceOnDiaObject.forcedSourceOnDiaObjectId"
    datatype: long
    description: Forced measurement identifier (primary key).
    ivoa:ucd: meta.id;src;meta.main
    tap:principal: 1
    tap:column_index: 60
  - name: localBackground_instFlux
    '@id': "#ForcedSourceOnDiaObject.localBackground_instFlux"
    datatype: double
    description: Local background level.
    ivoa:unit: count
    ivoa:ucd: phot.count
    tap:principal: 0
    tap:column_index: 70
  - name: localBackground_instFluxErr
    '@id': "#ForcedSourceOnDiaObject.localBackground_instFluxErr"
    datatype: double
    description: Uncertainty of the local background.
    ivoa:unit: count
    ivoa:ucd: stat.error;phot.count
    tap:principal: 0
    tap:column_index: 80
  - name: localPhotoCalib
    '@id': "#ForcedSourceOnDiaObject.localPhotoCalib"
    datatype: double
    description: Local calibration factor from counts to nJy.
    ivoa:ucd: phot.calib
    tap:principal: 0
    tap:column_index: 90
  - name: localPhotoCalibErr
    '@id': "#ForcedSourceOnDiaObject.localPhotoCalibErr"
    datatype: double
    description: Uncertainty of localPhotoCalib.
    ivoa:ucd: stat.error;phot.calib
    tap:principal: 0
    tap:column_index: 100
  - name: localPhotoCalib_flag
    '@id': "#ForcedSourceOnDiaObject.localPhotoCalib_flag"
    datatype: boolean
    description: Local calibration unavailable.
    ivoa:ucd: meta.code.qual
    tap:principal: 0
    tap:column_index: 110
  - name: localWcs_CDMatrix_1_1
    '@id': "#ForcedSourceOnDiaObject.localWcs_CDMatrix_1_1"
    datatype: double
    description: Local WCS CD matrix element 1_1.
    ivoa:ucd: pos.wcs.cdmatrix
    tap:principal: 0
    tap:column_index: 120
  - name: localWcs_CDMatrix_1_2
    '@id': "#ForcedSourceOnDiaObject.localWcs_CDMatrix_1_2"
    datatype: double
    description: Local WCS CD matrix element 1_2.
    ivoa:ucd: pos.wcs.cdmatrix
    tap:principal: 0
    tap:column_index: 130
  - name: localWcs_CDMatrix_2_1
    '@id': "#ForcedSourceOnDiaObject.localWcs_CDMatrix_2_1"
    datatype: double
    description: Local WCS CD matrix element 2_1.
    ivoa:ucd: pos.wcs.cdmatrix
    tap:principal: 0
    tap:column_index: 140
  - name: localWcs_CDMatrix_2_2
    '@id': "#ForcedSourceOnDiaObject.localWcs_CDMatrix_2_2"
    datatype: double
    description: Local WCS CD matrix element 2_2.
    ivoa:ucd: pos.wcs.cdmatrix
    tap:principal: 0
    tap:column_index: 150
  - name: localWcs_flag
    '@id': "#ForcedSourceOnDiaObject.localWcs_flag"
    datatype: boolean
    description: Quality flag localWcs_flag.
    ivoa:ucd: meta.code.qual
    tap:principal: 0
    tap:column_index: 160
  - name: parentObjectId
    '@id': "#ForcedSourceOnDiaObject.parentObjectId"
    datatype: long
    description: Identifier of the deblend parent (0 if none).
    ivoa:ucd: meta.id.parent
    tap:principal: 0
    tap:column_index: 170
  - name: patch
    '@id': "#ForcedSourceOnDiaObject.patch"
    datatype: long
    description: Skymap patch number.
    ivoa:ucd: meta.id.part;obs.field
    tap:principal: 0
    tap:column_index: 180
  - name: pixelFlags_bad
    '@id': "#ForcedSourceOnDiaObject.pixelFlags_bad"
    datatype: boolean
    description: 'Pixel mask bit set: bad.'
    ivoa:ucd: meta.code.qual;instr.pixel
    tap:principal: 0
    tap:column_index: 190
  - name: pixelFlags_cr
    '@id': "#ForcedSourceOnDiaObject.pixelFlags_cr"
    datatype: boolean
    description: 'Pixel mask bit set: cr.'
    ivoa:ucd: meta.code.qual;instr.pixel
    tap:principal: 0
    tap:column_index: 200
  - name: pixelFlags_crCenter
    '@id': "#ForcedSourceOnDiaObject.pixelFlags_crCenter"
    datatype: boolean
    description: 'Pixel mask bit set: crCenter.'
    ivoa:ucd: meta.code.qual;instr.pixel
    tap:principal: 0
    tap:column_index: 210
  - name: pixelFlags_edge
    '@id': "#ForcedSourceOnDiaObject.pixelFlags_edge"
    datatype: boolean
    description: 'Pixel mask bit set: edge.'
    ivoa:ucd: meta.code.qual;instr.pixel
    tap:principal: 0
    tap:column_index: 220
  - name: pixelFlags_interpolated
    '@id': "#ForcedSourceOnDiaObject.pixelFlags_interpolated"
    datatype: boolean
    description: 'Pixel mask bit set: interpolated.'
    ivoa:ucd: meta.code.qual;instr.pixel
    tap:principal: 0
    tap:column_index: 230
  - name: pixelFlags_interpolatedCenter
    '@id': "#ForcedSourceOnDiaObject.pixelFlags_interpolatedCenter"
    datatype: boolean
    description: 'Pixel mask bit set: interpolatedCenter.'
    ivoa:ucd: meta.code.qual;instr.pixel
    tap:principal: 0
    tap:column_index: 240
  - name: pixelFlags_saturated
    '@id': "#ForcedSourceOnDiaObject.pixelFlags_saturated"
    datatype: boolean
    description: 'Pixel mask bit set: saturated.'
    ivoa:ucd: meta.code.qual;instr.pixel
    tap:principal: 0
    tap:column_index: 250
  - name: pixelFlags_saturatedCenter
    '@id': "#ForcedSourceOnDiaObject.pixelFlags_saturatedCenter"
    datatype: boolean
    description: 'Pixel mask bit set: saturatedCenter.'
    ivoa:ucd: meta.code.qual;instr.pixel
    tap:principal: 0
    tap:column_index: 260
  - name: pixelFlags_suspect
    '@id': "#ForcedSourceOnDiaObject.pixelFlags_suspect"
    datatype: boolean
    description: 'Pixel mask bit set: suspect.'
    ivoa:ucd: meta.code.qual;instr.pixel
    tap:principal: 0
    tap:column_index: 270
  - name: pixelFlags_suspectCenter
    '@id': "#ForcedSourceOnDiaObject.pixelFlags_suspectCenter"
    datatype: boolean
    description: 'Pixel mask bit set: suspectCenter.'
    ivoa:ucd: meta.code.qual;instr.pixel
    tap:principal: 0
    tap:column_index: 280
  - name: psfDiffFlux
    '@id': "#ForcedSourceOnDiaObject.psfDiffFlux"
    datatype: double
    description: PSF-model flux on the difference image.
    ivoa:unit: nJy
    ivoa:ucd: phot.flux
    tap:principal: 1
    tap:column_index: 290
  - name: psfDiffFluxErr
    '@id': "#ForcedSourceOnDiaObject.psfDiffFluxErr"
    datatype: double
    description: Uncertainty of psfDiffFlux.
    ivoa:unit: nJy
    ivoa:ucd: stat.error;phot.flux
    tap:principal: 1
    tap:column_index: 300
  - name: psfDiffFlux_flag
    '@id': "#ForcedSourceOnDiaObject.psfDiffFlux_flag"
    datatype: boolean
    description: Difference-image flux measurement failed.
    ivoa:ucd: meta.code.qual
    tap:principal: 0
    tap:column_index: 310
  - name: psfFlux
    '@id': "#ForcedSourceOnDiaObject.psfFlux"
    datatype: double
    description: PSF-model flux.
    ivoa:unit: nJy
    ivoa:ucd: phot.flux
    tap:principal: 1
    tap:column_index: 320
  - name: psfFluxErr
    '@id': "#ForcedSourceOnDiaObject.psfFluxErr"
    datatype: double
    description: Uncertainty of psfFlux.
    ivoa:unit: nJy
    ivoa:ucd: stat.error;phot.flux
    tap:principal: 1
    tap:column_index: 330
  - name: psfFlux_flag
    '@id': "#ForcedSourceOnDiaObject.psfFlux_flag"
    datatype: boolean
    description: PSF flux measurement failed.
    ivoa:ucd: meta.code.qual
    tap:principal: 0
    tap:column_index: 340
  - name: skymap
    '@id': "#ForcedSourceOnDiaObject.skymap"
    datatype: char
    length: 12
    description: Name of the skymap.
    tap:principal: 0
    tap:column_index: 350
  - name: tract
    '@id': "#ForcedSourceOnDiaObject.tract"
    datatype: long
    description: Skymap tract number.
    ivoa:ucd: meta.id;obs.field
    tap:principal: 0
    tap:column_index: 360
  indexes:
  - name: IDX_ForcedSourceOnDiaObject_diaObjectId
    '@id': "#IDX_ForcedSourceOnDiaObject_diaObjectId"
    columns:
    - "#ForcedSourceOnDiaObject.diaObjectId"
  constraints:
  - name: DiaO_FSoDiaO
    '@type': ForeignKey
    '@id': "#FK_ForcedSourceOnDiaObject_diaObjectId_DiaObject_diaObjectId"
    description: Links ForcedSourceOnDiaObject rows to DiaObject.
    columns:
    - "#ForcedSourceOnDiaObject.diaObjectId"
    referencedColumns:
    - "#DiaObject.diaObjectId"
- name: Visit
  '@id': "#Visit"
  description: One row per telescope pointing (boresight metadata).
  primaryKey: "#Visit.visit"
  tap:table_index: 70
  columns:
  - name: visit
    '@id': "#Visit.visit"
    datatype: long
    description: Visit identifier.
    ivoa:ucd: meta.id;obs;meta.main
    tap:principal: 1
    tap:column_index: 10
  - name: physical_filter
    '@id': "#Visit.physical_filter"
    datatype: char
    length: 32
    description: Physical filter name.
    ivoa:ucd: meta.id;instr.filter
    tap:principal: 0
    tap:column_index: 20
  - name: band
    '@id': "#Visit.band"
    datatype: char
    length: 1
    description: Filter band (u, g, r, i, z or y).
    ivoa:ucd: meta.id;instr.bandpass
    tap:principal: 1
    tap:column_index: 30
  - name: ra
    '@id': "#Visit.ra"
    datatype: double
    description: Right ascension (ICRS).
    ivoa:unit: deg
    ivoa:ucd: pos.eq.ra;meta.main
    tap:principal: 1
    tap:column_index: 40
  - name: decl
    '@id': "#Visit.decl"
    datatype: double
    description: Declination (ICRS).
    ivoa:unit: deg
    ivoa:ucd: pos.eq.dec;meta.main
    tap:principal: 1
    tap:column_index: 50
  - name: skyRotation
    '@id': "#Visit.skyRotation"
    datatype: double
    description: Sky rotation angle.
    ivoa:unit: deg
    ivoa:ucd: pos.posAng
    tap:principal: 1
    tap:column_index: 60
  - name: azimuth
    '@id': "#Visit.azimuth"
    datatype: double
    description: Azimuth at mid-exposure.
    ivoa:unit: deg
    ivoa:ucd: pos.az.azi
    tap:principal: 0
    tap:column_index: 70
  - name: altitude
    '@id': "#Visit.altitude"
    datatype: double
    description: Altitude at mid-exposure.
    ivoa:unit: deg
    ivoa:ucd: pos.az.alt
    tap:principal: 0
    tap:column_index: 80
  - name: zenithDistance
    '@id': "#Visit.zenithDistance"
    datatype: double
    description: Angle from zenith at mid-exposure.
    ivoa:unit: deg
    ivoa:ucd: pos.az.zd
    tap:principal: 0
    tap:column_index: 90
  - name: airmass
    '@id': "#Visit.airmass"
    datatype: double
    description: Airmass at mid-exposure.
    ivoa:ucd: obs.airMass
    tap:principal: 1
    tap:column_index: 100
  - name: expTime
    '@id': "#Visit.expTime"
    datatype: double
    description: Exposure duration.
    ivoa:unit: s
    ivoa:ucd: time.duration;obs.exposure
    tap:principal: 1
    tap:column_index: 110
  - name: expMidpt
    '@id': "#Visit.expMidpt"
    datatype: timestamp
    description: Exposure mid-point time.
    tap:principal: 0
    tap:column_index: 120
  - name: expMidptMJD
    '@id': "#Visit.expMidptMJD"
    datatype: double
    description: Exposure mid-point time (MJD).
    ivoa:unit: d
    ivoa:ucd: time.epoch;obs.exposure
    tap:principal: 1
    tap:column_index: 130
  - name: obsStart
    '@id': "#Visit.obsStart"
    datatype: timestamp
    description: Exposure start time.
    ivoa:ucd: time.start;obs.exposure
    tap:principal: 0
    tap:column_index: 140
  - name: obsStartMJD
    '@id': "#Visit.obsStartMJD"
    datatype: double
    description: Exposure start time (MJD).
    ivoa:unit: d
    ivoa:ucd: time.start;obs.exposure
    tap:principal: 0
    tap:column_index: 150
- name: CcdVisit
  '@id': "#CcdVisit"
  description: One row per detector image of a visit.
  primaryKey: "#CcdVisit.ccdVisitId"
  tap:table_index: 80
  columns:
  - name: ccdVisitId
    '@id': "#CcdVisit.ccdVisitId"
    datatype: long
    description: Detector image identifier (CcdVisit key).
    ivoa:ucd: meta.id;obs.image;meta.main
    tap:principal: 1
    tap:column_index: 10
  - name: visitId
    '@id': "#CcdVisit.visitId"
    datatype: long
    description: Visit identifier (Visit key).
    ivoa:ucd: meta.id.parent;obs
    tap:principal: 1
    tap:column_index: 20
  - name: physical_filter
    '@id': "#CcdVisit.physical_filter"
    datatype: char
    length: 32
    description: Physical filter name.
    ivoa:ucd: meta.id;instr.filter
    tap:principal: 0
    tap:column_index: 30
  - name: band
    '@id': "#CcdVisit.band"
    datatype: char
    length: 1
    description: Filter band (u, g, r, i, z or y).
    ivoa:ucd: meta.id;instr.bandpass
    tap:principal: 1
    tap:column_index: 40
  - name: ra
    '@id': "#CcdVisit.ra"
    datatype: double
    description: Right ascension (ICRS).
    ivoa:unit: deg
    ivoa:ucd: pos.eq.ra;meta.main
    tap:principal: 1
    tap:column_index: 50
  - name: decl
    '@id': "#CcdVisit.decl"
    datatype: double
    description: Declination (ICRS).
    ivoa:unit: deg
    ivoa:ucd: pos.eq.dec;meta.main
    tap:principal: 1
    tap:column_index: 60
  - name: zenithDistance
    '@id': "#CcdVisit.zenithDistance"
    datatype: float
    description: Angle from zenith at mid-exposure.
    ivoa:unit: deg
    ivoa:ucd: pos.az.zd
    tap:principal: 1
    tap:column_index: 70
  - name: zeroPoint
    '@id': "#CcdVisit.zeroPoint"
    datatype: float
    description: Photometric zero point.
    ivoa:unit: mag
    ivoa:ucd: arith.zp;instr.calib
    tap:principal: 0
    tap:column_index: 80
  - name: psfSigma
    '@id': "#CcdVisit.psfSigma"
    datatype: float
    description: PSF Gaussian sigma.
    ivoa:unit: pixel
    ivoa:ucd: stat.stdev;instr.det.psf
    tap:principal: 0
    tap:column_index: 90
  - name: skyBg
    '@id': "#CcdVisit.skyBg"
    datatype: float
    description: Mean sky background.
    ivoa:unit: adu
    ivoa:ucd: instr.skyLevel
    tap:principal: 0
    tap:column_index: 100
  - name: skyNoise
    '@id': "#CcdVisit.skyNoise"
    datatype: float
    description: Sky noise RMS.
    ivoa:unit: adu
    ivoa:ucd: stat.rms;instr.skyLevel
    tap:principal: 0
    tap:column_index: 110
  - name: detector
    '@id': "#CcdVisit.detector"
    datatype: long
    description: Detector number.
    ivoa:ucd: meta.id.part;instr.det
    tap:principal: 1
    tap:column_index: 120
  - name: seeing
    '@id': "#CcdVisit.seeing"
    datatype: double
    description: Seeing FWHM.
    ivoa:unit: arcsec
    ivoa:ucd: instr.obsty.seeing
    tap:principal: 1
    tap:column_index: 130
  - name: skyRotation
    '@id': "#CcdVisit.skyRotation"
    datatype: double
    description: Sky rotation angle.
    ivoa:unit: deg
    ivoa:ucd: pos.posAng
    tap:principal: 0
    tap:column_index: 140
  - name: expMidpt
    '@id': "#CcdVisit.expMidpt"
    datatype: timestamp
    description: Exposure mid-point time.
    tap:principal: 0
    tap:column_index: 150
  - name: expMidptMJD
    '@id': "#CcdVisit.expMidptMJD"
    datatype: double
    description: Exposure mid-point time (MJD).
    ivoa:unit: d
    ivoa:ucd: time.epoch;obs.exposure
    tap:principal: 1
    tap:column_index: 160
  - name: expTime
    '@id': "#CcdVisit.expTime"
    datatype: double
    description: Exposure duration.
    ivoa:unit: s
    ivoa:ucd: time.duration;obs.exposure
    tap:principal: 1
    tap:column_index: 170
  - name: obsStart
    '@id': "#CcdVisit.obsStart"
    datatype: timestamp
    description: Exposure start time.
    ivoa:ucd: time.start;obs.exposure
    tap:principal: 0
    tap:column_index: 180
  - name: obsStartMJD
    '@id': "#CcdVisit.obsStartMJD"
    datatype: double
    description: Exposure start time (MJD).
    ivoa:unit: d
    ivoa:ucd: time.start;obs.exposure
    tap:principal: 0
    tap:column_index: 190
  - name: darkTime
    '@id': "#CcdVisit.darkTime"
    datatype: double
    description: Dark current integration time.
    ivoa:unit: s
    ivoa:ucd: time.duration;obs.calib.dark
    tap:principal: 0
    tap:column_index: 200
  - name: xSize
    '@id': "#CcdVisit.xSize"
    datatype: long
    description: Image width.
    ivoa:unit: pixel
    ivoa:ucd: meta.number;instr.det
    tap:principal: 0
    tap:column_index: 210
  - name: ySize
    '@id': "#CcdVisit.ySize"
    datatype: long
    description: Image height.
    ivoa:unit: pixel
    ivoa:ucd: meta.number;instr.det
    tap:principal: 0
    tap:column_index: 220
  - name: llcra
    '@id': "#CcdVisit.llcra"
    datatype: double
    description: RA of the lower-left corner.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.ra;pos.outline;obs.field
    tap:principal: 0
    tap:column_index: 230
  - name: llcdec
    '@id': "#CcdVisit.llcdec"
    datatype: double
    description: Dec of the lower-left corner.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.dec;pos.outline;obs.field
    tap:principal: 0
    tap:column_index: 240
  - name: ulcra
    '@id': "#CcdVisit.ulcra"
    datatype: double
    description: RA of the upper-left corner.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.ra;pos.outline;obs.field
    tap:principal: 0
    tap:column_index: 250
  - name: ulcdec
    '@id': "#CcdVisit.ulcdec"
    datatype: double
    description: Dec of the upper-left corner.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.dec;pos.outline;obs.field
    tap:principal: 0
    tap:column_index: 260
  - name: urcra
    '@id': "#CcdVisit.urcra"
    datatype: double
    description: RA of the upper-right corner.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.ra;pos.outline;obs.field
    tap:principal: 0
    tap:column_index: 270
  - name: urcdec
    '@id': "#CcdVisit.urcdec"
    datatype: double
    description: Dec of the upper-right corner.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.dec;pos.outline;obs.field
    tap:principal: 0
    tap:column_index: 280
  - name: lrcra
    '@id': "#CcdVisit.lrcra"
    datatype: double
    description: RA of the lower-right corner.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.ra;pos.outline;obs.field
    tap:principal: 0
    tap:column_index: 290
  - name: lrcdec
    '@id': "#CcdVisit.lrcdec"
    datatype: double
    description: Dec of the lower-right corner.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.dec;pos.outline;obs.field
    tap:principal: 0
    tap:column_index: 300
  indexes:
  - name: IDX_CcdVisit_visitId
    '@id': "#IDX_CcdVisit_visitId"
    columns:
    - "#CcdVisit.visitId"
  constraints:
  - name: Visit_CcdV
    '@type': ForeignKey
    '@id': "#FK_CcdVisit_visitId_Visit_visitId"
    description: Links CcdVisit rows to Visit.
    columns:
    - "#CcdVisit.visitId"
    referencedColumns:
    - "#Visit.visit"
- name: CoaddPatches
  '@id': "#CoaddPatches"
  description: Tracts and patches of the coadd skymap covered by the catalog.
  tap:table_index: 90
  columns:
  - name: lsst_tract
    '@id': "#CoaddPatches.lsst_tract"
    datatype: long
    description: Tract number.
    ivoa:ucd: meta.id;obs.field
    nullable: false
    tap:principal: 1
    tap:column_index: 10
  - name: lsst_patch
    '@id': "#CoaddPatches.lsst_patch"
    datatype: long
    description: Patch number within the tract.
    ivoa:ucd: meta.id.part;obs.field
    nullable: false
    tap:principal: 1
    tap:column_index: 20
  - name: s_ra
    '@id': "#CoaddPatches.s_ra"
    datatype: double
    description: RA of the patch center.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.ra
    nullable: false
    tap:principal: 1
    tap:column_index: 30
  - name: s_dec
    '@id': "#CoaddPatches.s_dec"
    datatype: double
    description: Dec of the patch center.
    ivoa:unit: deg
    ivoa:ucd: pos.eq.dec
    nullable: false
    tap:principal: 1
    tap:column_index: 40
  - name: s_region
    '@id': "#CoaddPatches.s_region"
    datatype: string
    length: 512
    description: Patch outline as an ADQL/STC-S region.
    ivoa:ucd: pos.outline;obs.field
    nullable: false
    tap:principal: 1
    tap:column_index: 50
- name: MatchesTruth
  '@id': "#MatchesTruth"
  description: Positional matches between truth entries and Objects.
  tap:table_index: 100
  columns:
  - name: match_candidate
    '@id': "#MatchesTruth.match_candidate"
    datatype: boolean
    description: Entry was a match candidate.
    tap:principal: 0
    tap:column_index: 10
  - name: match_count
    '@id': "#MatchesTruth.match_count"
    datatype: int
    description: Number of candidate matches.
    tap:principal: 0
    tap:column_index: 20
  - name: match_chisq
    '@id': "#MatchesTruth.match_chisq"
    datatype: double
    description: Chi-square of the match.
    tap:principal: 0
    tap:column_index: 30
  - name: match_n_chisq_finite
    '@id': "#MatchesTruth.match_n_chisq_finite"
    datatype: int
    description: Number of finite chi-square terms.
    tap:principal: 0
    tap:column_index: 40
  - name: id
    '@id': "#MatchesTruth.id"
    datatype: char
    length: 16
    description: Truth identifier (text).
    ivoa:ucd: meta.id.assoc
    tap:principal: 0
    tap:column_index: 50
  - name: truth_type
    '@id': "#MatchesTruth.truth_type"
    datatype: int
    description: 'Truth type: 1 galaxy, 2 star, 3 supernova.'
    tap:principal: 0
    tap:column_index: 60
  - name: match_objectId
    '@id': "#MatchesTruth.match_objectId"
    datatype: long
    description: Matched Object identifier, if any.
    ivoa:ucd: meta.id.assoc
    tap:principal: 1
    tap:column_index: 70
  - name: id_truth_type
    '@id': "#MatchesTruth.id_truth_type"
    datatype: char
    length: 18
    description: Truth identifier joined with its type (unique).
    ivoa:ucd: meta.id.assoc
    tap:principal: 1
    tap:column_index: 80
  indexes:
  - name: IDX_MatchesTruth_match_objectId
    '@id': "#IDX_MatchesTruth_match_objectId"
    columns:
    - "#MatchesTruth.match_objectId"
  constraints:
  - name: Obj_MatTru
    '@type': ForeignKey
    '@id': "#FK_MatchesTruth_match_objectId_Object_objectId"
    description: Links MatchesTruth rows to Object.
    columns:
    - "#MatchesTruth.match_objectId"
    referencedColumns:
    - "#Object.objectId"
  - name: Tru_MatTru
    '@type': ForeignKey
    '@id': "#FK_MatchesTruth_id_truth_type_TruthSummary_id_truth_type"
    description: Links MatchesTruth rows to TruthSummary.
    columns:
    - "#MatchesTruth.id_truth_type"
    referencedColumns:
    - "#TruthSummary.id_truth_type"
- name: TruthSummary
  '@id': "#TruthSummary"
  description: Summary of the simulated truth catalog entries.
  primaryKey: "#TruthSummary.id_truth_type"
  tap:table_index: 110
  columns:
  - name: id_truth_type
    '@id': "#TruthSummary.id_truth_type"
    datatype: char
    length: 22
    description: Truth identifier joined with its type (unique).
    ivoa:ucd: meta.id
    tap:principal: 1
    tap:column_index: 10
  - name: id
    '@id': "#TruthSummary.id"
    datatype: char
    length: 20
    description: Truth identifier (text).
    ivoa:ucd: meta.id;meta.main
    tap:principal: 1
    tap:column_index: 20
  - name: host_galaxy
    '@id': "#TruthSummary.host_galaxy"
    datatype: long
    description: Host galaxy id for supernovae (-1 otherwise).
    tap:principal: 1
    tap:column_index: 30
  - name: ra
    '@id': "#TruthSummary.ra"
    datatype: double
    description: Right ascension (ICRS).
    ivoa:unit: deg
    ivoa:ucd: pos.eq.ra
    nullable: false
    tap:principal: 1
    tap:column_index: 40
  - name: dec
    '@id': "#TruthSummary.dec"
    datatype: double
    description: Declination (ICRS).
    ivoa:unit: deg
    ivoa:ucd: pos.eq.dec
    nullable: false
    tap:principal: 1
    tap:column_index: 50
  - name: redshift
    '@id': "#TruthSummary.redshift"
    datatype: float
    description: Redshift.
    tap:principal: 1
    tap:column_index: 60
  - name: is_variable
    '@id': "#TruthSummary.is_variable"
    datatype: int
    description: 1 if variable.
    tap:principal: 1
    tap:column_index: 70
  - name: is_pointsource
    '@id': "#TruthSummary.is_pointsource"
    datatype: int
    description: 1 if point-like.
    tap:principal: 1
    tap:column_index: 80
  - name: flux_u
    '@id': "#TruthSummary.flux_u"
    datatype: float
    description: True u-band flux.
    ivoa:unit: nJy
    tap:principal: 1
    tap:column_index: 90
  - name: flux_g
    '@id': "#TruthSummary.flux_g"
    datatype: float
    description: True g-band flux.
    ivoa:unit: nJy
    tap:principal: 1
    tap:column_index: 100
  - name: flux_r
    '@id': "#TruthSummary.flux_r"
    datatype: float
    description: True r-band flux.
    ivoa:unit: nJy
    tap:principal: 1
    tap:column_index: 110
  - name: flux_i
    '@id': "#TruthSummary.flux_i"
    datatype: float
    description: True i-band flux.
    ivoa:unit: nJy
    tap:principal: 1
    tap:column_index: 120
  - name: flux_z
    '@id': "#TruthSummary.flux_z"
    datatype: float
    description: True z-band flux.
    ivoa:unit: nJy
    tap:principal: 1
    tap:column_index: 130
  - name: flux_y
    '@id': "#TruthSummary.flux_y"
    datatype: float
    description: True y-band flux.
    ivoa:unit: nJy
    tap:principal: 1
    tap:column_index: 140
  - name: flux_u_noMW
    '@id': "#TruthSummary.flux_u_noMW"
    datatype: float
    description: True u-band flux without Milky Way extinction.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 150
  - name: flux_g_noMW
    '@id': "#TruthSummary.flux_g_noMW"
    datatype: float
    description: True g-band flux without Milky Way extinction.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 160
  - name: flux_r_noMW
    '@id': "#TruthSummary.flux_r_noMW"
    datatype: float
    description: True r-band flux without Milky Way extinction.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 170
  - name: flux_i_noMW
    '@id': "#TruthSummary.flux_i_noMW"
    datatype: float
    description: True i-band flux without Milky Way extinction.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 180
  - name: flux_z_noMW
    '@id': "#TruthSummary.flux_z_noMW"
    datatype: float
    description: True z-band flux without Milky Way extinction.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 190
  - name: flux_y_noMW
    '@id': "#TruthSummary.flux_y_noMW"
    datatype: float
    description: True y-band flux without Milky Way extinction.
    ivoa:unit: nJy
    tap:principal: 0
    tap:column_index: 200
  - name: mag_r
    '@id': "#TruthSummary.mag_r"
    datatype: float
    description: True r-band magnitude.
    ivoa:unit: mag
    tap:principal: 1
    tap:column_index: 210
  - name: cosmodc2_hp
    '@id': "#TruthSummary.cosmodc2_hp"
    datatype: long
    description: cosmoDC2 healpix cell.
    tap:principal: 0
    tap:column_index: 220
  - name: cosmodc2_id
    '@id': "#TruthSummary.cosmodc2_id"
    datatype: long
    description: cosmoDC2 galaxy id.
    tap:principal: 0
    tap:column_index: 230
  - name: truth_type
    '@id': "#TruthSummary.truth_type"
    datatype: long
    description: 'Truth type: 1 galaxy, 2 star, 3 supernova.'
    tap:principal: 1
    tap:column_index: 240
"""#
}
