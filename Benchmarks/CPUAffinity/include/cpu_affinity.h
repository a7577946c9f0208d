#ifndef SKYSHARD_CPU_AFFINITY_H
#define SKYSHARD_CPU_AFFINITY_H

/* CPU affinity for the benchmark's measure of the cores (skyshard-bench's CoreSpeeds). glibc
   declares sched_setaffinity only under _GNU_SOURCE, which Swift's Glibc module does not set,
   so these make the system calls themselves. The mask is 1024 CPUs. On systems other than
   Linux every call fails (-1). */

/* Pins the calling thread to CPU `cpu`; 0 on success. */
int skyshard_pin_thread_to_cpu(int cpu);

/* The CPU the calling thread runs on, or -1. */
int skyshard_current_cpu(void);

/* Writes the calling thread's allowed-CPU mask into `bytes` (128 bytes); the number of bytes
   the kernel wrote, or -1. */
int skyshard_allowed_cpu_mask(unsigned char *bytes);

#endif
