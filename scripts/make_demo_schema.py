# Builds fixtures/schemas/dp02_dc2_demo.yaml from the facts (names, datatypes, lengths, units, UCDs,
# principal flags) of lsst-sdm-schemas' dp02_dc2.yaml, with short descriptions of our own.
import yaml, json, re, sys, os
import lsst.sdm.schemas
SRC = os.path.join(os.path.dirname(lsst.sdm.schemas.__file__), 'dp02_dc2.yaml')
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
USED = json.load(open(os.path.join(REPO, '..', 'shared', 'dp0-queries', 'dp02_columns_used.json')))['tables']
d = yaml.safe_load(open(SRC))
T = {t['name']: t for t in d['tables']}
BANDS = 'ugrizy'

def used(table):
    return {c['name'] for c in USED.get(table, {}).get('columns', [])}

OBJ_BAND = ['psfFlux', 'psfFluxErr', 'psfFlux_flag', 'cModelFlux', 'cModelFluxErr', 'cModel_flag',
            'calibFlux', 'calibFluxErr', 'extendedness', 'extendedness_flag', 'ap09Flux', 'ap09FluxErr',
            'ixx', 'iyy', 'ixxPSF', 'iyyPSF']
def is_band(n): return len(n) > 2 and n[1] == '_' and n[0] in BANDS
sel = {}
obj = set(c['name'] for c in T['Object']['columns'] if not is_band(c['name']))
obj |= {f'{b}_{s}' for b in BANDS for s in OBJ_BAND}
obj |= used('Object')
sel['Object'] = obj
sel['ForcedSource'] = {'forcedSourceId', 'objectId', 'parentObjectId', 'coord_ra', 'coord_dec', 'skymap', 'tract',
    'patch', 'band', 'ccdVisitId', 'detect_isPatchInner', 'detect_isPrimary', 'detect_isTractInner',
    'localPhotoCalib', 'localPhotoCalibErr', 'localPhotoCalib_flag', 'pixelFlags_bad', 'pixelFlags_saturated',
    'pixelFlags_suspect', 'psfDiffFlux', 'psfDiffFluxErr', 'psfDiffFlux_flag', 'psfFlux', 'psfFluxErr', 'psfFlux_flag'} | used('ForcedSource')
sel['CcdVisit'] = None  # all
sel['Visit'] = None
sel['CoaddPatches'] = None
sel['TruthSummary'] = None
sel['MatchesTruth'] = None
sel['DiaObject'] = None
sel['DiaSource'] = None
sel['ForcedSourceOnDiaObject'] = None
sel['Source'] = {'sourceId', 'coord_ra', 'coord_dec', 'ccdVisitId', 'parentSourceId', 'x', 'y', 'xErr', 'yErr',
    'ra', 'decl', 'calibFlux', 'calibFluxErr', 'ap09Flux', 'ap09FluxErr', 'psfFlux', 'psfFluxErr', 'psfFlux_flag',
    'ixx', 'iyy', 'ixy', 'ixxPSF', 'iyyPSF', 'ixyPSF', 'extendedness', 'pixelFlags_bad', 'pixelFlags_saturated',
    'pixelFlags_suspectCenter', 'calib_psf_used', 'sky_source', 'detect_isPrimary', 'band', 'detector',
    'physical_filter', 'visit', 'instrument'} | used('Source')
ORDER = ['Object', 'Source', 'ForcedSource', 'DiaObject', 'DiaSource', 'ForcedSourceOnDiaObject', 'Visit',
         'CcdVisit', 'CoaddPatches', 'MatchesTruth', 'TruthSummary']

