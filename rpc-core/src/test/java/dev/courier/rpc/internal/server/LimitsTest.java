package dev.courier.rpc.internal.server;

import dev.courier.rpc.internal.MethodKeys;
import dev.courier.rpc.internal.protocol.Status;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Limits bound to each exported method: the service's and the method's own, per exported version. */
class LimitsTest {

    /** The exported interface. */
    interface Reports {
        String daily(String day);

        String weekly(String week);
    }

    private static final String SERVICE = Reports.class.getName();
    private final Reports impl = new Reports() {
        @Override
        public String daily(String day) {
            return day;
        }

        @Override
        public String weekly(String week) {
            return week;
        }
    };

    private ServerInvocation invocation(String version, String method) throws NoSuchMethodException {
        MethodInvoker invoker = new MethodInvoker(Reports.class.getMethod(method, String.class), impl);
        return new ServerInvocation(SERVICE, version, "", invoker, new Object[] {"x"}, Map.of(), 0L);
    }

    @Test
    void aMethodsBulkheadHoldsThatMethodOnlyAndIsGivenBackWhenTheCallEnds() throws Throwable {
        Limits limits = new Limits();
        limits.bulkhead(MethodKeys.serviceKey(SERVICE, "1.0", ""), "daily", 1);
        ServerInvocation daily = invocation("1.0", "daily");
        ServerInvocation weekly = invocation("1.0", "weekly");
        CompletableFuture<String> running = new CompletableFuture<>();

        assertThat(limits.intercept(daily, inv -> running)).isSameAs(running);

        // the asynchronous result holds the permit until it completes
        assertThatThrownBy(() -> limits.intercept(daily, inv -> "second"))
                .isInstanceOfSatisfying(
                        Rejection.class, r -> assertThat(r.status()).isEqualTo(Status.SERVER_BUSY))
                .hasMessageContaining("Concurrency limit of 1 calls reached for "
                        + MethodKeys.serviceKey(SERVICE, "1.0", "") + "#daily");
        assertThat(limits.intercept(weekly, inv -> "weekly")).isEqualTo("weekly");

        running.complete("done");
        assertThat(limits.intercept(daily, inv -> "third")).isEqualTo("third");
        // a method that threw gives its permit back too
        assertThatThrownBy(() -> limits.intercept(daily, inv -> {
                    throw new IllegalStateException("failed");
                }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(limits.intercept(daily, inv -> "fourth")).isEqualTo("fourth");
    }

    @Test
    void aServiceLimitCoversEveryMethodOfThatExportedVersionAndNoOther() throws Throwable {
        Limits limits = new Limits();
        limits.bulkhead(MethodKeys.serviceKey(SERVICE, "1.0", ""), null, 1);
        limits.rateLimit(MethodKeys.serviceKey(SERVICE, "2.0", ""), "weekly", 1);
        CompletableFuture<String> running = new CompletableFuture<>();
        limits.intercept(invocation("1.0", "daily"), inv -> running);

        assertThatThrownBy(() -> limits.intercept(invocation("1.0", "weekly"), inv -> "weekly"))
                .isInstanceOf(Rejection.class)
                .hasMessageEndingWith("reached for " + MethodKeys.serviceKey(SERVICE, "1.0", ""));
        // version 2.0 is another exported service: not in 1.0's bulkhead, and its own rate limit is per method
        ServerInvocation weekly2 = invocation("2.0", "weekly");
        assertThat(limits.intercept(weekly2, inv -> "weekly")).isEqualTo("weekly");
        assertThatThrownBy(() -> limits.intercept(weekly2, inv -> "again"))
                .isInstanceOfSatisfying(
                        Rejection.class, r -> assertThat(r.status()).isEqualTo(Status.RATE_LIMITED))
                .hasMessageContaining(
                        "Rate limit of 1 calls/s reached for " + MethodKeys.serviceKey(SERVICE, "2.0", "") + "#weekly");
        assertThat(limits.intercept(invocation("2.0", "daily"), inv -> "daily")).isEqualTo("daily");
    }
}
