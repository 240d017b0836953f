package dev.flotilla.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.dir.MigrationDirectory;
import dev.flotilla.migrate.exec.DevReplay;
import dev.flotilla.migrate.exec.PreparedDirectory;
import dev.flotilla.migrate.url.DatabaseUrl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code flotilla migrate push NAME[:TAG]}: stores the directory in the registry of the Flotilla
 * server, as Atlas' {@code migrate push} stores it in Atlas Cloud, and prints its URL.
 */
@Command(name = "push", mixinStandardHelpOptions = true,
        description = "Push the migration directory to the Flotilla registry as NAME (tag TAG, else latest).")
final class MigratePush implements Callable<Integer> {
    private static final int SHORT_VERSION = 12;

    @Mixin
    DirOption dir;

    @Option(names = "--url", paramLabel = "URL",
            description = "Flotilla server (default: $FLOTILLA_URL, else " + ApiClient.DEFAULT_URL
                    + "); --registry is the same.")
    String url;

    @Option(names = "--dev-url", paramLabel = "URL",
            description = "An empty database to replay the files on before pushing, e.g. sqlite://?mode=memory")
    String devUrl;

    @Parameters(index = "0", paramLabel = "NAME[:TAG]", description = "Directory name in the registry, and tag.")
    String target;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        RegistryRef ref = RegistryRef.ofArgument(target);
        String server = server();
        String flag = url != null ? "--url" : DirOption.REGISTRY_FLAG;
        MigrationDirectory d = dir.openValid(server, flag);
        if (devUrl != null) {
            DatabaseUrl dev = DatabaseUrl.parse(devUrl);
            DevReplay.replay(dev, PreparedDirectory.of(d, dev.dialect()));
        }
        ApiClient api = ApiClient.connect(server, flag, dir.token);
        ApiClient.Reply reply = api.postBytes(ref.pushPath(), d.toArchive(), "application/x-tar");
        print(api, ref, reply);
        return 0;
    }

    private String server() {
        if (url != null && dir.registry != null && !url.equals(dir.registry)) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "--url " + url + " and --registry " + dir.registry
                    + " both name the Flotilla server to push to; pass only one of them");
        }
        return url != null ? url : dir.registry;
    }

    private void print(ApiClient api, RegistryRef ref, ApiClient.Reply reply) {
        JsonNode body = reply.body();
        String name = body.path("directory").asText(ref.name());
        String tag = body.path("tag").asText(ref.tag() == null ? "latest" : ref.tag());
        PrintWriter out = spec.commandLine().getOut();
        boolean created = reply.status() == 201;
        if (!created) {
            String version = body.path("versionId").asText("");
            out.println("Directory " + name + ":" + tag + " is already at version "
                    + version.substring(0, Math.min(SHORT_VERSION, version.length())) + "; nothing changed");
        }
        String path = body.hasNonNull("url") ? body.get("url").asText()
                : "/dirs/" + ApiClient.encode(name) + "?tag=" + ApiClient.encode(tag);
        out.println(api.link(path));
        out.flush();
    }
}
