package io.facestream.server.dashboard;

import io.vertx.core.json.JsonObject;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Debian's headless Chromium under its chromedriver, for the dashboard tests ({@code .ci/run} installs both). */
final class HeadlessChromium {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private HeadlessChromium() {
    }

    /** Fails the test, saying how to install them, when Chromium or its driver is missing. */
    static void require() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("the dashboard test needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
                    + "): apt-get install -y --no-install-recommends chromium chromium-driver (.ci/run does)");
        }
    }

    /** A browser with its profile in {@code profile} (the caller deletes it after {@code quit()}). */
    static ChromeDriver open(Path profile) {
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless",
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1300",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /**
     * Reads the page ({@code read}, e.g. a script over {@code window.facestream}) every 250 ms until {@code ready}
     * holds, and returns that reading; fails after {@code wait} with the last one.
     */
    static JsonObject await(ChromeDriver browser, Duration wait, String what, Supplier<JsonObject> read,
                            Predicate<JsonObject> ready) {
        JsonObject[] last = {new JsonObject()};
        try {
            new WebDriverWait(browser, wait, Duration.ofMillis(250)).until(d -> {
                last[0] = read.get();
                return ready.test(last[0]);
            });
        } catch (TimeoutException e) {
            fail("the dashboard did not show " + what + " within " + wait + "; it holds " + last[0].encode());
        }
        return last[0];
    }
}
