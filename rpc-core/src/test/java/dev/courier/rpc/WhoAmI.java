package dev.courier.rpc;

/** A service telling the caller who the server takes it to be. */
public interface WhoAmI {

    /** {@link CallContext#principal()} on the server, or "anonymous". */
    String principal();

    String echo(String text);

    /** Implementations are meant to restrict it to fewer principals than the service. */
    String secret();

    /** The implementation used by tests. */
    class Impl implements WhoAmI {
        @Override
        public String principal() {
            String p = CallContext.principal();
            return p == null ? "anonymous" : p;
        }

        @Override
        public String echo(String text) {
            return text;
        }

        @Override
        public String secret() {
            return "42";
        }
    }
}
