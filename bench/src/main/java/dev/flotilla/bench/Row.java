package dev.flotilla.bench;

/**
 * One measured run of one contender.
 *
 * @param name what ran, e.g. "floor (plain JDBC)"
 * @param outcome how the tenants ended, with their latencies
 * @param usage what it cost
 */
record Row(String name, Outcome outcome, Usage usage) {
    double perSecond() {
        return (outcome.tenants() - outcome.failed()) / (usage.wallNanos() / 1e9);
    }

    double perTenant(long total) {
        return (double) total / Math.max(1, outcome.tenants());
    }

    String[] cells() {
        Stats lat = Stats.of(outcome.latencyNanos());
        return new String[] {name, Integer.toString(outcome.tenants()), Integer.toString(outcome.failed()),
            Report.fixed(usage.wallNanos() / 1e9, 2), Report.fixed(perSecond(), 0),
            Report.fixed(lat.quantile(0.5) / 1e6, 1), Report.fixed(lat.quantile(0.99) / 1e6, 1),
            Report.fixed(perTenant(usage.cpuNanos()) / 1e6, 2),
            usage.dbCpuNanos() < 0 ? "–" : Report.fixed(perTenant(usage.dbCpuNanos()) / 1e6, 2),
            Report.fixed(perTenant(usage.allocatedBytes()) / 1024, 0),
            Report.fixed(usage.peakHeapBytes() / 1048576.0, 0),
            usage.liveHeapBytes() == 0 ? "no GC" : Report.fixed(usage.liveHeapBytes() / 1048576.0, 0), usage.load()};
    }

    static final String[] HEADER = {"run", "tenants", "failed", "wall s", "tenants/s", "p50 ms", "p99 ms",
        "CPU ms/tenant", "DB CPU ms/tenant", "alloc KiB/tenant", "heap peak MiB", "heap live MiB", "load"};
}