TABLE_DESC = {
    'Object': 'Objects detected and measured on the deep coadds (one row per astronomical object).',
    'Source': 'Detections measured on single-epoch calibrated exposures.',
    'ForcedSource': 'Forced PSF photometry of every Object on each single-epoch image and difference image.',
    'DiaObject': 'Variable or transient objects built by associating difference-image detections.',
    'DiaSource': 'Detections on single-epoch difference images.',
    'ForcedSourceOnDiaObject': 'Forced PSF photometry at DiaObject positions on single-epoch images.',
    'Visit': 'One row per telescope pointing (boresight metadata).',
    'CcdVisit': 'One row per detector image of a visit.',
    'CoaddPatches': 'Tracts and patches of the coadd skymap covered by the catalog.',
    'MatchesTruth': 'Positional matches between truth entries and Objects.',
    'TruthSummary': 'Summary of the simulated truth catalog entries.',
}
BANDNAME = {b: f'{b}-band' for b in BANDS}
SUFFIX = {
    'psfFlux': 'PSF-model flux', 'psfFluxErr': 'uncertainty of the PSF-model flux', 'psfFlux_flag': 'PSF flux measurement failed',
    'cModelFlux': 'composite-model (cModel) flux', 'cModelFluxErr': 'uncertainty of the cModel flux',
    'cModel_flag': 'cModel fit failed', 'calibFlux': 'flux in the 12-pixel calibration aperture',
    'calibFluxErr': 'uncertainty of the calibration-aperture flux', 'extendedness': '1 if extended, 0 if point-like',
    'extendedness_flag': 'extendedness could not be computed', 'ixx': 'second moment xx of the source',
    'iyy': 'second moment yy of the source', 'ixy': 'second moment xy of the source', 'ixxPSF': 'second moment xx of the PSF',
    'iyyPSF': 'second moment yy of the PSF', 'ixyPSF': 'second moment xy of the PSF', 'blendedness': 'how much the flux is affected by neighbours',
    'kronFlux': 'flux in the Kron aperture', 'kronFluxErr': 'uncertainty of the Kron flux', 'kronFlux_flag': 'Kron flux measurement failed',
    'kronRad': 'Kron radius', 'inputCount': 'number of images contributing to the coadd here', 'fwhm': 'PSF full width at half maximum',
    'gaap1p0Flux': 'GAaP flux with a 1.0 arcsec aperture', 'ra': 'right ascension measured in this band', 'decl': 'declination measured in this band',
    'centroid_flag': 'centroid measurement failed', 'calib_psf_used': 'source used to model the PSF',
    'hsmShapeRegauss_e1': 'HSM regaussianization ellipticity e1', 'hsmShapeRegauss_e2': 'HSM regaussianization ellipticity e2',
    'hsmShapeRegauss_sigma': 'HSM regaussianization shape noise', 'pixelFlags_inexact_psfCenter': 'PSF inexact at the center',
    'pixelFlags_saturatedCenter': 'saturated pixel in the center',
}
for ap in ['03', '06', '09', '12', '17', '25', '35', '50', '70']:
    SUFFIX[f'ap{ap}Flux'] = f'flux in a {int(ap)}-pixel circular aperture'
    SUFFIX[f'ap{ap}FluxErr'] = f'uncertainty of the {int(ap)}-pixel aperture flux'
    SUFFIX[f'ap{ap}Flux_flag'] = f'{int(ap)}-pixel aperture flux failed'
