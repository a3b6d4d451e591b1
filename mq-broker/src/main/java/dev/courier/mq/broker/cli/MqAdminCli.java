package dev.courier.mq.broker.cli;

import dev.courier.mq.client.MqAdmin;
import dev.courier.mq.client.MqClient;
import dev.courier.mq.client.MqException;
import dev.courier.mq.client.protocol.CreateTopicRequest;
import dev.courier.mq.client.protocol.SubscriptionInfo;
import dev.courier.mq.client.protocol.SubscriptionStats;
import dev.courier.mq.client.protocol.TopicInfo;
import dev.courier.rpc.RpcException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code courier mq admin}: topic and subscription admin over the broker connection. Each command prints
 * one machine-readable line per item ({@code TOPIC ...}, {@code SUBSCRIPTION ...}, {@code CREATED ...});
 * exit 0 on success, 1 when the topic or subscription is not there, the broker refuses the change in its
 * state (consumers attached) or cannot be reached, 2 on bad arguments, 3 when the broker refuses the
 * credentials or the action.
 */
@Command(
        name = "admin",
        mixinStandardHelpOptions = true,
        description = "Lists, creates and deletes topics and subscriptions; seeks (replays) and purges.",
        subcommands = {
            MqAdminCli.Topics.class,
            MqAdminCli.Describe.class,
            MqAdminCli.Create.class,
            MqAdminCli.Delete.class,
            MqAdminCli.Seek.class,
            MqAdminCli.Purge.class
        })
final class MqAdminCli {

    static final int EXIT_MISSING = 1;

    /** The broker to manage and how to reach it. */
    static final class Target {
        @Option(names = "--broker", defaultValue = "127.0.0.1:7400", description = "host:port of the broker.")
        String broker;

        @Mixin
        MqCli.Connect connect;
    }

    /** A command that runs against the broker's admin calls. */
    abstract static class AdminCommand implements Callable<Integer> {
        @Mixin
        Target target;

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        abstract int run(MqAdmin admin, PrintWriter out);

