package dev.flotilla.cli.dev;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.PlaywrightException;
import dev.flotilla.fabric.access.Grant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The rollout controls of a set's page in a real browser (chromium through Playwright, as
 * {@link WebUiIT}). No worker runs, so the set stays running until the test acts: Pause turns it
 * Paused and offers Resume, Resume turns it Running again, Skip on a target (with its reason)
 * turns that target Skipped, Cancel turns the set Cancelled and takes the controls away; each
 * change arrives over the event stream, without a reload. A token that may only read sees none of
 * the buttons. Leaves {@code target/screenshots/controls-*.png}.
 */
class RolloutControlsUiIT {
    private static final Path SHOTS = Paths.get("target", "screenshots");
    @RegisterExtension
    static final Chromium.PerClass CHROMIUM = new Chromium.PerClass();

    @TempDir
    Path tmp;

    @Test
    void pauseResumeSkipAndCancelChangeTheSetLiveAndAReaderSeesNoButton() throws Exception {
        Path hcl = tmp.resolve("atlas.hcl");
        Files.writeString(hcl, "env \"prod\" {\n  for_each = toset([\"t1\", \"t2\", \"t3\"])\n  url = \"sqlite://" + tmp
                + "/${each.value}.db\"\n  migration {\n    dir = \"atlas://app\"\n  }\n}\n");
        Path dir = tmp.resolve("migrations");
        FleetHarness.write(dir, "20240721101205_init.sql", SeedTutorialFlow.INIT);
        Files.createDirectories(SHOTS);
        try (FleetHarness fleet = FleetHarness.withoutWorker(hcl)) {
            await().atMost(SeedTutorialFlow.WAIT).until(fleet::ready);
            Page page = CHROMIUM.browser().newContext(new Browser.NewContextOptions().setViewportSize(1280, 800))
                    .newPage();
            page.setDefaultTimeout(SeedTutorialFlow.WAIT.toMillis());
            List<String> console = new CopyOnWriteArrayList<>();
            // Every error but the browser's own request for /favicon.ico, which the product does not serve.
            page.onConsoleMessage(m -> {
                if ("error".equals(m.type()) && !m.location().contains("/favicon.ico")) {
                    console.add(m.text() + " (" + m.location() + ")");
                }
            });
            // Cancel asks to confirm, Skip asks why.
            page.onDialog(d -> d.accept("prompt".equals(d.type()) ? "tenant is being moved" : null));
            try {
                controls(fleet, page, dir);
            } catch (AssertionError | PlaywrightException e) {
                shot(page, "controls-failure");
                throw new AssertionError("at " + page.url() + " (target/screenshots/controls-failure.png), console "
                        + console + ": " + e.getMessage() + "\n" + page.locator("body").innerText(), e);
            }
            assertThat(console).as("no script or policy errors in the console").isEmpty();
        }
    }

    private void controls(FleetHarness fleet, Page page, Path dir) throws Exception {
        page.navigate(fleet.url() + "/");
        page.fill("input[name=token]", fleet.token());
        page.click("button[type=submit]");
        assertThat(page.locator("#who")).containsText("admin");

        fleet.push(dir, "app", "v1");
        page.click("nav >> text=Migrations");
        assertThat(page.locator("#sets tbody tr")).hasCount(1);
        page.locator("#sets tbody tr a").first().click();
        assertThat(page.locator("#targets tbody tr")).hasCount(3);
        assertThat(page.locator("#set-status")).hasText("Running");
        assertThat(page.locator("#resume")).hasCount(0);
        page.evaluate("window.__sameDocument = true");
        shot(page, "controls-1-running");

        page.click("#pause");
        assertThat(page.locator("#set-status")).hasText("Paused");
        assertThat(page.locator("#resume")).isVisible();
        assertThat(page.locator("#pause")).hasCount(0);
        shot(page, "controls-2-paused");

        page.click("#resume");
        assertThat(page.locator("#set-status")).hasText("Running");
        assertThat(page.locator("#pause")).isVisible();
        shot(page, "controls-3-resumed");

        page.locator("#targets tr[data-name=t2] button", new Page.LocatorOptions().setHasText("Skip")).click();
        assertThat(page.locator("#targets tr[data-name=t2] .status")).hasText("Skipped");
        shot(page, "controls-4-t2-skipped");

        page.click("#cancel");
        assertThat(page.locator("#set-status")).hasText("Cancelled");
        assertThat(page.locator("#set-actions")).hasCount(0);
        assertThat(page.locator("#targets button")).hasCount(0); // nothing to retry or skip in a cancelled set
        assertThat(page.evaluate("window.__sameDocument === true")).as("changed without a reload").isEqualTo(true);
        shot(page, "controls-5-cancelled");

        // A reader sees the set and its targets, and no control at all, on a running set too.
        FleetHarness.write(dir, "20240721111345_seed_users.sql", SeedTutorialFlow.SEED);
        fleet.push(dir, "app", "v2");
        page.click("text=Sign out");
        String viewer = fleet.host().access().create("viewer", List.of(Grant.parse("read")), "test").text();
        page.fill("input[name=token]", viewer);
        page.click("button[type=submit]");
        assertThat(page.locator("#who")).containsText("viewer");
        page.click("nav >> text=Migrations");
        assertThat(page.locator("#sets tbody tr")).hasCount(2);
        page.locator("#sets tbody tr").filter(new Locator.FilterOptions().setHasText("Running"))
                .locator("a").first().click();
        assertThat(page.locator("#targets tbody tr")).hasCount(3);
        assertThat(page.locator("#set-status")).hasText("Running");
        assertThat(page.locator("#set-actions")).hasCount(0);
        assertThat(page.locator("main button")).hasCount(0);
        shot(page, "controls-6-reader");
    }

    private static void shot(Page page, String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve(name + ".png")).setFullPage(true));
    }
}
