package dev.courier.serialization.internal.protostuff;

/** Plain message types through which the custom delegates write nested, polymorphic values. */
final class Holders {

    private Holders() {}

    /** The top-level message: the value, polymorphic. */
    static final class Envelope {
        Object value;
    }

    /** An ordered list of polymorphic values (nulls kept). */
    static final class Values {
        Object[] values;

        Values() {}

        Values(Object[] values) {
            this.values = values;
        }
    }

    /** One stack frame of a {@link Throwable}. */
    static final class Frame {
        String classLoaderName;
        String moduleName;
        String moduleVersion;
        String declaringClass;
        String methodName;
        String fileName;
        int lineNumber;
    }

    /** A {@link Throwable}'s portable state; its class is the delegate's. */
    static final class ThrowableState {
        String message;
        Frame[] stack;
        Object cause;
    }
}
