package dev.courier.registry;

import dev.courier.registry.internal.EmbeddedRegistryFactory;
import dev.courier.registry.internal.LeasedRegistry;

class EmbeddedRegistryContractTest extends RegistryContractTest {

    @Override
    protected Registry connect() {
        return Registries.connect("embedded://contract");
    }

    @Override
    protected void crash(Registry client) {
        ((LeasedRegistry) client).simulateCrash();
    }

    @Override
    protected void restartRegistryOrExpireSession(Registry client) {
        EmbeddedRegistryFactory.store("contract").restart();
    }

    @Override
    protected String backendName() {
        return "embedded";
    }
}
