package dev.courier.registry;

import dev.courier.registry.internal.EmbeddedRegistryFactory;
import dev.courier.registry.internal.LeasedRegistry;

/** The contract on the embedded store; each test has a store of its own. */
class EmbeddedRegistryContractTest extends RegistryContractTest {

    private final String store = "contract-" + java.util.UUID.randomUUID();

    @Override
    protected Registry connect() {
        return Registries.connect("embedded://" + store);
    }

    @Override
    protected void crash(Registry client) {
        ((LeasedRegistry) client).simulateCrash();
    }

    @Override
    protected void restartRegistryOrExpireSession(Registry client) {
        EmbeddedRegistryFactory.store(store).restart();
    }

    @Override
    protected String backendName() {
        return "embedded";
    }
}
