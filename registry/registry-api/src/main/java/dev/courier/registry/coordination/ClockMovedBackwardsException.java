package dev.courier.registry.coordination;

import dev.courier.registry.RegistryException;

/**
 * The clock stepped back further than a snowflake generator waits out: handing out an id now could
 * repeat one handed out before, so the generator refuses until the clock has caught up.
 */
public final class ClockMovedBackwardsException extends RegistryException {

    private static final long serialVersionUID = 1L;

    private final long backwardsMillis;

    public ClockMovedBackwardsException(long backwardsMillis, long toleratedMillis) {
        super("The clock moved back " + backwardsMillis + " ms, more than the " + toleratedMillis
                + " ms a snowflake generator waits out; no id until it catches up");
        this.backwardsMillis = backwardsMillis;
    }

    /** How far the clock moved back. */
    public long backwardsMillis() {
        return backwardsMillis;
    }
}
