package dev.courier.mq.broker.storage;

import java.io.IOException;

/**
 * The disk is full: the append was refused and nothing of it was kept. Not a failure of the log: it
 * takes appends again as soon as there is space.
 */
public final class StorageFullException extends StorageException {

    private static final long serialVersionUID = 1L;

    public StorageFullException(String message, IOException cause) {
        super(message, cause);
    }

    /** Whether {@code e} is the operating system's (or the simulated disk's) "no space left" error. */
    public static boolean isNoSpace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException
                    && t.getMessage() != null
                    && t.getMessage().contains(SimulatedDisk.NO_SPACE)) {
                return true;
            }
        }
        return false;
    }
}
