package dev.flotilla.migrate.dir;

import static dev.flotilla.migrate.dir.Dirs.file;
import static dev.flotilla.migrate.dir.Dirs.summed;
import static dev.flotilla.migrate.dir.Dirs.text;
import static dev.flotilla.migrate.dir.Dirs.unsummed;
import static dev.flotilla.migrate.dir.Dirs.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class HashFileTest {

    private static final String GOLDEN = "h1:M74RrNK69S2pj6C541LR1ew5O32/i0WoyNgsJmyuiUk=\n"
            + "1_initial.down.sql h1:0zypK43rgPbgvVUgVJABGN25VgM1QSeU+LJDBb8cEQI=\n"
            + "1_initial.up.sql h1:hFhs5XhRml4KTWGF5td6h1s7xNqAFnaEBbC5Y/NF7i4=\n";

    @Test
    void computesTheGoldenVectorOfAtlasByteForByte() {
        HashFile sum = HashFile.compute(List.of(
                file("1_initial.down.sql", "DROP TABLE IF EXISTS t;"),
                file("1_initial.up.sql", "CREATE TABLE t(c int);")));

        assertThat(sum.toBytes()).isEqualTo(utf8(GOLDEN));
        assertThat(sum.total()).isEqualTo("M74RrNK69S2pj6C541LR1ew5O32/i0WoyNgsJmyuiUk=");
        assertThat(sum.hashOf("1_initial.up.sql")).isEqualTo("hFhs5XhRml4KTWGF5td6h1s7xNqAFnaEBbC5Y/NF7i4=");
        assertThat(sum.hashOf("2_missing.sql")).isNull();
    }

    @Test
    void parsesTheGoldenVectorIntoTheSameSum() {
        HashFile parsed = HashFile.parse(utf8(GOLDEN));

        assertThat(parsed.entries()).containsExactly(
                new HashFile.Entry("1_initial.down.sql", "0zypK43rgPbgvVUgVJABGN25VgM1QSeU+LJDBb8cEQI="),
                new HashFile.Entry("1_initial.up.sql", "hFhs5XhRml4KTWGF5td6h1s7xNqAFnaEBbC5Y/NF7i4="));
        assertThat(parsed.toBytes()).isEqualTo(utf8(GOLDEN));
    }

    @Test
    void eachLineIsTheRunningHashOfAllNamesAndContentsSoFar() throws Exception {
        HashFile sum = unsummed("1_a.sql", "A;", "2_b.sql", "B;").computeSum();

        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(utf8("1_a.sql" + "A;" + "2_b.sql" + "B;"));
        assertThat(sum.hashOf("2_b.sql")).isEqualTo(Base64.getEncoder().encodeToString(sha.digest()));
    }

    @Test
    void aSumIgnoredFileFeedsItsNameButNotItsContentAndGetsNoLine() throws Exception {
        String ignored = "-- atlas:sum ignore\nINSERT INTO seed VALUES (1);";
        HashFile sum = unsummed("1_a.sql", "A;", "2_seed.sql", ignored, "3_c.sql", "C;").computeSum();

        assertThat(sum.entries()).extracting(HashFile.Entry::file).containsExactly("1_a.sql", "3_c.sql");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(utf8("1_a.sql" + "A;" + "2_seed.sql" + "3_c.sql" + "C;"));
        assertThat(sum.hashOf("3_c.sql")).isEqualTo(Base64.getEncoder().encodeToString(sha.digest()));
    }

    @Test
    void editingASumIgnoredFileKeepsTheSumButRenamingItChangesLaterLines() {
        HashFile before = unsummed("1_seed.sql", "-- atlas:sum ignore\nv1", "2_b.sql", "B;").computeSum();
        HashFile edited = unsummed("1_seed.sql", "-- atlas:sum ignore\nv2", "2_b.sql", "B;").computeSum();
        HashFile renamed = unsummed("1_seeds.sql", "-- atlas:sum ignore\nv1", "2_b.sql", "B;").computeSum();

        assertThat(edited).isEqualTo(before);
        assertThat(renamed.hashOf("2_b.sql")).isNotEqualTo(before.hashOf("2_b.sql"));
    }

    @Test
    void editingAFileChangesItsLineAndEveryLaterLineButNotEarlierOnes() {
        HashFile before = unsummed("1_a.sql", "A;", "2_b.sql", "B;", "3_c.sql", "C;").computeSum();
        HashFile after = unsummed("1_a.sql", "A;", "2_b.sql", "B2;", "3_c.sql", "C;").computeSum();

        assertThat(after.entries().get(0)).isEqualTo(before.entries().get(0));
        assertThat(after.entries().get(1)).isNotEqualTo(before.entries().get(1));
        assertThat(after.entries().get(2)).isNotEqualTo(before.entries().get(2));
        assertThat(after.total()).isNotEqualTo(before.total());
    }

    @Test
    void insertingAFileChangesEveryLaterLine() {
        HashFile before = unsummed("1_a.sql", "A;", "3_c.sql", "C;").computeSum();
        HashFile after = unsummed("1_a.sql", "A;", "2_b.sql", "B;", "3_c.sql", "C;").computeSum();

        assertThat(after.hashOf("1_a.sql")).isEqualTo(before.hashOf("1_a.sql"));
        assertThat(after.hashOf("3_c.sql")).isNotEqualTo(before.hashOf("3_c.sql"));
    }

    @Test
    void renamingAFileChangesItsLineAndEveryLaterLineEvenWithTheSameContent() {
        HashFile before = unsummed("1_a.sql", "A;", "2_b.sql", "B;", "3_c.sql", "C;").computeSum();
        HashFile after = unsummed("1_a.sql", "A;", "2_bee.sql", "B;", "3_c.sql", "C;").computeSum();

        assertThat(after.hashOf("1_a.sql")).isEqualTo(before.hashOf("1_a.sql"));
        assertThat(after.hashOf("2_bee.sql")).isNotEqualTo(before.hashOf("2_b.sql"));
        assertThat(after.hashOf("3_c.sql")).isNotEqualTo(before.hashOf("3_c.sql"));
    }

    @Test
    void removingAFileChangesEveryLaterLine() {
        HashFile before = unsummed("1_a.sql", "A;", "2_b.sql", "B;", "3_c.sql", "C;").computeSum();
        HashFile after = unsummed("1_a.sql", "A;", "3_c.sql", "C;").computeSum();

        assertThat(after.entries()).hasSize(2);
        assertThat(after.hashOf("1_a.sql")).isEqualTo(before.hashOf("1_a.sql"));
        assertThat(after.hashOf("3_c.sql")).isNotEqualTo(before.hashOf("3_c.sql"));
    }

    @Test
    void anEmptyDirectoryHasOnlyTheTotalOfNothing() {
        HashFile sum = HashFile.compute(List.of());

        assertThat(text(sum.toBytes())).isEqualTo("h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
        assertThat(HashFile.parse(sum.toBytes())).isEqualTo(sum);
    }

    @Test
    void parsingRefusesASumWhoseLineWasEditedByHand() {
        String tampered = GOLDEN.replace("1_initial.up.sql h1:hF", "1_initial.up.sql h1:XX");

        assertThatThrownBy(() -> HashFile.parse(utf8(tampered)))
                .isInstanceOf(FlotillaException.class)
                .hasMessageStartingWith("checksum mismatch")
                .hasMessageContaining("modified by hand")
                .hasMessageContaining("flotilla migrate hash")
                .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.CHECKSUM_MISMATCH);
    }

    @Test
    void parsingRefusesASumWhoseTotalWasEditedByHand() {
        String tampered = "foo" + GOLDEN.substring(3);

        assertThatThrownBy(() -> HashFile.parse(utf8(tampered)))
                .isInstanceOf(FlotillaException.class)
                .hasMessageStartingWith("checksum mismatch");
    }

    @Test
    void parsingRefusesALineWithoutAHash() {
        assertThatThrownBy(() -> HashFile.parse(utf8(GOLDEN + "foo")))
                .isInstanceOf(FlotillaException.class)
                .hasMessageContaining("line 4")
                .hasMessageContaining("\"foo\"")
                .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.CHECKSUM_MISMATCH);
    }

    @Test
    void parsingAcceptsCrLfLineEndsAndSpacesAroundNamesAsAtlasDoes() {
        String crlf = GOLDEN.replace("\n", "\r\n").replace("1_initial.up.sql h1:", "1_initial.up.sql   h1:");

        assertThat(HashFile.parse(utf8(crlf)).toBytes()).isEqualTo(utf8(GOLDEN));
    }

    @Test
    void aComputedSumEqualsTheSumParsedFromItsBytes() {
        HashFile sum = summed("1_a.sql", "A;", "2_b.sql", "B;").computeSum();

        assertThat(HashFile.parse(sum.toBytes())).isEqualTo(sum).hasSameHashCodeAs(sum);
        assertThat(sum.toString()).isEqualTo(text(sum.toBytes()));
    }
}
