package dev.courier.mq.broker;

import dev.courier.rpc.Authenticator;
import dev.courier.rpc.TlsOptions;

import java.util.Objects;

/**
 * How a {@link Broker} protects its port: TLS, who may connect, and who may do what to which topic.
 *
 * @param tls           TLS settings (certificate, key, and the clients' CA for mutual TLS), or null
 *                      for plaintext
 * @param authenticator decides who each connection is (client certificate, bearer token), or null to
 *                      accept every connection (as its certificate's principal if it has one)
 * @param authorizer    decides each call by principal, topic and action
 */
public record BrokerSecurity(TlsOptions tls, Authenticator authenticator, Authorizer authorizer) {

    private static final BrokerSecurity NONE = new BrokerSecurity(null, null, Authorizer.allowAll());

    public BrokerSecurity {
        Objects.requireNonNull(authorizer, "authorizer");
    }

    /** Plaintext, no authentication, everyone may do everything: for loopback only. */
    public static BrokerSecurity none() {
        return NONE;
    }

    /** Whether both TLS and authentication are on, as a broker reachable from the network needs. */
    public boolean isSecure() {
        return tls != null && authenticator != null;
    }
}
