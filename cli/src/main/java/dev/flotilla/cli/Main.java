package dev.flotilla.cli;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import dev.flotilla.migrate.url.DatabaseUrl;
import picocli.CommandLine;

import java.io.PrintWriter;

/** Entry point of the {@code flotilla} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams and returns the exit code; used by tests too. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new FlotillaCommand());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> handle(ex, err));
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    private static int handle(Exception ex, PrintWriter err) {
        if (ex instanceof FlotillaException) {
            FlotillaException fe = (FlotillaException) ex;
            err.println("Error: " + DatabaseUrl.redact(fe.getMessage()));
            return fe.code().exitCode();
        }
        err.println("Error: unexpected " + ex.getClass().getSimpleName() + ": " + DatabaseUrl.redact(ex.getMessage()));
        ex.printStackTrace(err);
        return ErrorCode.INTERNAL.exitCode();
    }
}
