package dev.courier.mq.broker.storage;

import java.io.IOException;

/** A topic log cannot take the operation: it failed (a write or fsync error) or it is closed. */
public class StorageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, IOException cause) {
        super(message, cause);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
