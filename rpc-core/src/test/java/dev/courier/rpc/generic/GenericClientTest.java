package dev.courier.rpc.generic;

import dev.courier.registry.Registries;
import dev.courier.registry.Registry;
import dev.courier.rpc.Authenticator;
import dev.courier.rpc.ExportOptions;
import dev.courier.rpc.GenericClient;
import dev.courier.rpc.InvalidArgumentException;
import dev.courier.rpc.PermissionDeniedException;
import dev.courier.rpc.RemoteException;
import dev.courier.rpc.RpcClient;
import dev.courier.rpc.RpcServer;
import dev.courier.rpc.ServiceNotFoundException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Generic calls from a client that has only names and JSON: the provider builds each argument as its
 * parameter's declared type (POJOs, records, enums and {@code java.time} values from maps and strings),
 * writes results as JSON, refuses arguments that do not fit with a typed error before the method
 * runs, and applies its access rules and interceptors to the method a generic call runs.
 */
class GenericClientTest {

    private static final String SERVICE = UserDirectory.class.getName();

    /** Generous: the first call loads the JSON mapping on both ends, on a loaded 2-core machine. */
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private final UserDirectoryImpl impl = new UserDirectoryImpl();
    private final List<String> intercepted = new CopyOnWriteArrayList<>();
    private RpcServer server;
    private RpcClient client;
    private GenericClient generic;

