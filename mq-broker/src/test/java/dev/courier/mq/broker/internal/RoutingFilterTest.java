package dev.courier.mq.broker.internal;

import dev.courier.mq.broker.storage.RecordMeta;
import dev.courier.mq.broker.storage.StoredRecord;
import dev.courier.mq.client.protocol.SubscriptionSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Key patterns as a topic exchange matches routing keys, and header equality. */
class RoutingFilterTest {

    private static StoredRecord record(String key, Map<String, String> headers) {
        return new StoredRecord(0, 0, 0, 0, headers, new byte[0], new RecordMeta(key, 0, 0, 0));
    }

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource(
            nullValues = "NULL",
            value = {
                "orders.*.eu, orders.books.eu, true",
                "orders.*.eu, orders.eu, false",
                "orders.*.eu, orders.books.paper.eu, false",
                "orders.*.eu, orders.books.us, false",
                "orders.#, orders, true",
                "orders.#, orders.a.b.c, true",
                "orders.#, order.a, false",
                "#.eu, eu, true",
                "#.eu, a.b.eu, true",
                "#.eu, a.b.us, false",
                "a.#.b, a.b, true",
                "a.#.b, a.x.y.b, true",
                "a.#.b, a.x.y, false",
                "#, NULL, true",
                "#, anything.at.all, true",
                "*, NULL, false",
                "*, one, true",
                "*, one.two, false",
                "exact, exact, true",
                "exact, exactly, false",
                "#.#, a, true",
                "*.#.*, a, false",
                "*.#.*, a.b, true"
            })
    void keyPatternsMatchAsATopicExchangeDoes(String pattern, String key, boolean matches) {
        RoutingFilter f = RoutingFilter.of(new SubscriptionSpec(pattern, null, false));

        assertThat(f.matches(record(key, Map.of()))).isEqualTo(matches);
    }

    @Test
    void everyHeaderOfTheFilterMustBeThereWithItsValue() {
        RoutingFilter f = RoutingFilter.of(new SubscriptionSpec(null, Map.of("kind", "paid", "region", "eu"), false));

        assertThat(f.matches(record(null, Map.of("kind", "paid", "region", "eu", "x", "y"))))
                .isTrue();
        assertThat(f.matches(record(null, Map.of("kind", "paid")))).isFalse();
        assertThat(f.matches(record(null, Map.of("kind", "paid", "region", "us"))))
                .isFalse();
        assertThat(f.matches(record("k", Map.of()))).isFalse();
    }

    @Test
    void aSpecWithoutFiltersHasNoFilter() {
        assertThat(RoutingFilter.of(SubscriptionSpec.PLAIN)).isNull();
        assertThat(RoutingFilter.of(new SubscriptionSpec("", Map.of(), true))).isNull();
    }

    @Test
    void wildcardsStandForWholeWordsOnly() {
        assertThatThrownBy(() -> new SubscriptionSpec("orders.eu*", null, false).validate())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whole words");
    }
}
