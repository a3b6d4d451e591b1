package dev.courier.admin;

/** An admin request that cannot be answered as asked: its HTTP status and a message for the caller. */
public final class AdminException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    public AdminException(int status, String message) {
        super(message);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("Not an error status: " + status);
        }
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static AdminException notFound(String message) {
        return new AdminException(404, message);
    }

    public static AdminException badRequest(String message) {
        return new AdminException(400, message);
    }
}
