package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code flotilla webhook}: a directory's webhooks and their delivery history. Listing needs a read
 * token; creating, deleting and testing need push for the directory (or admin). URLs and secrets are
 * never shown back in full.
 */
@Command(name = "webhook", mixinStandardHelpOptions = true, description = "Manage a directory's webhooks.",
        subcommands = {WebhookCommand.Create.class, WebhookCommand.ListHooks.class, WebhookCommand.Delete.class,
            WebhookCommand.Test.class, WebhookCommand.Deliveries.class})
final class WebhookCommand {
    /** Where {@code --secret} is read from when not given. */
    static final String SECRET_ENV = "FLOTILLA_WEBHOOK_SECRET";

    private WebhookCommand() {
    }

    static String hooks(String dir) {
        return "/api/v1/dirs/" + ApiClient.encode(dir) + "/webhooks";
    }

    static void print(CloudOptions cloud, CommandSpec spec, JsonNode answer, String text) {
        PrintWriter out = spec.commandLine().getOut();
        out.println(cloud.json() ? AtlasJson.write(answer) : text);
        out.flush();
    }

    static String events(JsonNode hook) {
        List<String> e = new ArrayList<>();
        hook.path("events").forEach(v -> e.add(v.asText()));
        return String.join(",", e);
    }

    /**
     * {@code flotilla webhook create --dir D --name N --url U [--format json|slack] [--events a,b] [--secret S]}.
     * Here {@code --url} and {@code --format} are the webhook's, so the server is {@code --server}.
     */
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a webhook for a directory.")
    static final class Create implements Callable<Integer> {
        @Option(names = "--server", paramLabel = "URL", description = "Flotilla server (default: $FLOTILLA_URL, else "
                + ApiClient.DEFAULT_URL + ").")
        String server;

        @Option(names = "--token", paramLabel = "TOKEN", description = "API token (default: $FLOTILLA_TOKEN, else the"
                + " one 'flotilla dev' keeps in .flotilla/admin.token).")
        String token;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The directory (registry name).")
        String dir;

        @Option(names = "--name", required = true, description = "The webhook's name, unique in the directory.")
        String name;

        @Option(names = "--url", required = true, description = "Where deliveries go (http or https).")
        String url;

        @Option(names = "--format", defaultValue = "json", description = "json (signed) or slack (default:"
                + " ${DEFAULT-VALUE}).")
        String format;

        @Option(names = "--events", split = ",", paramLabel = "EVENT", description = "set.started, set.halted,"
                + " set.finished, target.failed, env.reached_version (default: all).")
        List<String> events;

