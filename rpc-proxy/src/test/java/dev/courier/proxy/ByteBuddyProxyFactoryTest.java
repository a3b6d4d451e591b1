package dev.courier.proxy;

import dev.courier.proxy.ProxyFixtures.PackagePrivate;
import dev.courier.proxy.internal.ByteBuddyProxyFactory;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ByteBuddyProxyFactoryTest extends ProxyFactoryContractTest {

    @Override
    protected ProxyFactory newFactory() {
        return new ByteBuddyProxyFactory();
    }

    @Override
    protected String expectedName() {
        return "bytebuddy";
    }

    @Test
    void proxyClassLivesInTheInterfacesPackageAndClassLoader() {
        PackagePrivate proxy = factory.createProxy(PackagePrivate.class, (m, a) -> "");

        assertThat(proxy.getClass().getPackageName()).isEqualTo(PackagePrivate.class.getPackageName());
        assertThat(proxy.getClass().getClassLoader()).isSameAs(PackagePrivate.class.getClassLoader());
    }
}
