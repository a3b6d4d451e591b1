package dev.courier.mq.broker;

import dev.courier.admin.AdminServer;
import dev.courier.mq.client.protocol.AckRequest;
import dev.courier.mq.client.protocol.BrokerService;
import dev.courier.mq.client.protocol.Delivery;
import dev.courier.mq.client.protocol.FetchRequest;
import dev.courier.mq.client.protocol.NackRequest;
import dev.courier.mq.client.protocol.PublishRequest;
import dev.courier.mq.client.protocol.StartPosition;
import dev.courier.mq.client.protocol.SubscribeRequest;
import dev.courier.rpc.RpcClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The broker's web console in a real browser (headless Chromium over WebDriver): messages published
 * show as backlog in the page, a dead letter is replayed by a click, and the page shows it consumed.
 * Screenshots go to {@code target/console/}.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver} (or {@code COURIER_CHROMIUM} and
 * {@code COURIER_CHROMEDRIVER}). Without them the test is skipped, unless {@code COURIER_REQUIRE_BROWSER}
 * is set, as {@code .ci/run} does after installing them: then it fails.
 */
class ConsoleBrowserTest {

    private static final Path SHOTS = Path.of("target", "console");

    @TempDir
    Path dir;

    private Broker broker;
    private RpcClient rpc;
    private WebDriver browser;

    private static Path tool(String env, String fallback) {
        String given = System.getenv(env);
        return Path.of(given != null && !given.isBlank() ? given : fallback);
    }

    @BeforeEach
    void startBrowser() throws Exception {
        Path chromium = tool("COURIER_CHROMIUM", "/usr/bin/chromium");
        Path driver = tool("COURIER_CHROMEDRIVER", "/usr/bin/chromedriver");
        boolean present = Files.isExecutable(chromium) && Files.isExecutable(driver);
        if (System.getenv("COURIER_REQUIRE_BROWSER") != null) {
            assertThat(present)
                    .as("COURIER_REQUIRE_BROWSER is set but " + chromium + " or " + driver + " is missing")
                    .isTrue();
        }
        assumeTrue(present, "no " + chromium + " and " + driver + " (apt-get install chromium chromium-driver)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1280,900",
                "--no-first-run",
                "--disable-extensions",
                "--user-data-dir=" + dir.resolve("chromium-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
        Files.createDirectories(SHOTS);
    }

    @AfterEach
    void tearDown() {
        if (browser != null) {
            browser.quit();
        }
        if (rpc != null) {
            rpc.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(30));
    }

    private String cell(String subscription, String column) {
        List<WebElement> cells =
                browser.findElements(By.cssSelector("#subscriptions tr[data-sub='" + subscription + "'] td." + column));
        return cells.isEmpty() ? null : cells.get(0).getText();
    }

    private void screenshot(String name) throws Exception {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void theBacklogShowsADeadLetterIsReplayedFromThePageAndTheReplayIsConsumed() throws Exception {
        broker = EmbeddedBroker.start(
                BrokerConfig.builder(dir.resolve("data")).maxDeliveries(1).build());
        AdminServer admin = broker.openAdmin("127.0.0.1", 0, null);
        rpc = RpcClient.builder().build();
        BrokerService svc = rpc.reference(BrokerService.class)
                .address("127.0.0.1", broker.port())
                .timeout(Duration.ofSeconds(10))
                .build();
        svc.subscribe(new SubscribeRequest("orders", "billing", StartPosition.EARLIEST));
        List<byte[]> orders = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            orders.add(("order-" + i).getBytes(StandardCharsets.UTF_8));
        }
        svc.publish(new PublishRequest("orders", 0, 0, orders)).get(10, TimeUnit.SECONDS);

        // the backlog, in the page
        browser.get(admin.url() + "/#/topics/orders");
        waiting().until(b -> "5".equals(cell("billing", "ready")));
        assertThat(cell("billing", "lag")).isEqualTo("5");
        screenshot("backlog");

        // the consumer takes all five, acknowledges four and refuses order-2, which is dead-lettered
        List<Delivery> got = svc.fetch(new FetchRequest("orders", "billing", "worker", 5, 5, 0, 60_000))
                .get(10, TimeUnit.SECONDS)
                .messages();
        assertThat(got).hasSize(5);
        svc.ack(new AckRequest("orders", "billing", "worker", new long[] {0, 1, 3, 4}))
                .get(10, TimeUnit.SECONDS);
        svc.nack(new NackRequest("orders", "billing", "worker", new long[] {2}, 0, "price missing"))
                .get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            svc.fetch(new FetchRequest("orders", "billing", "worker", 5, 5, 50, 60_000))
                    .get(10, TimeUnit.SECONDS);
            return broker.stats("orders", "billing").deadLettered() == 1;
        });
        waiting().until(b -> "0".equals(cell("billing", "lag")));

        // the dead letter, and its replay by a click
        browser.findElement(By.cssSelector("#subscriptions tr[data-sub='billing'] a.dead-letters"))
                .click();
        WebElement replay = waiting().until(b -> {
            List<WebElement> buttons = b.findElements(By.cssSelector("#dead-letters button.replay"));
            return buttons.isEmpty() ? null : buttons.get(0);
        });
        assertThat(browser.findElement(By.id("dead-letters")).getText()).contains("price missing", "order-2");
        screenshot("dead-letters");
        replay.click();
        waiting()
                .until(b -> !b.findElements(By.cssSelector("#dead-letters tr.empty"))
                        .isEmpty());

        // the replayed copy is back in the topic: the page shows it as backlog, then consumed
        browser.get(admin.url() + "/#/topics/orders");
        waiting().until(b -> "1".equals(cell("billing", "ready")));
        List<Delivery> replayed = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> svc.fetch(new FetchRequest("orders", "billing", "worker", 5, 5, 100, 60_000))
                                .get(10, TimeUnit.SECONDS)
                                .messages(),
                        list -> !list.isEmpty());
        assertThat(new String(replayed.get(0).payload(), StandardCharsets.UTF_8))
                .isEqualTo("order-2");
        assertThat(replayed.get(0).headers()).containsKey("courier.replayed.from");
        svc.ack(new AckRequest("orders", "billing", "worker", new long[] {
                    replayed.get(0).offset()
                }))
                .get(10, TimeUnit.SECONDS);
        waiting().until(b -> "0".equals(cell("billing", "lag")) && "5".equals(cell("billing", "acknowledged")));
        screenshot("consumed");

        browser.get(admin.url() + "/#/");
        waiting()
                .until(b -> !b.findElements(By.cssSelector("#topics tr[data-topic='orders']"))
                        .isEmpty());
        assertThat(browser.findElement(By.cssSelector("[data-card='published'] .value"))
                        .getText())
                .isEqualTo("6");
        screenshot("overview");
    }
}
