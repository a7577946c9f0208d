// VOTable module.
