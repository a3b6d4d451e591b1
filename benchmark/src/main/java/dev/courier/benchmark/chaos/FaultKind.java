package dev.courier.benchmark.chaos;

import java.util.Arrays;
import java.util.Locale;

/** The faults the harness injects into a broker, by their command-line names. */
enum FaultKind {
    /**
     * SIGKILL of the broker, restarted at once on the same data directory. On the real disk the page
     * cache survives it; in a run on the simulated disk it is a power loss as well.
     */
    KILL("kill"),
    /** SIGSTOP for longer than the broker's session timeout, then SIGCONT. */
    PAUSE("pause"),
    /** SIGKILL of a broker on the simulated disk cache: everything not yet forced is gone, as in a power cut. */
    POWER_LOSS("power-loss"),
    /** The simulated disk's byte quota set to what the directory holds, so writes fail as ENOSPC; then lifted. */
    DISK_FULL("disk-full"),
    /** Every proxied client connection closed and new ones refused, then the proxy accepts again. */
    NET("net");

    private final String label;

    FaultKind(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    /** Whether the broker process ends with this fault (and is restarted). */
    boolean restarts() {
        return this == KILL || this == POWER_LOSS;
    }

    /** Whether the broker must run on the simulated disk for this fault. */
    boolean needsSimulatedDisk() {
        return this == POWER_LOSS || this == DISK_FULL;
    }

    static FaultKind parse(String label) {
        String l = label.trim().toLowerCase(Locale.ROOT);
        for (FaultKind k : values()) {
            if (k.label.equals(l)) {
                return k;
            }
        }
        throw new IllegalArgumentException("Unknown fault '" + label + "'; known: "
                + String.join(
                        ", ", Arrays.stream(values()).map(FaultKind::label).toList()));
    }

    @Override
    public String toString() {
        return label;
    }
}
