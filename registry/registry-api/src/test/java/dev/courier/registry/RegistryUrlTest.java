package dev.courier.registry;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryUrlTest {

    @Test
    void parsesAddressesPathAndParameters() {
        RegistryUrl url = RegistryUrl.parse("raft://127.0.0.1:9701,127.0.0.1:9702/x?root=%2Fcourier&ttl=5");
        assertThat(url.scheme()).isEqualTo("raft");
        assertThat(url.addresses()).containsExactly("127.0.0.1:9701", "127.0.0.1:9702");
        assertThat(url.path()).isEqualTo("x");
        assertThat(url.parameter("root", "")).isEqualTo("/courier");
        assertThat(RegistryUrl.parse("embedded://").addresses()).isEmpty();
    }

    @Test
    void serviceKeyRoundTripsThroughItsTextForms() {
        ServiceKey key = new ServiceKey("a.b.Greeter", "2.1", "blue");
        assertThat(ServiceKey.parse(key.canonical())).isEqualTo(key);
        assertThat(ServiceKey.fromPathSegment(key.pathSegment())).isEqualTo(key);
        assertThat(ServiceKey.parse("a.b.Greeter")).isEqualTo(ServiceKey.of("a.b.Greeter"));
    }

    @Test
    void unknownSchemeIsReportedWithTheKnownOnes() {
        assertThatThrownBy(() -> Registries.connect("nope://x")).hasMessageContaining("embedded");
    }
}
