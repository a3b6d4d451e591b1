package dev.courier.mq.broker.cli;

/** A broker setting (a key of the config file or a flag) that is unknown or has a bad value. */
public final class ConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
