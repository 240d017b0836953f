package dev.flotilla.migrate.dir;

import static dev.flotilla.migrate.dir.Dirs.unsummed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.migrate.dir.SumCheck.Mismatch;
import dev.flotilla.migrate.dir.SumCheck.Reason;
import org.junit.jupiter.api.Test;

/** Line numbers and reasons as in Atlas' TestValidate (removed/edited/added helpers). */
class SumCheckTest {

    private static final HashFile ATLAS = unsummed("1_initial.down.sql", "DROP TABLE IF EXISTS t;",
            "1_initial.up.sql", "CREATE TABLE t(c int);").computeSum();

    @Test
    void identicalSumsHaveNoMismatch() {
        assertThat(SumCheck.compare(ATLAS, ATLAS)).isNull();
    }

    @Test
    void noFilesAgainstAFullSumIsTheFirstFileRemovedOnLine2() {
        assertThat(SumCheck.compare(ATLAS, unsummed().computeSum()))
                .isEqualTo(new Mismatch("1_initial.down.sql", Reason.REMOVED, 2));
    }

    @Test
    void anEditedSecondFileIsReportedOnLine3() {
        HashFile now = unsummed("1_initial.down.sql", "DROP TABLE IF EXISTS t;",
                "1_initial.up.sql", "CREATE TABLE t(c int);something").computeSum();

        assertThat(SumCheck.compare(ATLAS, now)).isEqualTo(new Mismatch("1_initial.up.sql", Reason.EDITED, 3));
    }

    @Test
    void anAppendedFileIsReportedAddedOnLine4() {
        HashFile now = unsummed("1_initial.down.sql", "DROP TABLE IF EXISTS t;",
                "1_initial.up.sql", "CREATE TABLE t(c int);", "2_second.sql", "stmt").computeSum();

        assertThat(SumCheck.compare(ATLAS, now)).isEqualTo(new Mismatch("2_second.sql", Reason.ADDED, 4));
    }

    @Test
    void aRenameThatSortsFirstIsReportedAddedOnLine2() {
        HashFile now = unsummed("1_first.up.sql", "CREATE TABLE t(c int);",
                "1_initial.down.sql", "DROP TABLE IF EXISTS t;").computeSum();

        assertThat(SumCheck.compare(ATLAS, now)).isEqualTo(new Mismatch("1_first.up.sql", Reason.ADDED, 2));
    }

    @Test
    void aMissingLastFileIsReportedRemovedOnLine3() {
        HashFile now = unsummed("1_initial.down.sql", "DROP TABLE IF EXISTS t;").computeSum();

        assertThat(SumCheck.compare(ATLAS, now)).isEqualTo(new Mismatch("1_initial.up.sql", Reason.REMOVED, 3));
    }
}