NAMED = {
    'objectId': 'Object identifier (primary key).', 'coord_ra': 'Right ascension (ICRS) used to place the row on the sky.',
    'coord_dec': 'Declination (ICRS) used to place the row on the sky.', 'deblend_nChild': 'Number of deblended children.',
    'deblend_skipped': 'The deblender skipped this source.', 'detect_fromBlend': 'Deblended from a parent with several children.',
    'detect_isDeblendedModelSource': 'Primary, and a deblended child modelled by the deblender.',
    'detect_isDeblendedSource': 'Primary, and either isolated or a deblended child.', 'detect_isIsolated': 'Not part of a blend.',
    'detect_isPatchInner': 'In the inner region of its patch.', 'detect_isPrimary': 'Primary detection: unique, inner region, not a sky source. Use for science samples.',
    'detect_isTractInner': 'In the inner region of its tract.', 'footprintArea': 'Pixel count of the detection footprint.',
    'merge_peak_sky': 'Peak found on a sky object.', 'parentObjectId': 'Identifier of the deblend parent (0 if none).',
    'patch': 'Skymap patch number.', 'tract': 'Skymap tract number.', 'refBand': 'Band used as reference for forced measurements.',
    'refExtendedness': 'Extendedness in the reference band.', 'refFwhm': 'PSF FWHM in the reference band.',
    'shape_flag': 'Shape measurement failed.', 'shape_xx': 'Adaptive second moment xx.', 'shape_xy': 'Adaptive second moment xy.',
    'shape_yy': 'Adaptive second moment yy.', 'sky_object': 'Blank-sky measurement position, not a real source.',
    'skymap': 'Name of the skymap.', 'x': 'Centroid column on the coadd.', 'y': 'Centroid row on the coadd.',
    'xErr': 'Uncertainty of x.', 'yErr': 'Uncertainty of y.', 'xy_flag': 'Centroid measurement failed.',
    'forcedSourceId': 'Forced measurement identifier (primary key).', 'ccdVisitId': 'Detector image identifier (CcdVisit key).',
    'band': 'Filter band (u, g, r, i, z or y).', 'psfFlux': 'PSF-model flux.', 'psfFluxErr': 'Uncertainty of psfFlux.',
    'psfDiffFlux': 'PSF-model flux on the difference image.', 'psfDiffFluxErr': 'Uncertainty of psfDiffFlux.',
    'psfDiffFlux_flag': 'Difference-image flux measurement failed.', 'psfFlux_flag': 'PSF flux measurement failed.',
    'localPhotoCalib': 'Local calibration factor from counts to nJy.', 'localPhotoCalibErr': 'Uncertainty of localPhotoCalib.',
    'localPhotoCalib_flag': 'Local calibration unavailable.', 'localBackground_instFlux': 'Local background level.',
    'localBackground_instFluxErr': 'Uncertainty of the local background.',
    'visitId': 'Visit identifier (Visit key).', 'visit': 'Visit identifier.', 'physical_filter': 'Physical filter name.',
    'ra': 'Right ascension (ICRS).', 'decl': 'Declination (ICRS).', 'dec': 'Declination (ICRS).',
    'zenithDistance': 'Angle from zenith at mid-exposure.', 'zeroPoint': 'Photometric zero point.',
    'psfSigma': 'PSF Gaussian sigma.', 'skyBg': 'Mean sky background.', 'skyNoise': 'Sky noise RMS.',
    'detector': 'Detector number.', 'seeing': 'Seeing FWHM.', 'skyRotation': 'Sky rotation angle.',
    'expMidpt': 'Exposure mid-point time.', 'expMidptMJD': 'Exposure mid-point time (MJD).', 'expTime': 'Exposure duration.',
    'obsStart': 'Exposure start time.', 'obsStartMJD': 'Exposure start time (MJD).', 'darkTime': 'Dark current integration time.',
    'xSize': 'Image width.', 'ySize': 'Image height.', 'azimuth': 'Azimuth at mid-exposure.', 'altitude': 'Altitude at mid-exposure.',
    'airmass': 'Airmass at mid-exposure.',
    'llcra': 'RA of the lower-left corner.', 'llcdec': 'Dec of the lower-left corner.', 'ulcra': 'RA of the upper-left corner.',
    'ulcdec': 'Dec of the upper-left corner.', 'urcra': 'RA of the upper-right corner.', 'urcdec': 'Dec of the upper-right corner.',
    'lrcra': 'RA of the lower-right corner.', 'lrcdec': 'Dec of the lower-right corner.',
    'lsst_tract': 'Tract number.', 'lsst_patch': 'Patch number within the tract.', 's_ra': 'RA of the patch center.',
    's_dec': 'Dec of the patch center.', 's_region': 'Patch outline as an ADQL/STC-S region.',
    'match_candidate': 'Entry was a match candidate.', 'match_count': 'Number of candidate matches.',
    'match_chisq': 'Chi-square of the match.', 'match_n_chisq_finite': 'Number of finite chi-square terms.',
    'id': 'Truth identifier (text).', 'truth_type': 'Truth type: 1 galaxy, 2 star, 3 supernova.',
    'match_objectId': 'Matched Object identifier, if any.', 'id_truth_type': 'Truth identifier joined with its type (unique).',
    'host_galaxy': 'Host galaxy id for supernovae (-1 otherwise).', 'redshift': 'Redshift.',
    'is_variable': '1 if variable.', 'is_pointsource': '1 if point-like.', 'mag_r': 'True r-band magnitude.',
    'cosmodc2_hp': 'cosmoDC2 healpix cell.', 'cosmodc2_id': 'cosmoDC2 galaxy id.',
    'diaObjectId': 'DiaObject identifier.', 'diaSourceId': 'DiaSource identifier (primary key).', 'nDiaSources': 'Number of associated DiaSources.',
    'radecTai': 'Time of the position (MJD TAI).', 'pixelId': 'HTM index of the position.', 'midPointTai': 'Exposure mid-point (MJD TAI).',
    'filterName': 'Filter band.', 'apFlux': 'Aperture flux on the difference image.', 'apFluxErr': 'Uncertainty of apFlux.',
    'psFlux': 'Point-source flux on the difference image.', 'psFluxErr': 'Uncertainty of psFlux.',
    'totFlux': 'Forced flux on the direct image.', 'totFluxErr': 'Uncertainty of totFlux.', 'snr': 'Signal-to-noise ratio.',
    'isDipole': 'Looks like a dipole.', 'pixelFlags': 'Any pixel flag set.', 'ssObjectId': 'Solar-system object id (0 if none).',
    'parentDiaSourceId': 'Deblend parent DiaSource id.', 'bboxSize': 'Footprint bounding-box size.',
    'forcedSourceOnDiaObjectId': 'Forced measurement identifier (primary key).',
    'sourceId': 'Source identifier (primary key).', 'parentSourceId': 'Deblend parent Source id.',
    'calibFlux': 'Calibration-aperture flux.', 'calibFluxErr': 'Uncertainty of calibFlux.', 'instrument': 'Instrument name.',
    'extendedness': '1 if extended, 0 if point-like.', 'sky_source': 'Blank-sky measurement.',
    'ixx': 'Second moment xx.', 'iyy': 'Second moment yy.', 'ixy': 'Second moment xy.',
    'ixxPSF': 'PSF second moment xx.', 'iyyPSF': 'PSF second moment yy.', 'ixyPSF': 'PSF second moment xy.',
    'calib_psf_used': 'Used to model the PSF.', 'visit_system': 'Visit system id.',
}
DIASTAT = {'Chi2': 'chi-square of the fluxes about their mean', 'ErrMean': 'mean flux uncertainty', 'LinearIntercept': 'intercept of a linear fit of flux versus time',
    'LinearSlope': 'slope of a linear fit of flux versus time', 'MAD': 'median absolute deviation of the fluxes', 'Max': 'largest flux',
    'MaxSlope': 'largest slope between consecutive fluxes', 'Mean': 'mean flux', 'MeanErr': 'uncertainty of the mean flux', 'Min': 'smallest flux',
    'Ndata': 'number of flux measurements', 'Sigma': 'standard deviation of the fluxes', 'Skew': 'skewness of the fluxes', 'StetsonJ': 'Stetson J variability index',
    'Percentile05': '5th percentile of the fluxes', 'Percentile25': '25th percentile of the fluxes', 'Percentile50': 'median flux',
    'Percentile75': '75th percentile of the fluxes', 'Percentile95': '95th percentile of the fluxes'}