        @Option(names = "--secret", paramLabel = "SECRET", description = "Key to sign deliveries with (at least 12"
                + " characters; default: $" + SECRET_ENV + "; none: unsigned).")
        String secret;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("url", url);
            body.put("format", format);
            if (events != null && !events.isEmpty()) {
                body.put("events", events);
            }
            String s = secret != null ? secret : System.getenv(SECRET_ENV);
            if (s != null && !s.isBlank()) {
                body.put("secret", s);
            }
            JsonNode w = ApiClient.connect(server, "--server", token).postJson(hooks(dir), body);
            PrintWriter out = spec.commandLine().getOut();
            out.println("Webhook " + Table.text(w, "id") + " (" + Table.text(w, "name") + ") of directory "
                    + dir + " sends " + events(w) + " to " + Table.text(w, "url") + " as " + Table.text(w, "format")
                    + (w.path("signed").asBoolean() ? ", signed with secret " + Table.text(w, "secret") : ", unsigned"));
            out.flush();
            return 0;
        }
    }

    /** {@code flotilla webhook list --dir D}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List a directory's webhooks.")
    static final class ListHooks implements Callable<Integer> {
        @Mixin
        CloudOptions cloud;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The directory.")
        String dir;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode answer = cloud.api().getJson(hooks(dir));
            PrintWriter out = spec.commandLine().getOut();
            if (cloud.json()) {
                out.println(AtlasJson.write(answer));
            } else {
                Table t = new Table("ID", "NAME", "URL", "FORMAT", "EVENTS", "SECRET", "CREATED", "BY");
                for (JsonNode w : answer.path("items")) {
                    t.row(Table.text(w, "id"), Table.text(w, "name"), Table.text(w, "url"), Table.text(w, "format"),
                            events(w), Table.text(w, "secret"), Table.text(w, "createdAt"), Table.text(w, "createdBy"));
                }
                t.print(out);
            }
            out.flush();
            return 0;
        }
    }

    /** What every command on one webhook takes: the server, the directory and the webhook's number. */
    abstract static class OneWebhook implements Callable<Integer> {
        @Mixin
        CloudOptions cloud;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The directory.")
        String dir;

        @Parameters(paramLabel = "ID", description = "The webhook's number (webhook list).")
        long id;

        @Spec
        CommandSpec spec;
    }

    /** {@code flotilla webhook delete --dir D ID}. */
    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a webhook and its history.")
    static final class Delete extends OneWebhook {

        @Override
        public Integer call() {
            JsonNode w = cloud.api().deleteJson(hooks(dir) + "/" + id);
            print(cloud, spec, w, "Webhook " + Table.text(w, "id") + " (" + Table.text(w, "name") + ") deleted");
            return 0;
        }
    }

    /** {@code flotilla webhook test --dir D ID}. */
    @Command(name = "test", mixinStandardHelpOptions = true, description = "Send a ping and show how it went.")
    static final class Test extends OneWebhook {

        @Override
        public Integer call() {
            JsonNode d = cloud.api().postJson(hooks(dir) + "/" + id + "/test", Map.of());
            String status = Table.text(d, "statusCode");
            String error = Table.text(d, "error");
            print(cloud, spec, d, "Ping " + Table.text(d, "id") + ": " + Table.text(d, "state")
                    + (status == null ? "" : ", HTTP " + status) + (d.path("latencyMs").isNull() ? ""
                    : " in " + Table.text(d, "latencyMs") + " ms") + (error == null ? "" : " (" + error + ")"));
            return "DELIVERED".equals(Table.text(d, "state")) ? 0 : 1;
        }
    }

    /** {@code flotilla webhook deliveries --dir D ID [--page N]}. */
    @Command(name = "deliveries", mixinStandardHelpOptions = true, description = "A webhook's delivery history,"
            + " newest first.")
    static final class Deliveries extends OneWebhook {
        @Mixin
        PageOption page;

        @Override
        public Integer call() {
            JsonNode answer = cloud.api().getJson(hooks(dir) + "/" + id + "/deliveries" + ApiClient.query("page",
                    page.number(), "pageSize", PageOption.SIZE));
            PrintWriter out = spec.commandLine().getOut();
            if (cloud.json()) {
                out.println(AtlasJson.write(answer));
            } else {
                Table t = new Table("DELIVERY", "EVENT", "STATE", "ATTEMPTS", "CODE", "LATENCY", "CREATED", "RESPONSE");
                int shown = 0;
                for (JsonNode d : answer.path("items")) {
                    String response = Table.text(d, "error") != null ? Table.text(d, "error") : Table.text(d, "response");
                    t.row(Table.text(d, "id"), Table.text(d, "event"), Table.text(d, "state"),
                            Table.text(d, "attempts"), Table.text(d, "statusCode"),
                            d.path("latencyMs").isNull() || d.path("latencyMs").isMissingNode() ? null
                                    : Table.text(d, "latencyMs") + " ms", Table.text(d, "createdAt"),
                            response == null ? null : response.length() > 60 ? response.substring(0, 60) + "…"
                                    : response);
                    shown++;
                }
                t.print(out);
                Table.footer(out, answer.path("page"), shown);
            }
            out.flush();
            return 0;
        }
    }
}
