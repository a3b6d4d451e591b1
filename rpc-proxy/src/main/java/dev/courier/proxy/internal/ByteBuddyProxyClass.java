package dev.courier.proxy.internal;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.NamingStrategy;
import net.bytebuddy.description.modifier.FieldManifestation;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.dynamic.scaffold.subclass.ConstructorStrategy;
import net.bytebuddy.implementation.FieldAccessor;
import net.bytebuddy.implementation.InvocationHandlerAdapter;
import net.bytebuddy.implementation.MethodCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Modifier;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isEquals;
import static net.bytebuddy.matcher.ElementMatchers.isHashCode;
import static net.bytebuddy.matcher.ElementMatchers.isToString;

/**
 * A generated proxy class for one interface and the constructor handle that instantiates it. The class
 * looks like this:
 *
 * <pre>{@code
 * public class com.example.Greeter$CourierProxy$x1y2 implements Greeter {
 *     private static final Method cache$...;           // one per intercepted method, set once
 *     private final InvocationHandler handler;
 *     public Greeter$CourierProxy$x1y2(InvocationHandler handler) { this.handler = handler; }
 *     public String greet(String a) { return (String) handler.invoke(this, cache$..., new Object[] {a}); }
 *     // toString, equals, hashCode likewise; default methods are not overridden
 * }
 * }</pre>
 *
 * <p>The class refers to nothing but the interface and {@code java.base}, so it can live in any class
 * loader. It is defined in the interface's own package through {@link MethodHandles#privateLookupIn}
 * (which also serves package-private interfaces); when that package is not open to this module (the
 * JDK's own interfaces, for example) it goes into a new class loader whose parent is the interface's.
 *
 * <p>Instances of this class are immutable and thread-safe.
 */
final class ByteBuddyProxyClass {

    private static final Logger LOG = LoggerFactory.getLogger(ByteBuddyProxyClass.class);
    private static final String HANDLER_FIELD = "handler";
    private static final MethodType CONSTRUCTOR = MethodType.methodType(void.class, InvocationHandler.class);
    private static final ByteBuddy BYTE_BUDDY =
            new ByteBuddy().with(new NamingStrategy.SuffixingRandom("CourierProxy"));

    private final Class<?> type;
    private final MethodHandle constructor;

    private ByteBuddyProxyClass(Class<?> type, MethodHandle constructor) {
        this.type = type;
        this.constructor = constructor;
    }

    static ByteBuddyProxyClass generate(Class<?> iface) {
        DynamicType.Unloaded<?> unloaded = define(iface).make();
        MethodHandles.Lookup lookup = privateLookupIn(iface);
        Class<?> type;
        if (lookup != null) {
            type = unloaded.load(iface.getClassLoader(), ClassLoadingStrategy.UsingLookup.of(lookup))
                    .getLoaded();
        } else if (Modifier.isPublic(iface.getModifiers())) {
            type = unloaded.load(iface.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER)
                    .getLoaded();
            lookup = MethodHandles.publicLookup();
        } else {
            throw new IllegalArgumentException("Cannot proxy " + iface + ": it is not public and its package is not"
                    + " open to " + ByteBuddyProxyClass.class.getModule());
        }
        try {
            MethodHandle constructor = lookup.findConstructor(type, CONSTRUCTOR)
                    .asType(MethodType.methodType(Object.class, InvocationHandler.class));
            LOG.debug("Generated proxy class {} in {}", type.getName(), type.getClassLoader());
            return new ByteBuddyProxyClass(type, constructor);
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException(
                    "Generated proxy class " + type.getName() + " has no usable constructor", e);
        }
    }

    private static DynamicType.Builder<?> define(Class<?> iface) {
        try {
            return BYTE_BUDDY
                    .subclass(iface, ConstructorStrategy.Default.NO_CONSTRUCTORS)
                    .defineField(HANDLER_FIELD, InvocationHandler.class, Visibility.PRIVATE, FieldManifestation.FINAL)
                    .defineConstructor(Visibility.PUBLIC)
                    .withParameters(InvocationHandler.class)
                    .intercept(MethodCall.invoke(Object.class.getConstructor())
                            .andThen(FieldAccessor.ofField(HANDLER_FIELD).setsArgumentAt(0)))
                    // Matched last, so they win over an interface's own redeclaration of them.
                    .method(isAbstract())
                    .intercept(InvocationHandlerAdapter.toField(HANDLER_FIELD))
                    .method(isToString().or(isEquals()).or(isHashCode()))
                    .intercept(InvocationHandlerAdapter.toField(HANDLER_FIELD));
        } catch (NoSuchMethodException e) {
            throw new AssertionError("Object has a public no-argument constructor", e);
        }
    }

    private static MethodHandles.Lookup privateLookupIn(Class<?> iface) {
        try {
            return MethodHandles.privateLookupIn(iface, MethodHandles.lookup());
        } catch (IllegalAccessException e) {
            return null;
        }
    }

    /** A new proxy calling {@code handler}. */
    Object newInstance(InvocationHandler handler) {
        try {
            return (Object) constructor.invokeExact(handler);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("Cannot instantiate " + type.getName(), t);
        }
    }
}
