package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.fabric.ServiceStore;
import dev.flotilla.fabric.access.Access;
import dev.flotilla.fabric.access.Grant;
import dev.flotilla.fabric.access.InMemoryAuditTrail;
import dev.flotilla.fabric.access.JdbcTokenStore;
import dev.flotilla.fabric.access.Tokens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code flotilla token}: API tokens. Over the API with an admin token, or, for the first token of
 * a new installation, straight into the services' store ({@code --jdbc-url}).
 */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Create, list and revoke API tokens.",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class,
            TokenCommand.Generate.class})
final class TokenCommand {
    private static final String NOTE = "Store it now: it is shown only once. Use it with --token or FLOTILLA_TOKEN.";

    /** {@code flotilla token create --name ci --scope push:app}. */
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a token and print it once.")
    static final class Create implements Callable<Integer> {
        @Mixin
        CloudOptions cloud;

        @Option(names = "--name", required = true, description = "What the token is for, e.g. ci (the audit"
                + " trail names it).")
        String name;

        @Option(names = "--scope", required = true, paramLabel = "SCOPE", description = "read, push[:DIR,…],"
                + " deploy[:ENV,…] or admin; repeat for more.")
        List<String> scopes;

        @Option(names = "--jdbc-url", paramLabel = "URL", description = "Write into the services' store instead"
                + " of asking the API (the first admin token); the password comes from $FLOTILLA_JDBC_PASSWORD.")
        String jdbcUrl;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            List<Grant> grants = scopes.stream().map(Grant::parse).toList();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("scopes", grants.stream().map(Grant::toString).toList());
            JsonNode created = jdbcUrl != null ? inStore(grants) : cloud.api().postJson("/api/v1/tokens", body);
            PrintWriter out = spec.commandLine().getOut();
            if (cloud.json()) {
                out.println(AtlasJson.write(created));
            } else {
                out.println("Token " + Table.text(created, "id") + " (" + name + ", " + String.join(" ",
                        grants.stream().map(Grant::toString).toList()) + "):");
                out.println(Table.text(created, "token"));
                out.println(NOTE);
            }
            out.flush();
            return 0;
        }

        private JsonNode inStore(List<Grant> grants) {
            try (ServiceStore store = ServiceStore.connect(jdbcUrl, jdbcUrl.contains("user=") ? null : "postgres",
                    System.getenv("FLOTILLA_JDBC_PASSWORD"), 1, "flotilla-token")) {
                store.migrate(JdbcTokenStore.DDL);
                Access access = new Access(new JdbcTokenStore(store), new InMemoryAuditTrail(), Clock.systemUTC());
                Access.Created c = access.create(name, grants, "bootstrap");
                ObjectNode o = JsonNodeFactory.instance.objectNode().put("id", c.token().id()).put("name", name)
                        .put("token", c.text());
                return o;
            }
        }
    }

    /** {@code flotilla token list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List tokens (never their text).")
    static final class ListTokens implements Callable<Integer> {
        @Mixin
        CloudOptions cloud;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode answer = cloud.api().getJson("/api/v1/tokens");
            PrintWriter out = spec.commandLine().getOut();
            if (cloud.json()) {
                out.println(AtlasJson.write(answer));
            } else {
                Table t = new Table("ID", "NAME", "SCOPES", "TOKEN", "CREATED", "LAST USED", "STATUS");
                for (JsonNode x : answer.path("items")) {
                    List<String> s = new java.util.ArrayList<>();
                    x.path("scopes").forEach(v -> s.add(v.asText()));
                    t.row(Table.text(x, "id"), Table.text(x, "name"), String.join(" ", s), Table.text(x, "hint"),
                            Table.text(x, "createdAt"), Table.text(x, "lastUsedAt"), Table.text(x, "status"));
                }
                t.print(out);
            }
            out.flush();
            return 0;
        }
    }

    /** {@code flotilla token revoke ID|NAME}. */
    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token by number or name.")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        CloudOptions cloud;

        @Parameters(paramLabel = "ID|NAME", description = "The token's number (token list) or name.")
        String id;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode t = cloud.api().deleteJson("/api/v1/tokens/" + ApiClient.encode(id));
            PrintWriter out = spec.commandLine().getOut();
            out.println(cloud.json() ? AtlasJson.write(t) : "Token " + Table.text(t, "id") + " (" + Table.text(t, "name")
                    + ") revoked");
            out.flush();
            return 0;
        }
    }

    /** {@code flotilla token generate}: a new token's text, stored nowhere (for FLOTILLA_ADMIN_TOKEN). */
    @Command(name = "generate", mixinStandardHelpOptions = true, description = "Print a new random token without"
            + " storing it, to give the services as FLOTILLA_ADMIN_TOKEN.")
    static final class Generate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(Tokens.generate());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