        @Override
        public final Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (MqClient client = target.connect.connect(target.broker, Duration.ofSeconds(10))) {
                return run(client.admin(), out);
            } catch (MqException e) {
                err.println("refused: " + e.getMessage());
                return EXIT_MISSING;
            } catch (RuntimeException e) {
                String why = MqCli.refusal(e);
                if (why != null) {
                    err.println("refused: " + why);
                    return MqCli.EXIT_REFUSED;
                }
                if (e instanceof RpcException) { // unreachable, timed out
                    err.println("failed: " + target.broker + ": " + e.getMessage());
                    return EXIT_MISSING;
                }
                throw e;
            } finally {
                out.flush();
                err.flush();
            }
        }
    }

    /** The spec of a subscription as fields of its line: nothing for a plain one. */
    static String specText(dev.courier.mq.client.protocol.SubscriptionSpec spec) {
        if (spec == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        if (spec.keyFilter() != null) {
            b.append(" key_filter=").append(spec.keyFilter());
        }
        spec.headerFilter()
                .forEach((k, v) ->
                        b.append(" header_filter=").append(k).append('=').append(v));
        if (spec.keyOrdered()) {
            b.append(" key_ordered=true");
        }
        return b.toString();
    }

    static void print(PrintWriter out, TopicInfo t) {
        out.printf(
                Locale.ROOT,
                "TOPIC name=%s start=%d end=%d disk_bytes=%d retention_bytes=%d retention_ms=%d message_ttl_ms=%d"
                        + " subscriptions=%d%n",
                t.name(),
                t.startOffset(),
                t.endOffset(),
                t.diskBytes(),
                t.retentionBytes(),
                t.retentionMillis(),
                t.messageTtlMillis(),
                t.subscriptions().size());
        for (SubscriptionInfo s : t.subscriptions()) {
            SubscriptionStats st = s.stats();
            out.printf(
                    Locale.ROOT,
                    "SUBSCRIPTION topic=%s name=%s lag=%d in_flight=%d consumers=%d ack_floor=%d dead_lettered=%d"
                            + " missing=%d%s%n",
                    t.name(),
                    s.name(),
                    s.lag(),
                    st.inFlight(),
                    st.consumers(),
                    st.ackFloor(),
                    st.deadLettered(),
                    st.missing(),
                    specText(s.spec()));
        }
    }

    @Command(name = "topics", mixinStandardHelpOptions = true, description = "Lists topics with their subscriptions.")
    static final class Topics extends AdminCommand {
        @Override
        int run(MqAdmin admin, PrintWriter out) {
            List<TopicInfo> topics = admin.topics();
            topics.forEach(t -> print(out, t));
            return 0;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true, description = "One topic with its subscriptions.")
    static final class Describe extends AdminCommand {
        @Option(names = "--topic", required = true)
        String topic;

        @Override
        int run(MqAdmin admin, PrintWriter out) {
            var t = admin.topic(topic);
            if (t.isEmpty()) {
                spec.commandLine().getErr().println("no topic " + topic);
                return EXIT_MISSING;
            }
            print(out, t.get());
            return 0;
        }
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "Creates a topic (or sets the retention and time to live of one that exists).")
    static final class Create extends AdminCommand {
        @Option(names = "--topic", required = true)
        String topic;

        @Option(names = "--retention-bytes", description = "Size limit in bytes (-1: none; default: the broker's).")
        Long retentionBytes;

        @Option(names = "--retention-ms", description = "Age limit in milliseconds (-1: none; default: the broker's).")
        Long retentionMillis;

        @Option(
                names = "--message-ttl-ms",
                description = "Time to live of its messages in milliseconds (0: none; -1: the broker's).")
        Long messageTtlMillis;

        @Override
        int run(MqAdmin admin, PrintWriter out) {
            boolean created =
                    admin.createTopic(new CreateTopicRequest(topic, retentionBytes, retentionMillis, messageTtlMillis));
            out.println((created ? "CREATED" : "EXISTS") + " topic=" + topic);
            admin.topic(topic).ifPresent(t -> print(out, t));
            return 0;
        }
    }

    @Command(
            name = "delete",
            mixinStandardHelpOptions = true,
            description = "Deletes a topic, or with --subscription one of its subscriptions (none attached).")
    static final class Delete extends AdminCommand {
        @Option(names = "--topic", required = true)
        String topic;

        @Option(names = "--subscription", description = "Delete this subscription, not the topic.")
        String subscription;

        @Override
        int run(MqAdmin admin, PrintWriter out) {
            boolean deleted =
                    subscription == null ? admin.deleteTopic(topic) : admin.deleteSubscription(topic, subscription);
            String what = "topic=" + topic + (subscription == null ? "" : " subscription=" + subscription);
            if (!deleted) {
                spec.commandLine()
                        .getErr()
                        .println("no such " + (subscription == null ? "topic: " : "subscription: ") + what);
                return EXIT_MISSING;
            }
            out.println("DELETED " + what);
            return 0;
        }
    }

    @Command(
            name = "seek",
            mixinStandardHelpOptions = true,
            description = "Moves a subscription to an offset or a time (none attached): a replay or a skip.")
    static final class Seek extends AdminCommand {
        @Option(names = "--topic", required = true)
        String topic;

        @Option(names = "--subscription", required = true)
        String subscription;

        @ArgGroup(multiplicity = "1")
        Position position;

        static final class Position {
            @Option(names = "--offset", description = "The offset to go on from.")
            Long offset;

            @Option(
                    names = "--time",
                    description = "Go on from the first message stored at or after this time: ISO-8601"
                            + " (2026-12-01T10:00:00Z) or epoch milliseconds.")
            String time;
        }

        @Override
        int run(MqAdmin admin, PrintWriter out) {
            long at = position.offset != null
                    ? admin.seek(topic, subscription, position.offset)
                    : admin.seek(topic, subscription, parseTime(position.time));
            out.println("SEEK topic=" + topic + " subscription=" + subscription + " offset=" + at);
            return 0;
        }

        private Instant parseTime(String value) {
            try {
                return value.chars().allMatch(Character::isDigit)
                        ? Instant.ofEpochMilli(Long.parseLong(value))
                        : Instant.parse(value);
            } catch (DateTimeParseException | NumberFormatException e) {
                throw new ParameterException(
                        spec.commandLine(), "--time " + value + ": not an ISO-8601 instant nor epoch milliseconds");
            }
        }
    }

    @Command(
            name = "purge",
            mixinStandardHelpOptions = true,
            description = "Acknowledges everything a subscription has stored now.")
    static final class Purge extends AdminCommand {
        @Option(names = "--topic", required = true)
        String topic;

        @Option(names = "--subscription", required = true)
        String subscription;

        @Override
        int run(MqAdmin admin, PrintWriter out) {
            long n = admin.purge(topic, subscription);
            out.println("PURGED topic=" + topic + " subscription=" + subscription + " messages=" + n);
            return 0;
        }
    }
}
