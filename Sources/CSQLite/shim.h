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

#ifdef __linux__
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* CPU affinity for the benchmark's measure of the cores (Shard's CoreSpeeds). glibc declares
   sched_setaffinity only under _GNU_SOURCE, which Swift's Glibc module does not set, so these
   make the system calls themselves. The mask is 1024 CPUs. */

/* Pins the calling thread to CPU `cpu`; 0 on success. */
static inline int skyshard_pin_thread_to_cpu(int cpu) {
    unsigned long mask[1024 / (8 * sizeof(unsigned long))];
    if (cpu < 0 || cpu >= 1024) return -1;
    memset(mask, 0, sizeof mask);
    mask[cpu / (8 * sizeof(unsigned long))] |= 1UL << (cpu % (8 * sizeof(unsigned long)));
    return (int)syscall(SYS_sched_setaffinity, 0, sizeof mask, mask);
}

/* The CPU the calling thread runs on, or -1. */
static inline int skyshard_current_cpu(void) {
    unsigned cpu = 0;
    return syscall(SYS_getcpu, &cpu, (void *)0, (void *)0) == 0 ? (int)cpu : -1;
}

/* Writes the calling thread's allowed-CPU mask into `bytes` (128 bytes); the number of bytes
   the kernel wrote, or -1. */
static inline int skyshard_allowed_cpu_mask(unsigned char *bytes) {
    long n;
    memset(bytes, 0, 128);
    n = syscall(SYS_sched_getaffinity, 0, (size_t)128, bytes);
    return n < 0 ? -1 : (int)n;
}
#endif
#endif
