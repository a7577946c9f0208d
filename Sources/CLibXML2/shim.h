#ifndef SKYSHARD_CLIBXML2_SHIM_H
#define SKYSHARD_CLIBXML2_SHIM_H
/* libxml2's push parser and SAX2 callbacks, for the VOTable reader. */
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
#endif
