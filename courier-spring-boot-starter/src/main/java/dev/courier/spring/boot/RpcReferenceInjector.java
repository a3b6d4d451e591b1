package dev.courier.spring.boot;

import dev.courier.rpc.Courier;
import dev.courier.rpc.RpcClient;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.util.ClassUtils;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fills the {@code @RpcReference} fields of every bean with proxies of the context's {@link RpcClient},
 * before the bean's init methods ({@code @PostConstruct}, {@code afterPropertiesSet}) run. A badly
 * declared field fails the context's start with Courier's message saying what to fix.
 */
public final class RpcReferenceInjector implements BeanPostProcessor {

    private final ObjectProvider<RpcClient> client;
    private final ObjectProvider<CourierProperties> properties;
    /** Classes looked at, and whether they have references: one reflective pass per class, not per bean. */
    private final Map<Class<?>, Boolean> hasReferences = new ConcurrentHashMap<>();

    RpcReferenceInjector(ObjectProvider<RpcClient> client, ObjectProvider<CourierProperties> properties) {
        this.client = client;
        this.properties = properties;
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) throws BeansException {
        Class<?> type = ClassUtils.getUserClass(bean);
        if (hasReferences.computeIfAbsent(type, Courier::hasReferences)) {
            Courier.injectInto(client.getObject(), bean, properties.getObject().getSerializer());
        }
        return bean;
    }
}
