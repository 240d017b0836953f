package dev.flotilla.cli.dev;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.PlaywrightException;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

/**
 * Debian's chromium driven by Playwright for Java, as the browser tests share it: no browser
 * download (none works here), the flags that keep it off the closed network, and Playwright's
 * assertions waiting as long as the fleet may take. A test class registers a {@link PerClass}, which
 * starts one before its tests and closes it after.
 */
final class Chromium implements AutoCloseable {
    static final Path EXECUTABLE = Paths.get("/usr/bin/chromium");
    static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update",
            "--disable-sync");

    private final Playwright playwright;
    private final Browser browser;

    private Chromium(Playwright playwright, Browser browser) {
        this.playwright = playwright;
        this.browser = browser;
    }

    /** Starts chromium; the test class is skipped, saying why, when there is none (.ci/run installs it). */
    static Chromium start() {
        Assumptions.assumeTrue(Files.isExecutable(EXECUTABLE), "no chromium at " + EXECUTABLE
                + ": apt-get install -y chromium (.ci/run does)");
        PlaywrightAssertions.setDefaultAssertionTimeout(SeedTutorialFlow.WAIT.toMillis());
        Playwright playwright = null;
        try {
            playwright = Playwright.create(new Playwright.CreateOptions()
                    .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
            return new Chromium(playwright, playwright.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(EXECUTABLE).setHeadless(true).setArgs(FLAGS).setTimeout(60_000)));
        } catch (PlaywrightException e) {
            if (playwright != null) {
                playwright.close();
            }
            Assumptions.abort("chromium did not start under Playwright: " + e.getMessage().lines().findFirst()
                    .orElse(""));
            throw e; // not reached
        }
    }

    Browser browser() {
        return browser;
    }

    @Override
    public void close() {
        browser.close();
        playwright.close();
    }

    /**
     * One chromium for a test class's tests: {@code @RegisterExtension static final Chromium.PerClass
     * CHROMIUM = new Chromium.PerClass();}, then {@code CHROMIUM.browser()} in a test.
     */
    static final class PerClass implements BeforeAllCallback, AfterAllCallback {
        private Chromium chromium;

        @Override
        public void beforeAll(ExtensionContext context) {
            chromium = start();
        }

        @Override
        public void afterAll(ExtensionContext context) {
            if (chromium != null) {
                chromium.close();
                chromium = null;
            }
        }

        Browser browser() {
            return chromium.browser();
        }
    }
}
