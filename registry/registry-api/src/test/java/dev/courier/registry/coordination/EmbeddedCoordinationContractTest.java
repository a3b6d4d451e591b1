package dev.courier.registry.coordination;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.registry.coordination.internal.StandardCoordination;
import dev.courier.registry.internal.LeaseCoordinationBackend;
import dev.courier.registry.internal.LeasedRegistry;

/** The coordination contract on the embedded store; each test has a store of its own. */
class EmbeddedCoordinationContractTest extends CoordinationContractTest {

    private final String store = "coordination-" + java.util.UUID.randomUUID();

    @Override
    protected Registry connect() {
        return Registries.connect("embedded://" + store);
    }

    @Override
    protected void crash(Registry client) {
        ((LeasedRegistry) client).simulateCrash();
    }

    @Override
    protected void partition(Registry client, Coordination coordination) {
        ((LeaseCoordinationBackend) ((StandardCoordination) coordination).backend()).stopRenewals();
    }
}
