// TAPService module.
