package dev.courier.benchmark.rpc;

import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.ProtocolConfig;
import org.apache.dubbo.config.ReferenceConfig;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.ServiceConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;

import java.io.IOException;
import java.net.ServerSocket;

/** Apache Dubbo 3.3 over the dubbo protocol, a direct URL and no registry, with hessian2 or fastjson2. */
final class DubboRpc implements RpcSystem {

    /** The echoed service. */
    public interface DubboEcho {
        byte[] echo(byte[] payload);
    }

    /** The provider's implementation. */
    public static final class DubboEchoImpl implements DubboEcho {
        @Override
        public byte[] echo(byte[] payload) {
            return payload;
        }
    }

    private final String serialization;
    private DubboBootstrap bootstrap;

    DubboRpc(String serialization) {
        this.serialization = serialization;
    }

    @Override
    public String name() {
        return "dubbo-" + serialization;
    }

    @Override
    public Echo start(int connections) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ApplicationConfig app = new ApplicationConfig("courier-bench");
        app.setQosEnable(false);
        ProtocolConfig protocol = new ProtocolConfig("dubbo", port);
        protocol.setHost("127.0.0.1");
        protocol.setSerialization(serialization);
        ServiceConfig<DubboEcho> service = new ServiceConfig<>();
        service.setInterface(DubboEcho.class);
        service.setRef(new DubboEchoImpl());
        ReferenceConfig<DubboEcho> reference = new ReferenceConfig<>();
        reference.setInterface(DubboEcho.class);
        reference.setUrl("dubbo://127.0.0.1:" + port + "?serialization=" + serialization);
        reference.setTimeout(10_000);
        reference.setRetries(0);
        reference.setConnections(connections);
        bootstrap = DubboBootstrap.newInstance();
        bootstrap
                .application(app)
                .registry(new RegistryConfig(RegistryConfig.NO_AVAILABLE))
                .protocol(protocol)
                .service(service)
                .reference(reference)
                .start();
        DubboEcho echo = reference.get();
        return echo::echo;
    }

    @Override
    public void close() {
        if (bootstrap != null) {
            bootstrap.destroy();
        }
    }
}
