package dev.courier.proxy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProxyFactoriesTest {

    private final ProxyFactories factories = ProxyFactories.load();

    @Test
    void findsTheJdkAndByteBuddyFactories() {
        assertThat(factories.names()).containsExactlyInAnyOrder("jdk", "bytebuddy");
        assertThat(factories.all()).extracting(ProxyFactory::name).containsExactlyInAnyOrder("jdk", "bytebuddy");
    }

    @Test
    void defaultFactoryIsByteBuddy() {
        assertThat(factories.defaultFactory().name()).isEqualTo("bytebuddy").isEqualTo(ProxyFactories.DEFAULT_NAME);
    }

    @Test
    void byNameReturnsTheNamedFactory() {
        assertThat(factories.byName("jdk").name()).isEqualTo("jdk");
    }

    @Test
    void unknownNameIsRejectedListingTheInstalledNames() {
        assertThatThrownBy(() -> factories.byName("cglib"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cglib")
                .hasMessageContaining("jdk")
                .hasMessageContaining("bytebuddy");
    }

    @Test
    void loaderWithoutFactoriesHasNoDefault() {
        ProxyFactories none = ProxyFactories.load(ClassLoader.getPlatformClassLoader());

        assertThat(none.names()).isEmpty();
        assertThatThrownBy(none::defaultFactory)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("installed: []");
    }
}
