package dev.courier.proxy;

import dev.courier.proxy.internal.JdkProxyFactory;

class JdkProxyFactoryTest extends ProxyFactoryContractTest {

    @Override
    protected ProxyFactory newFactory() {
        return new JdkProxyFactory();
    }

    @Override
    protected String expectedName() {
        return "jdk";
    }
}
