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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Atlas' database-per-tenant tutorial in a real browser (Debian's chromium driven by Playwright):
 * a request without a session gets the sign-in page; signed in with the admin token, the five
 * databases appear; the seed push turns tenant_4 to Error without a reload; clicking through the
 * failed set reaches tenant_4's log with the failing statement; the fix and a deploy from the UI
 * turn it Synced. Each step leaves a screenshot in {@code target/screenshots}.
 */
class WebUiIT {
    private static final double WAIT_MS = SeedTutorialFlow.WAIT.toMillis();
    private static final Path SHOTS = Paths.get("target", "screenshots");
    @RegisterExtension
    static final Chromium.PerClass CHROMIUM = new Chromium.PerClass();

    @TempDir
    Path tmp;

    @Test
    void seedTutorialInTheBrowserUpdatesLiveAndReachesTheFailedStatement() throws Exception {
        Path hcl = tmp.resolve("atlas.hcl");
        Files.writeString(hcl, "locals {\n  tenant = [\"tenant_1\", \"tenant_2\", \"tenant_3\", \"tenant_4\","
                + " \"tenant_5\"]\n}\n\nenv \"prod\" {\n  for_each = toset(local.tenant)\n  url = \"sqlite://" + tmp
                + "/${each.value}.db\"\n  migration {\n    dir = \"atlas://db-per-tenant\"\n  }\n}\n");
        Path dir = tmp.resolve("migrations");
        FleetHarness.write(dir, "20240721101205_init.sql", SeedTutorialFlow.INIT);
        Files.createDirectories(SHOTS);
        try (FleetHarness fleet = new FleetHarness(hcl, 4)) {
            await().atMost(SeedTutorialFlow.WAIT).until(fleet::ready);
            Page page = CHROMIUM.browser().newContext(new Browser.NewContextOptions().setViewportSize(1280, 800))
                    .newPage();
            page.setDefaultTimeout(WAIT_MS);
            List<String> console = new CopyOnWriteArrayList<>();
            page.onConsoleMessage(m -> {
                if ("error".equals(m.type())) {
                    console.add(m.text());
                }
            });

            try {
                tutorial(fleet, page, dir, console);
            } catch (AssertionError | PlaywrightException e) {
                shot(page, "failure");
                throw new AssertionError("at " + page.url() + " (target/screenshots/failure.png), console " + console
                        + ": " + e.getMessage() + "\n" + page.locator("body").innerText() + "\nlast events: "
                        + page.evaluate("JSON.stringify(((window.flotillaLive || {}).recent || []).slice(-40))"), e);
            }
        }
    }