def describe(table, n):
    if is_band(n) and table == 'Object':
        s = n[2:]
        if s in SUFFIX: return f'{n[0]}-band {SUFFIX[s]}.'
        return f'{n[0]}-band measurement {s}.'
    m = re.match(r'^([ugrizy])(PS|TOT)Flux(\w+)$', n)
    if m and table == 'DiaObject':
        kind = 'point-source difference-image' if m.group(2) == 'PS' else 'direct-image forced'
        return f'{m.group(1)}-band {DIASTAT.get(m.group(3), m.group(3))} ({kind} fluxes).'
    m = re.match(r'^flux_([ugrizy])(_noMW)?$', n)
    if m: return f'True {m.group(1)}-band flux' + (' without Milky Way extinction.' if m.group(2) else '.')
    if n in NAMED: return NAMED[n]
    if n.startswith('pixelFlags_'): return 'Pixel mask bit set: ' + n[len('pixelFlags_'):] + '.'
    if n.startswith('localWcs_CDMatrix_'): return 'Local WCS CD matrix element ' + n[-3:] + '.'
    if n.endswith('_flag') or '_flag_' in n: return 'Quality flag ' + n + '.'
    if n.endswith('Err'): return 'Uncertainty of ' + n[:-3] + '.'
    return n.replace('_', ' ') + '.'

