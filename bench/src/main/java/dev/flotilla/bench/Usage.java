package dev.flotilla.bench;

/**
 * What a measured stretch of work cost this JVM (and the PostgreSQL server, when there is one).
 *
 * @param wallNanos elapsed time
 * @param cpuNanos process CPU time, every thread, native code included
 * @param allocatedBytes bytes allocated on the Java heap (heap growth plus what every GC freed)
 * @param peakHeapBytes the most heap in use at any moment (sampled, and just before each GC)
 * @param liveHeapBytes the most heap still in use just after a GC: the live set, about
 * @param dbCpuNanos CPU time of the PostgreSQL server's processes, or -1 when not measured
 * @param load the machine's 1-minute load average at the end (other processes included)
 */
record Usage(long wallNanos, long cpuNanos, long allocatedBytes, long peakHeapBytes, long liveHeapBytes,
        long dbCpuNanos, String load) {
}
