#include "cpu_affinity.h"

#include <string.h>
#ifdef __linux__
#include <sys/syscall.h>
#include <unistd.h>

int skyshard_pin_thread_to_cpu(int cpu) {
    unsigned long mask[1024 / (8 * sizeof(unsigned long))];
    if (cpu < 0 || cpu >= 1024) return -1;
    memset(mask, 0, sizeof mask);
    mask[cpu / (8 * sizeof(unsigned long))] |= 1UL << (cpu % (8 * sizeof(unsigned long)));
    return (int)syscall(SYS_sched_setaffinity, 0, sizeof mask, mask);
}

int skyshard_current_cpu(void) {
    unsigned cpu = 0;
    return syscall(SYS_getcpu, &cpu, (void *)0, (void *)0) == 0 ? (int)cpu : -1;
}

int skyshard_allowed_cpu_mask(unsigned char *bytes) {
    long n;
    memset(bytes, 0, 128);
    n = syscall(SYS_sched_getaffinity, 0, (size_t)128, bytes);
    return n < 0 ? -1 : (int)n;
}
#else
int skyshard_pin_thread_to_cpu(int cpu) { (void)cpu; return -1; }
int skyshard_current_cpu(void) { return -1; }
int skyshard_allowed_cpu_mask(unsigned char *bytes) { memset(bytes, 0, 128); return -1; }
#endif