EXTRA_INDEXES = {'ForcedSource': [['ccdVisitId']], 'Source': [['ccdVisitId']], 'DiaSource': [['diaObjectId']],
                 'ForcedSourceOnDiaObject': [['diaObjectId']], 'CcdVisit': [['visitId']], 'MatchesTruth': [['match_objectId']]}
PRINCIPAL_OBJ = {'objectId', 'coord_ra', 'coord_dec', 'detect_isPrimary', 'tract', 'patch', 'refExtendedness'} | {f'{b}_cModelFlux' for b in BANDS} | {f'{b}_psfFlux' for b in BANDS}

out = {'name': 'dp02_dc2_catalogs', '@id': '#dp02_dc2_catalogs',
       'description': 'SkyShard demo subset of the DP0.2 (DESC DC2) catalogs: the core tables and the columns that DP0.2 tutorial queries use, filled with synthetic data.',
       'version': '0.1', 'tables': []}
for ti, tn in enumerate(ORDER):
    t = T[tn]
    want = sel[tn]
    cols = []
    for ci, c in enumerate(t['columns']):
        n = c['name']
        if want is not None and n not in want: continue
        nc = {'name': n, '@id': f'#{tn}.{n}', 'datatype': c['datatype']}
        if c.get('length') is not None: nc['length'] = c['length']
        nc['description'] = describe(tn, n)
        unit = c.get('fits:tunit') or c.get('ivoa:unit')
        if unit: nc['ivoa:unit'] = unit
        if c.get('ivoa:ucd'): nc['ivoa:ucd'] = c['ivoa:ucd']
        if c.get('nullable') is not None: nc['nullable'] = c['nullable']
        pr = c.get('tap:principal')
        if tn == 'Object': pr = 1 if n in PRINCIPAL_OBJ else 0
        if pr is not None: nc['tap:principal'] = int(pr)
        nc['tap:column_index'] = (ci + 1) * 10
        cols.append(nc)
    if want is not None:
        missing = want - {c['name'] for c in cols}
        assert not missing, (tn, missing)
    nt = {'name': tn, '@id': f'#{tn}', 'description': TABLE_DESC[tn]}
    pk = t.get('primaryKey')
    if pk:
        pkcol = pk.split('.')[-1]
        nt['primaryKey'] = f'#{tn}.{pkcol}'
    nt['tap:table_index'] = (ti + 1) * 10
    nt['columns'] = cols
    if tn in EXTRA_INDEXES:
        nt['indexes'] = [{'name': f'IDX_{tn}_{"_".join(cs)}', '@id': f'#IDX_{tn}_{"_".join(cs)}',
                          'columns': [f'#{tn}.{c}' for c in cs]} for cs in EXTRA_INDEXES[tn]]
    cons = []
    for k in t.get('constraints', []) or []:
        cc = [x for x in k['columns']]
        rc = [x for x in k['referencedColumns']]
        rt = rc[0].lstrip('#').split('.')[0]
        if rt == 'coaddpatches' or rt not in ORDER: continue
        # our ids are #Table.column; Visit's key column is 'visit'
        cons.append({'name': k['name'], '@type': 'ForeignKey', '@id': k['@id'],
                     'description': 'Links ' + cc[0].lstrip('#').split('.')[0] + ' rows to ' + rt + '.',
                     'columns': cc, 'referencedColumns': rc})
    if cons: nt['constraints'] = cons
    out['tables'].append(nt)

class D(yaml.SafeDumper): pass
def strrep(dumper, s):
    return dumper.represent_scalar('tag:yaml.org,2002:str', s, style='"' if s.startswith('#') else None)
D.add_representer(str, strrep)
hdr = ('# SkyShard demo schema: a Felis (lsst-sdm-schemas format) description of a subset of\n'
       '# DP0.2 dp02_dc2_catalogs. Names, datatypes, units and UCDs follow dp02_dc2.yaml;\n'
       '# descriptions are short SkyShard wording. Sources/DemoData/Resources/dp02_dc2_demo.yaml\n# is a copy of this file, shipped as a resource: keep the two identical (GenerateTests checks).\n---\n')
text = hdr + yaml.dump(out, Dumper=D, sort_keys=False, width=120, allow_unicode=True)
open(sys.argv[1], 'w').write(text)
for t in out['tables']: print(t['name'], len(t['columns']))
