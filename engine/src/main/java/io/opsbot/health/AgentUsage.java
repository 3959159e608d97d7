package io.opsbot.health;

/** One Mesos agent's resources: used against total (cpus, mem MiB, disk MiB), as the master reports them. */
public record AgentUsage(String hostname, boolean up, double cpusUsed, double cpusTotal, double memUsed, double memTotal,
                         double diskUsed, double diskTotal) {

    public double cpuPercent() {
        return percent(cpusUsed, cpusTotal);
    }

    public double memPercent() {
        return percent(memUsed, memTotal);
    }

    public double diskPercent() {
        return percent(diskUsed, diskTotal);
    }

    private static double percent(double used, double total) {
        return total <= 0 ? 0 : Math.min(100, 100 * used / total);
    }
}
