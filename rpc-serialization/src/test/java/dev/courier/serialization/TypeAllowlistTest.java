package dev.courier.serialization;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TypeAllowlistTest {

    static class Foo {
        Bar bar;
        static Unreachable ignoredStatic;
        transient Unreachable ignoredTransient;
    }

    static class Bar {
        List<Baz[]> bazzes;
    }

    static class Baz {}

    static class Unreachable {}

    record Point(Coordinate x, Optional<Label> label) {}

    record Coordinate(double value) {}

    record Label(String text) {}

    enum Color {
        RED,
        GREEN {}
    }

    static class Parent {
        Inherited fromParent;
    }

    static class Child extends Parent {}

    static class Inherited {}

    static class ServiceFailure extends Exception {
        private static final long serialVersionUID = 1L;
    }

    static class Argument {}

    static class Event {}

    interface Service {
        List<Foo> list(Map<String, CompletableFuture<Point>> arg, Argument[] arrayArg) throws ServiceFailure;

        CompletableFuture<Color> color();

        CompletionStage<Optional<Child>> child();

        void consume(Set<? extends Event> events);
    }

    @Test
    void defaultsCoverTheJdkValueTypesAndImmutableCollections() {
        TypeAllowlist defaults = TypeAllowlist.defaults();
        for (Class<?> c : List.of(
                int.class,
                Integer.class,
                String.class,
                UUID.class,
                Instant.class,
                Optional.class,
                ArrayList.class,
                List.of().getClass(),
                List.of(1, 2, 3).getClass(),
                Map.of(1, 2).getClass(),
                Collections.unmodifiableList(new ArrayList<>()).getClass(),
                Collections.emptyMap().getClass(),
                IllegalArgumentException.class,
                IOException.class,
                byte[].class,
                String[][].class,
                Object[].class)) {
            assertThat(defaults.isAllowed(c)).as(c.getName()).isTrue();
            assertThat(defaults.isAllowed(c.getName()))
                    .as("by name: " + c.getName())
                    .isTrue();
        }
        assertThat(defaults.isAllowed(Object.class)).isFalse();
        assertThat(defaults.isAllowed(Foo.class)).isFalse();
        assertThat(defaults.isAllowed(java.util.Date.class)).isFalse();
        assertThat(defaults.isAllowed("javax.management.BadAttributeValueExpException"))
                .isFalse();
    }

    @Test
    void serviceInterfaceWalkAllowsParametersReturnsGenericsArraysExceptionsAndFields() {
        TypeAllowlist allowlist =
                TypeAllowlist.builder().allowServiceInterface(Service.class).build();
        for (Class<?> c : List.of(
                Foo.class,
                Bar.class,
                Baz.class,
                Baz[].class,
                Point.class,
                Coordinate.class,
                Label.class,
                Color.class,
                Argument.class,
                Argument[].class,
                ServiceFailure.class,
                Child.class,
                Parent.class,
                Inherited.class,
                Event.class)) {
            assertThat(allowlist.isAllowed(c)).as(c.getSimpleName()).isTrue();
        }
        assertThat(allowlist.isAllowed(Color.GREEN.getClass()))
                .as("enum constant body")
                .isTrue();
        assertThat(allowlist.isAllowed(Unreachable.class))
                .as("static and transient fields")
                .isFalse();
        assertThat(allowlist.isAllowed(CompletableFuture.class))
                .as("futures stand for their value")
                .isFalse();
        assertThat(allowlist.isAllowed(Object.class)).isFalse();
    }

    @Test
    void nameLookupHandlesArraysWithoutLoadingClasses() {
        TypeAllowlist allowlist = TypeAllowlist.builder().allow(Baz.class).build();
        assertThat(allowlist.isAllowed(Baz.class.getName())).isTrue();
        assertThat(allowlist.isAllowed("[L" + Baz.class.getName() + ";")).isTrue();
        assertThat(allowlist.isAllowed("[[L" + Baz.class.getName() + ";")).isTrue();
        assertThat(allowlist.isAllowed("[I")).isTrue();
        assertThat(allowlist.isAllowed("[Lcom.example.DoesNotExist;")).isFalse();
        assertThat(allowlist.isAllowed("[X")).isFalse();
        assertThat(allowlist.isAllowed("")).isFalse();
        assertThat(allowlist.isAllowed((String) null)).isFalse();
    }

    @Test
    void explicitlyAllowedClassesBringTheirFieldTypes() {
        TypeAllowlist allowlist = TypeAllowlist.builder().allow(Foo.class).build();
        assertThat(allowlist.isAllowed(Bar.class)).isTrue();
        assertThat(allowlist.isAllowed(Baz.class)).isTrue();
    }

    @Test
    void buildOrderDoesNotChangeMembership() {
        TypeAllowlist a = TypeAllowlist.builder()
                .allow(Foo.class, Label.class)
                .allowServiceInterface(Service.class)
                .build();
        TypeAllowlist b = TypeAllowlist.builder()
                .allowServiceInterface(Service.class)
                .allow(Label.class, Foo.class)
                .build();
        assertThat(a.classes()).containsExactlyInAnyOrderElementsOf(b.classes());
    }

    @Test
    void onlyInterfacesAreWalkedAsServices() {
        assertThatThrownBy(() -> TypeAllowlist.builder().allowServiceInterface(Foo.class))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void gadgetClassesAndPackagesStayRefusedWhenAllowedByMistake() {
        TypeAllowlist careless = TypeAllowlist.builder()
                .allow(ProcessBuilder.class, Runtime.class, javax.management.BadAttributeValueExpException.class)
                .build();
        assertThat(careless.isAllowed(ProcessBuilder.class)).isFalse();
        assertThat(careless.isAllowed(Runtime.class)).isFalse();
        assertThat(careless.isAllowed(Runtime[].class)).isFalse();
        assertThat(careless.isAllowed("[[Ljava.lang.Runtime;")).isFalse();
        assertThat(careless.classes())
                .doesNotContain(
                        ProcessBuilder.class, Runtime.class, javax.management.BadAttributeValueExpException.class);
        for (String gadget : List.of(
                "org.apache.commons.collections.functors.InvokerTransformer",
                "org.apache.commons.collections4.functors.ChainedTransformer",
                "com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl",
                "com.sun.rowset.JdbcRowSetImpl",
                "org.springframework.beans.factory.ObjectFactory",
                "org.codehaus.groovy.runtime.MethodClosure",
                "javax.naming.InitialContext",
                "java.rmi.server.UnicastRemoteObject",
                "javax.script.ScriptEngineManager",
                "java.lang.ProcessBuilder$Redirect",
                "org.apache.commons.beanutils.BeanComparator")) {
            assertThat(TypeAllowlist.isDenied(gadget)).as(gadget).isTrue();
            assertThat(careless.isAllowed(gadget)).as(gadget).isFalse();
        }
        assertThat(SerializationException.notAllowed("javax.naming.InitialContext"))
                .hasMessageContaining("deny-list")
                .hasMessageContaining("javax.naming.InitialContext");
    }

    @Test
    void noDefaultClassIsOnTheDenyList() {
        for (Class<?> type : TypeAllowlist.defaults().classes()) {
            assertThat(TypeAllowlist.isDenied(type.getName()))
                    .as(type.getName())
                    .isFalse();
        }
        assertThat(TypeAllowlist.isDenied("java.lang.Runtimes")).isFalse();
        assertThat(TypeAllowlist.isDenied("[I")).isFalse();
    }

    @Test
    void maxLengthIsValidated() {
        assertThat(TypeAllowlist.defaults().maxLength()).isEqualTo(TypeAllowlist.DEFAULT_MAX_LENGTH);
        assertThat(TypeAllowlist.builder().maxLength(5).build().maxLength()).isEqualTo(5);
        assertThatThrownBy(() -> TypeAllowlist.builder().maxLength(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
