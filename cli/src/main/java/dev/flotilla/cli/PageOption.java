package dev.flotilla.cli;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import picocli.CommandLine.Option;

/** {@code --page n} of the list commands; pages hold a fixed 20 rows, as in Atlas. */
final class PageOption {
    static final String SIZE = "20";

    @Option(names = "--page", defaultValue = "1", paramLabel = "N",
            description = "Page to show, from 1 (20 rows each).")
    int page;

    String number() {
        if (page < 1) {
            throw new FlotillaException(ErrorCode.CONFIG_INVALID, "--page " + page + " is not a page number;"
                    + " pages start at 1");
        }
        return Integer.toString(page);
    }
}
