#ifndef SKYSHARD_CSQLITE_SHIM_H
#define SKYSHARD_CSQLITE_SHIM_H
#include <sqlite3.h>

/* sqlite3_db_config is variadic, which Swift cannot call: these wrappers fix its arguments. */

/* Double-quoted strings are identifiers only: an unknown "name" is an error, never a string. */
static inline int skyshard_disable_double_quoted_strings(sqlite3 *db) {
    int rc = sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, (int *)0);
    if (rc == SQLITE_OK) rc = sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)0);
    return rc;
}

/* Refuse ATTACH/VACUUM INTO/... tricks that could reach other files or change the schema. */
static inline int skyshard_defensive(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)0);
}

#endif
