#ifndef SKYSHARD_CSQLITE_SHIM_H
#define SKYSHARD_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
