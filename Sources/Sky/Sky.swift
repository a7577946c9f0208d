// Sky module.
