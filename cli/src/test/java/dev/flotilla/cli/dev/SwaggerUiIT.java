package dev.flotilla.cli.dev;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.PlaywrightException;
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
 * Swagger UI at {@code /api/v1/docs} in a real browser (Debian's chromium through Playwright, as
 * {@link WebUiIT}): the page starts from its own script under the docs' Content-Security-Policy,
 * loads {@code /api/v1/openapi.yaml} and renders its operations (createDeployment among them,
 * with its scopes' description when opened), and the console shows no policy violation or script
 * error. The tests that compare the document with the router never run its UI; this one does.
 * Leaves {@code target/screenshots/swagger-ui*.png}.
 */
class SwaggerUiIT {
    private static final Path SHOTS = Paths.get("target", "screenshots");
    @RegisterExtension
    static final Chromium.PerClass CHROMIUM = new Chromium.PerClass();

    @TempDir
    Path tmp;

    @Test
    void swaggerUiRendersTheOperationsWithoutPolicyViolations() throws Exception {
        Path hcl = tmp.resolve("atlas.hcl");
        Files.writeString(hcl, "env \"prod\" {\n  for_each = toset([\"t1\"])\n  url = \"sqlite://" + tmp
                + "/${each.value}.db\"\n  migration {\n    dir = \"atlas://app\"\n  }\n}\n");
        Files.createDirectories(SHOTS);
        try (FleetHarness fleet = FleetHarness.withoutWorker(hcl)) {
            await().atMost(SeedTutorialFlow.WAIT).until(fleet::ready);
            Page page = CHROMIUM.browser().newContext(new Browser.NewContextOptions().setViewportSize(1280, 900))
                    .newPage();
            List<String> console = new CopyOnWriteArrayList<>();
            // Every error but the browser's own request for /favicon.ico, which the product does not serve.
            page.onConsoleMessage(m -> {
                if (("error".equals(m.type()) || m.text().contains("Content Security Policy"))
                        && !m.location().contains("/favicon.ico")) {
                    console.add(m.type() + ": " + m.text() + " (" + m.location() + ")");
                }
            });
            page.onPageError(e -> console.add("uncaught: " + e));
            try {
                page.navigate(fleet.url() + "/api/v1/docs");

                assertThat(page.locator(".swagger-ui .info .title")).containsText("Flotilla");
                Locator create = page.locator("#operations-deployments-createDeployment");
                assertThat(create).isVisible();
                assertThat(create.locator(".opblock-summary-method")).hasText("POST");
                assertThat(create.locator(".opblock-summary-path")).containsText("/api/v1/deployments");
                assertThat(page.locator("[id$='-listDatabases']")).isVisible();
                shot(page, "swagger-ui");

                create.locator(".opblock-summary").first().click();
                assertThat(create.locator(".opblock-description-wrapper").first()).containsText("Starts a deployment set");
                create.screenshot(new com.microsoft.playwright.Locator.ScreenshotOptions()
                        .setPath(SHOTS.resolve("swagger-ui-createDeployment.png")));
            } catch (AssertionError | PlaywrightException e) {
                shot(page, "swagger-ui-failure");
                throw new AssertionError("at " + page.url() + " (target/screenshots/swagger-ui-failure.png), console "
                        + console + ": " + e.getMessage(), e);
            }
            assertThat(page.locator(".opblock").count()).as("operations rendered").isGreaterThan(20);
            assertThat(console).as("no policy violation, failed request or script error in the console").isEmpty();
        }
    }

    private static void shot(Page page, String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve(name + ".png")).setFullPage(true));
    }
}