    @BeforeEach
    void start() {
        server = RpcServer.builder()
                .port(0)
                .interceptor((invocation, chain) -> {
                    intercepted.add(invocation.method().getName() + Arrays.asList(invocation.arguments()));
                    return chain.proceed(invocation);
                })
                .export(UserDirectory.class, impl)
                .start();
        client = RpcClient.builder().build();
        generic = GenericClient.builder(client)
                .address("127.0.0.1", server.port())
                .timeout(DEADLINE)
                .build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void resultsComeBackAsPlainValuesWithJavaTimeAsIsoStrings() {
        Object user = generic.invoke(SERVICE, "getUser", "[42]");

        assertThat(user).isInstanceOf(Map.class);
        Map<?, ?> ada = (Map<?, ?>) user;
        assertThat(ada.get("id")).isEqualTo(42);
        assertThat(ada.get("name")).isEqualTo("Ada");
        assertThat(ada.get("born")).isEqualTo("1815-12-10");
        assertThat(ada.get("seen")).isEqualTo("2026-11-30T12:00:00Z");
        assertThat(ada.get("role")).isEqualTo("ADMIN");
        assertThat(ada.get("addresses")).isEqualTo(List.of(Map.of("city", "London", "zip", 10115)));

        assertThat(generic.invoke(SERVICE, "birthday", List.of(42))).isEqualTo("1815-12-10");
        assertThat(generic.invokeJson(SERVICE, "getUser", "[7]")).isEqualTo("null");
        assertThat(((Map<?, ?>) generic.invoke(SERVICE, "getUserLater", "[42]")).get("name"))
                .isEqualTo("Ada");
    }

    @Test
    void pojoArgumentsAreBuiltFromMapsOnTheProvider() {
        Map<String, Object> grace = Map.of(
                "name",
                "Grace",
                "born",
                "1906-12-09",
                "seen",
                "2026-01-02T03:04:05Z",
                "role",
                "MEMBER",
                "addresses",
                List.of(Map.of("city", "Arlington", "zip", 22201)));

        Object id = generic.invoke(SERVICE, "register", List.of(grace));

        User stored = impl.users.get(((Number) id).longValue());
        assertThat(stored.getName()).isEqualTo("Grace");
        assertThat(stored.getBorn()).isEqualTo(LocalDate.of(1906, 12, 9));
        assertThat(stored.getSeen()).isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(stored.getRole()).isEqualTo(Role.MEMBER);
        assertThat(stored.getAddresses()).containsExactly(new Address("Arlington", 22201));

        generic.invoke(SERVICE, "touch", "[9]");
        assertThat(impl.touched).hasValue(9);
    }

    @Test
    void overloadsOfOneArityTakeParameterTypes() {
        assertThatThrownBy(() -> generic.invoke(SERVICE, "find", "[\"Ada\"]"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("find(java.lang.String)")
                .hasMessageContaining("find(dev.courier.rpc.generic.Query)");

        assertThat((List<?>) generic.invoke(SERVICE, "find(String)", "[\"Ada\"]"))
                .hasSize(1);
        assertThat((List<?>) generic.invoke(
                        SERVICE,
                        "find(dev.courier.rpc.generic.Query)",
                        "[{\"prefix\": \"A\", \"bornAfter\": \"1800-01-01\"}]"))
                .hasSize(1);
        assertThat((List<?>)
                        generic.invoke(SERVICE, "find(Query)", "[{\"prefix\": \"A\", \"bornAfter\": \"1900-01-01\"}]"))
                .isEmpty();
    }

    @Test
    void argumentsThatDoNotFitAreRefusedBeforeTheMethodRuns() {
        assertThatThrownBy(() -> generic.invoke(SERVICE, "touch", "[\"not a number\"]"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("Argument 0")
                .hasMessageContaining("long");
        assertThatThrownBy(() -> generic.invoke(SERVICE, "touch", "[null]"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("Argument 0");
        assertThatThrownBy(() -> generic.invoke(SERVICE, "touch", "[1, 2]"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("touch(long)");
        assertThatThrownBy(() -> generic.invoke(SERVICE, "touch", "[1"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> generic.invoke(SERVICE, "touch", "{\"id\": 1}"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("JSON array");
        assertThatThrownBy(() -> generic.invoke(SERVICE, "register", "[{\"name\": \"X\", \"salary\": 1}]"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("salary");
        assertThatThrownBy(() -> generic.invoke(SERVICE, "register", "[{\"born\": \"yesterday\"}]"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("LocalDate");
        assertThat(impl.touched).hasValue(0);
        assertThat(impl.users).hasSize(1);
        assertThat(intercepted).isEmpty();
    }

    @Test
    void unknownMethodsAndServicesAndThrowingMethodsAreTyped() {
        assertThatThrownBy(() -> generic.invoke(SERVICE, "getUsers", "[]"))
                .isInstanceOf(ServiceNotFoundException.class)
                .hasMessageContaining("getUser(long)");
        assertThatThrownBy(() -> generic.invoke(SERVICE, "find(int)", "[1]"))
                .isInstanceOf(ServiceNotFoundException.class)
                .hasMessageContaining("find(java.lang.String)");
        assertThatThrownBy(() -> generic.invoke("demo.Nothing", "x", "[]"))
                .isInstanceOf(ServiceNotFoundException.class)
                .hasMessageContaining("demo.Nothing");
        assertThatThrownBy(() -> generic.invoke(SERVICE, "fail", "[\"boom\"]"))
                .isInstanceOf(RemoteException.class)
                .satisfies(e -> assertThat(((RemoteException) e).remoteClassName())
                        .isEqualTo(IllegalStateException.class.getName()))
                .hasMessageContaining("boom");
    }

    @Test
    void interceptorsSeeTheMethodAGenericCallRunsAndItsBuiltArguments() {
        generic.invoke(SERVICE, "getUser", "[42]");

        assertThat(intercepted).containsExactly("getUser[42]");
    }

    @Test
    void theDescriptionNamesMethodsParametersAndTheFieldsOfTheirTypes() {
        Map<String, Object> d = generic.describe(SERVICE);

        assertThat(d)
                .containsEntry("service", SERVICE)
                .containsEntry("version", "1.0")
                .containsEntry("group", "default");
        List<Object> methods = list(d.get("methods"));
        assertThat(methods)
                .extracting(m -> map(m).get("signature"))
                .contains(
                        "getUser(long)",
                        "find(java.lang.String)",
                        "find(dev.courier.rpc.generic.Query)",
                        "getUserLater(long)");
        Map<String, Object> getUser = methods.stream()
                .map(GenericClientTest::map)
                .filter(m -> m.get("signature").equals("getUser(long)"))
                .findFirst()
                .orElseThrow();
        assertThat(getUser)
                .containsEntry("returns", User.class.getName())
                .containsEntry("idempotent", true)
                .containsEntry("async", false);
        assertThat(list(getUser.get("parameters")))
                .singleElement()
                .satisfies(p -> assertThat(map(p)).containsEntry("type", "long"));
        Map<String, Object> later = methods.stream()
                .map(GenericClientTest::map)
                .filter(m -> m.get("name").equals("getUserLater"))
                .findFirst()
                .orElseThrow();
        assertThat(later).containsEntry("returns", User.class.getName()).containsEntry("async", true);

        Map<String, Object> types = map(d.get("types"));
        Map<String, Object> user = map(types.get(User.class.getName()));
        assertThat(user).containsEntry("kind", "object");
        assertThat(map(user.get("fields")))
                .containsEntry("born", "java.time.LocalDate")
                .containsEntry("seen", "java.time.Instant")
                .containsEntry("id", "long")
                .containsEntry("addresses", "java.util.List<" + Address.class.getName() + ">");
        assertThat(map(map(types.get(Address.class.getName())).get("fields")))
                .containsEntry("city", "java.lang.String")
                .containsEntry("zip", "int");
        assertThat(types)
                .containsEntry(Role.class.getName(), Map.of("kind", "enum", "values", List.of("ADMIN", "MEMBER")))
                .containsKey(Query.class.getName());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return (List<Object>) value;
    }

    @Test
    void accessRulesOfTheMethodGovernItsGenericCalls() {
        try (RpcServer guarded = RpcServer.builder()
                        .port(0)
                        .authenticator(Authenticator.tokens(Map.of("t-bob", "bob")))
                        .export(
                                UserDirectory.class,
                                new UserDirectoryImpl(),
                                ExportOptions.create().allowMethod("deleteUser", "alice"))
                        .start();
                RpcClient bob = RpcClient.builder().token("t-bob").build()) {
            GenericClient asBob = GenericClient.builder(bob)
                    .address("127.0.0.1", guarded.port())
                    .timeout(DEADLINE)
                    .build();

            assertThat(((Map<?, ?>) asBob.invoke(SERVICE, "getUser", "[42]")).get("name"))
                    .isEqualTo("Ada");
            assertThatThrownBy(() -> asBob.invoke(SERVICE, "deleteUser", "[42]"))
                    .isInstanceOf(PermissionDeniedException.class)
                    .hasMessageContaining("deleteUser");
            assertThat(asBob.invoke(SERVICE, "getUser", "[42]")).isNotNull();
        }
    }

    @Test
    void genericCallsFindProvidersThroughTheRegistry() {
        String url = "embedded://generic-" + UUID.randomUUID();
        try (Registry registry = Registries.connect(url);
                RpcServer registered = RpcServer.builder()
                        .port(0)
                        .registry(registry)
                        .export(
                                UserDirectory.class,
                                new UserDirectoryImpl(),
                                ExportOptions.create().version("2.0"))
                        .start();
                RpcClient viaRegistry = RpcClient.builder().registry(url).build()) {
            GenericClient v2 = GenericClient.builder(viaRegistry)
                    .version("2.0")
                    .timeout(DEADLINE)
                    .build();

            assertThat(((Map<?, ?>) v2.invoke(SERVICE, "getUser", "[42]")).get("name"))
                    .isEqualTo("Ada");
            assertThat(v2.describe(SERVICE)).containsEntry("version", "2.0");
            assertThat(registered.registered()).isTrue();
        }
    }
}
