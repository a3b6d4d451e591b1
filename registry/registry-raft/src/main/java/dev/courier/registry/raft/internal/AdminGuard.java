package dev.courier.registry.raft.internal;

import org.apache.ratis.proto.grpc.AdminProtocolServiceGrpc;
import org.apache.ratis.thirdparty.io.grpc.Grpc;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Lets only the named principals change a member through Ratis's admin API: membership
 * ({@code setConfiguration}), leadership transfer, group management, snapshots and elections. The
 * principal is the subject CN of the caller's verified client certificate (mutual TLS); a caller
 * without one is anonymous and refused. {@code groupInfo} and {@code groupList} stay open to any
 * connected caller (the {@code status} command reads them). Refused calls end with gRPC status
 * {@code PERMISSION_DENIED} before the member sees them.
 *
 * <p>Immutable and thread-safe.
 */
public final class AdminGuard implements ServerInterceptor {

    private static final Logger log = LoggerFactory.getLogger(AdminGuard.class);
    private static final Set<String> READS = Set.of(
            AdminProtocolServiceGrpc.getGroupInfoMethod().getFullMethodName(),
            AdminProtocolServiceGrpc.getGroupListMethod().getFullMethodName());

    private final Set<String> admins;

    public AdminGuard(Set<String> admins) {
        this.admins = Set.copyOf(admins);
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (!AdminProtocolServiceGrpc.SERVICE_NAME.equals(
                        call.getMethodDescriptor().getServiceName())
                || READS.contains(method)) {
            return next.startCall(call, headers);
        }
        String principal = principal(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        if (principal != null && admins.contains(principal)) {
            return next.startCall(call, headers);
        }
        String who = principal == null ? "an anonymous caller" : "principal '" + principal + "'";
        log.warn("Refused {} from {}: only {} may change the registry's members", method, who, admins);
        call.close(
                Status.PERMISSION_DENIED.withDescription(
                        "Only the registry's admins may call " + method + "; the caller is " + who),
                new Metadata());
        return new ServerCall.Listener<>() {};
    }

    /** The subject CN of the session's verified peer certificate, or null. */
    static String principal(SSLSession session) {
        if (session == null) {
            return null;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate x509)) {
                return null;
            }
            for (Rdn rdn : new LdapName(x509.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
            return null;
        } catch (SSLPeerUnverifiedException | InvalidNameException e) {
            return null;
        }
    }
}
