package dev.flotilla.worker;

import dev.flotilla.migrate.exec.ApplyResult;
import dev.flotilla.migrate.exec.FileResult;
import dev.flotilla.protocol.EventSerde;
import dev.flotilla.protocol.avro.MigrationCommand;
import dev.flotilla.protocol.avro.MigrationResult;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A result fits in a Kafka record of the default size however large the files were; a small one is whole. */
class ResultMakerTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private final ResultMaker results = new ResultMaker("w1");

    @Test
    void aSixtyMebibyteSeedFileMakesAResultUnderOneMebibyteThatSaysWhatItLeftOut() {
        List<String> statements = new ArrayList<>();
        for (int i = 0; i < 960; i++) {
            statements.add("INSERT INTO seed VALUES (" + i + ", '" + "x".repeat(64 * 1024) + "');");
        }
        FileResult seed = new FileResult("2_seed.sql", "2", "seed", T0, T0, 0, statements, null);
        FileResult after = new FileResult("3_more.sql", "3", "more", T0, T0, 0, List.of("CREATE INDEX i ON seed (id);"),
                null);

        MigrationResult r = results.of(command(), applied(List.of(seed, after)));

        assertThat(EventSerde.encode(r).length).isLessThan(1024 * 1024);
        List<String> listed = r.getFiles().get(0).getApplied();
        assertThat(listed.get(0)).startsWith("INSERT INTO seed VALUES (0, 'xxx").endsWith("more characters)")
                .hasSizeLessThan(ResultMaker.STATEMENT_CHARS + 40);
        assertThat(listed.get(listed.size() - 1)).matches("-- \\d+ more statements of this file ran; a result lists at"
                + " most 256 KiB of statements");
        assertThat(r.getFiles().get(1).getApplied()).containsExactly("-- 1 more statements of this file ran; a result"
                + " lists at most 256 KiB of statements");
    }

    @Test
    void aSmallResultListsEveryStatementAsItRan() {
        FileResult f = new FileResult("1_init.sql", "1", "init", T0, T0, 0, List.of("CREATE TABLE t (id int);",
                "CREATE TABLE u (id int);"), new FileResult.StatementError("CREATE TABLE u (id int);", "exists", false));

        MigrationResult r = results.of(command(), applied(List.of(f)));

        assertThat(r.getFiles().get(0).getApplied()).containsExactly("CREATE TABLE t (id int);",
                "CREATE TABLE u (id int);");
        assertThat(r.getFiles().get(0).getErrorStmt()).isEqualTo("CREATE TABLE u (id int);");
    }

    @Test
    void aNulInADatabasesErrorTextOrAStatementBecomesAReplacementCharacter() {
        FileResult f = new FileResult("1_init.sql", "1", "init", T0, T0, 0, List.of("SELECT 'a\u0000b';"),
                new FileResult.StatementError("SELECT 'a\u0000b';", "invalid byte \u0000 in input", false));

        MigrationResult r = results.of(command(), applied(List.of(f)));
        MigrationResult failed = results.failed(command(), T0, dev.flotilla.migrate.ErrorCode.STATEMENT_FAILED,
                "server said \u0000\u0000");

        assertThat(r.getFiles().get(0).getApplied()).containsExactly("SELECT 'a\uFFFDb';");
        assertThat(r.getFiles().get(0).getErrorStmt()).isEqualTo("SELECT 'a\uFFFDb';");
        assertThat(r.getFiles().get(0).getErrorText()).isEqualTo("invalid byte \uFFFD in input");
        assertThat(failed.getError()).isEqualTo("server said \uFFFD\uFFFD");
    }

    private static ApplyResult applied(List<FileResult> files) {
        return new ApplyResult("db-1", "sqlite://t.db", "sqlite", List.of(), files, null, "3", T0, T0, null, false,
                false);
    }

    private static MigrationCommand command() {
        return MigrationCommand.newBuilder().setEventId("e").setOccurredAt(T0).setDeploymentSetId("s")
                .setTargetId("prod/t1").setCommandId("s/0").setEnv("prod").setDirectory("app")
                .setVersionId("a".repeat(64)).setTargetVersion(null).setTargetName("t1").setRedactedUrl("sqlite://t.db")
                .setAttempt(1).setDryRun(false).setIndex(0).setPlanned(1).build();
    }
}