    private void tutorial(FleetHarness fleet, Page page, Path dir, List<String> console) throws Exception {
        page.navigate(fleet.url() + "/");
        assertThat(page).hasURL(Pattern.compile("/signin\\?next=%2F$"));
        assertThat(page.locator("input[name=token]")).isVisible();
        shot(page, "01-sign-in");

        page.fill("input[name=token]", "flt_wrong");
        page.click("button[type=submit]");
        assertThat(page.locator("p.error")).isVisible();
        shot(page, "02-sign-in-refused");

        page.fill("input[name=token]", fleet.token());
        page.click("button[type=submit]");
        assertThat(page).hasURL(fleet.url() + "/");
        assertThat(page.locator("#who")).containsText("admin");
        assertThat(page.locator("#live")).hasText("live"); // subscribed to /api/v1/events, so no polling
        assertThat(page.locator("main")).containsText("No databases yet");
        assertThat(page.evaluate("document.cookie").toString()).as("the token stays in the HttpOnly cookie")
                .doesNotContain(fleet.token()).contains("flotilla_csrf=");
        page.evaluate("window.__sameDocument = true");
        shot(page, "03-signed-in-empty");

        fleet.push(dir, "db-per-tenant", "v1");
        Locator rows = page.locator("#databases tbody tr");
        assertThat(rows).hasCount(5);
        for (Locator row : rows.all()) {
            assertThat(row.locator(".status")).hasText("Synced");
        }
        assertThat(row(page, "tenant_4").locator(".current")).hasText("20240721101205");
        shot(page, "04-five-databases-synced");

        exec(tmp, "tenant_4", "INSERT INTO users (id, name) VALUES (1, 'tenant data')");
        FleetHarness.write(dir, "20240721111345_seed_users.sql", SeedTutorialFlow.SEED);
        fleet.push(dir, "db-per-tenant", "v2");
        assertThat(row(page, "tenant_4").locator(".status")).hasText("Error");
        assertThat(row(page, "tenant_4").locator(".status .badge")).hasClass(Pattern.compile("s-err"));
        assertThat(row(page, "tenant_4").locator(".error")).hasAttribute("title",
                Pattern.compile("UNIQUE constraint failed"));
        assertThat(row(page, "tenant_1").locator(".status")).hasText("Synced");
        assertThat(page.evaluate("window.__sameDocument === true")).as("updated without a reload")
                .isEqualTo(true);
        shot(page, "05-tenant_4-error-without-reload");

        page.click("nav >> text=Migrations");
        Locator failedSet = page.locator("#sets tbody tr").filter(new Locator.FilterOptions().setHasText("Failed"));
        assertThat(failedSet).hasCount(1);
        assertThat(failedSet.locator(".counts")).containsText("4/5");
        shot(page, "06-migrations");
        failedSet.locator("a").first().click();
        assertThat(page.locator("#targets tbody tr")).hasCount(5);
        page.check("#failed-only");
        assertThat(page.locator("#targets tbody tr")).hasCount(1);
        shot(page, "07-set-failed-targets");
        page.click("#targets >> text=tenant_4");
        assertThat(page.locator(".error-stmt")).hasText("INSERT INTO users (id, name) VALUES (1, 'a8m');");
        assertThat(page.locator("#target-error")).containsText("UNIQUE constraint failed: users.id");
        assertThat(page.locator(".file.failed .error-text")).containsText("UNIQUE constraint failed");
        shot(page, "08-tenant_4-log");

        exec(tmp, "tenant_4", "DELETE FROM users WHERE id = 1");
        page.click("nav >> text=Migrations");
        page.click("#deploy");
        page.fill("#deploy-dialog input[name=env]", "prod");
        shot(page, "09-deploy-dialog");
        page.click("#deploy-dialog button[type=submit]");
        assertThat(page.locator("#set-status")).hasText("Passed");
        assertThat(page.locator("#set-counts")).containsText("5/5");
        shot(page, "10-redeploy-passed");

        page.click("nav >> text=Databases");
        assertThat(row(page, "tenant_4").locator(".status")).hasText("Synced");
        assertThat(row(page, "tenant_4").locator(".current")).hasText("20240721111345");
        assertThat(page.locator("#databases .badge.s-err")).hasCount(0);
        shot(page, "11-all-synced");

        page.click("nav >> text=Directories");
        assertThat(page.locator("[data-directory=db-per-tenant] tbody tr")).hasCount(2);
        shot(page, "12-directories");
        page.locator("[data-directory=db-per-tenant] a").first().click();
        assertThat(page.locator("#atlas-sum")).containsText("20240721111345_seed_users.sql h1:");
        assertThat(page.locator("pre.content").first()).containsText("CREATE TABLE users");
        shot(page, "13-directory-version");

        page.click("text=Sign out");
        assertThat(page).hasURL(Pattern.compile("/signin$"));
        page.navigate(fleet.url() + "/");
        assertThat(page).hasURL(Pattern.compile("/signin\\?next="));

        // A token that may only read sees the same pages without actions, and no SQL.
        String viewer = fleet.host().access().create("viewer", List.of(Grant.parse("read")), "test").text();
        page.fill("input[name=token]", viewer);
        page.click("button[type=submit]");
        assertThat(page.locator("#who")).containsText("viewer");
        page.click("nav >> text=Migrations");
        assertThat(page.locator("#sets tbody tr")).hasCount(3);
        assertThat(page.locator("#deploy")).hasCount(0);
        page.locator("#sets tbody tr a").last().click();
        assertThat(page.locator("#targets tbody tr")).hasCount(5);
        assertThat(page.locator("#set-actions")).hasCount(0);
        assertThat(page.locator("#targets button")).hasCount(0);
        page.click("nav >> text=Directories");
        page.locator("[data-directory=db-per-tenant] a").first().click();
        assertThat(page.locator("#atlas-sum")).containsText("h1:");
        assertThat(page.locator("main")).containsText("File contents need a token that may push");
        assertThat(page.locator("main")).not().containsText("CREATE TABLE");
        shot(page, "14-read-only-version");
        assertThat(console).as("no script or policy errors in the console").noneMatch(m -> m.contains(
                "Content Security Policy") || m.contains("Uncaught"));
    }

    private static Locator row(Page page, String name) {
        return page.locator("#databases tbody tr[data-name=" + name + "]");
    }

    private static void shot(Page page, String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve(name + ".png")).setFullPage(true));
    }

    private static void exec(Path tmp, String tenant, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve(tenant + ".db"));
             Statement s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }

}
