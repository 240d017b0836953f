package dev.flotilla.migrate.dir;

import static dev.flotilla.migrate.dir.Dirs.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.migrate.ErrorCode;
import dev.flotilla.migrate.FlotillaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Directive rules as in Atlas' LocalFile.Directive, NewHashFile and Scanner.init (and their tests). */
class DirectivesTest {

    private static Directives of(String content) {
        return file("1_a.sql", content).directives();
    }

    @Test
    void aFileWithoutDirectivesHasNone() {
        assertThat(of("CREATE TABLE t(c int);\n")).isEqualTo(Directives.NONE);
        assertThat(of("")).isEqualTo(Directives.NONE);
    }

    @Test
    void readsTxmodeNoneFromTheDetachedTopCommentBlock() {
        assertThat(of("-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY i ON t(c);\n").txMode())
                .isEqualTo(TxMode.NONE);
    }

    @Test
    void readsTxmodeFile() {
        assertThat(of("-- atlas:txmode file\n\nSELECT 1;").txMode()).isEqualTo(TxMode.FILE);
    }

    @Test
    void readsADirectiveAmongOtherComments() {
        Directives directives = of("-- atlas:lint ignore\n-- atlas:txmode none\n\nALTER TABLE t DROP c;\n");

        assertThat(directives.txMode()).isEqualTo(TxMode.NONE);
    }

    @Test
    void aDirectiveAttachedToTheFirstStatementIsNotAFileDirective() {
        assertThat(of("-- atlas:txmode none\nCREATE INDEX CONCURRENTLY i ON t(c);\n").txMode()).isNull();
    }

    @Test
    void aBlankLineWithSpacesOrTabsStillSeparatesTheDirectives() {
        assertThat(of("-- atlas:txmode none\n \t\nSELECT 1;").txMode()).isEqualTo(TxMode.NONE);
    }

    @Test
    void aCommentsOnlyFileEndingInANewlineHasFileDirectives() {
        assertThat(of("-- atlas:txmode none\n").txMode()).isEqualTo(TxMode.NONE);
        assertThat(of("-- atlas:txmode none\n\n").txMode()).isEqualTo(TxMode.NONE);
    }

    @Test
    void aSingleDirectiveLineWithoutNewlineIsIgnoredAsInAtlas() {
        assertThat(of("-- atlas:txmode none").txMode()).isNull();
    }

    @Test
    void crLfFilesHaveNoFileDirectivesAsInAtlas() {
        assertThat(of("-- atlas:txmode none\r\n\r\nSELECT 1;").txMode()).isNull();
    }

    @Test
    void anIndentedCommentDoesNotStartTheDirectiveBlock() {
        assertThat(of("  -- atlas:txmode none\n\nSELECT 1;").txMode()).isNull();
    }

    @Test
    void hashCommentsAndTrailingSpacesAreAccepted() {
        assertThat(of("# atlas:txmode none   \n\nSELECT 1;").txMode()).isEqualTo(TxMode.NONE);
    }

    @Test
    void refusesAnUnknownTxmodeNamingTheFileAndValue() {
        assertThatThrownBy(() -> of("-- atlas:txmode never\n\nSELECT 1;"))
                .isInstanceOf(FlotillaException.class)
                .hasMessageContaining("\"1_a.sql\"")
                .hasMessageContaining("unknown atlas:txmode \"never\"")
                .hasMessageContaining("'-- atlas:txmode none'")
                .extracting(e -> ((FlotillaException) e).code()).isEqualTo(ErrorCode.DIRECTORY_INVALID);
    }

    @Test
    void refusesTxmodeAllInAFileAsAtlasDoes() {
        assertThatThrownBy(() -> of("-- atlas:txmode all\n\nSELECT 1;"))
                .isInstanceOf(FlotillaException.class)
                .hasMessageContaining("only allowed globally");
    }

    @Test
    void refusesTwoTxmodeDirectives() {
        assertThatThrownBy(() -> of("-- atlas:txmode none\n-- atlas:txmode file\n\nSELECT 1;"))
                .isInstanceOf(FlotillaException.class)
                .hasMessageContaining("sets atlas:txmode 2 times [none, file]");
    }

    @Test
    void readsTheDelimiterFromTheFirstLineWithoutABlankLine() {
        assertThat(of("-- atlas:delimiter //\nCREATE PROCEDURE p() BEGIN SELECT 1; END //").delimiter())
                .isEqualTo("//");
    }

    @Test
    void unescapesNewlinesAndTabsInTheDelimiter() {
        assertThat(of("-- atlas:delimiter \\n\\n\\t\nSELECT 1\n\n\t").delimiter()).isEqualTo("\n\n\t");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--atlas:delimiter //\nSELECT 1//", "# atlas:delimiter //\nSELECT 1//",
        "SELECT 1;\n-- atlas:delimiter //\n"})
    void theDelimiterNeedsTheExactPrefixOnTheFirstLine(String content) {
        assertThat(of(content).delimiter()).isNull();
    }

    @Test
    void refusesAnEmptyDelimiter() {
        assertThatThrownBy(() -> of("-- atlas:delimiter\nSELECT 1;"))
                .isInstanceOf(FlotillaException.class)
                .hasMessageContaining("\"1_a.sql\"")
                .hasMessageContaining("without a delimiter");
    }

    @Test
    void readsSensitive() {
        assertThat(of("-- atlas:sensitive\n\nINSERT INTO secrets VALUES ('x');").sensitive()).isTrue();
        assertThat(of("-- atlas:sensitive\nINSERT INTO secrets VALUES ('x');").sensitive()).isFalse();
    }

    @Test
    void readsACheckpointWithoutTag() {
        Directives directives = of("-- atlas:checkpoint\n\nCREATE TABLE t(c int);");

        assertThat(directives.checkpoint()).isTrue();
        assertThat(directives.checkpointTag()).isNull();
    }

    @Test
    void readsACheckpointTag() {
        Directives directives = of("-- atlas:checkpoint v1.2\n\nCREATE TABLE t(c int);");

        assertThat(directives.checkpoint()).isTrue();
        assertThat(directives.checkpointTag()).isEqualTo("v1.2");
    }

    @Test
    void aCheckpointAttachedToAStatementIsNotACheckpoint() {
        assertThat(of("-- atlas:checkpoint tag\nSELECT 1;").checkpoint()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"-- atlas:sum ignore\nINSERT INTO t VALUES (1);", "//atlas:sum ignore\nbar",
        "atlas:sum ignore", "-- atlas:sum ignore\n\nSELECT 1;"})
    void sumIgnoreOnlyNeedsToBeTheFirstLineWithAnyPrefix(String content) {
        assertThat(of(content).sumIgnore()).isTrue();
        assertThat(file("1_a.sql", content).sumIgnored()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"//atlas:sum\nfoo", "SELECT 1;\n-- atlas:sum ignore\n", "-- atlas:sum ignore \nx",
        "-- atlas:sum ignore\r\nx", "-- atlas:sum ignored\nx"})
    void sumIgnoreMustBeExactlyTheFirstLine(String content) {
        assertThat(of(content).sumIgnore()).isFalse();
        assertThat(file("1_a.sql", content).sumIgnored()).isFalse();
    }

    @Test
    void unknownDirectivesAreIgnored() {
        assertThat(of("-- atlas:nolint\n-- atlas:import foo.sql\n\nSELECT 1;")).isEqualTo(Directives.NONE);
    }

    @Test
    void parsesEveryAtlasTransactionMode() {
        assertThat(TxMode.parse("file")).isEqualTo(TxMode.FILE);
        assertThat(TxMode.parse("all")).isEqualTo(TxMode.ALL);
        assertThat(TxMode.parse("none")).isEqualTo(TxMode.NONE);
        assertThat(TxMode.NONE.value()).isEqualTo("none");
    }

    @Test
    void refusesAnUnknownTransactionModeListingTheValidOnes() {
        assertThatThrownBy(() -> TxMode.parse("NONE"))
                .isInstanceOf(FlotillaException.class)
                .hasMessage("unknown transaction mode \"NONE\": use one of none, file, all");
    }

    @Test
    void matchesAtlasDirectiveExamples() {
        // From Atlas' TestLocalFile_Directive.
        String content = "-- atlas:import foo\n-- atlas:import\n-- atlas:import bar baz\n-- atlas:import qux\n"
                + "-- atlas:import files_\uD83D\uDCC4\n\nalter table users drop column id;\n";

        assertThat(DirectiveParser.fileDirective(DirectiveParser.fileComments(content), "import"))
                .containsExactly("foo", "", "bar baz", "qux", "files_\uD83D\uDCC4");
        assertThat(DirectiveParser.fileComments("-- atlas:lint ignore\n\n")).containsExactly("-- atlas:lint ignore");
        assertThat(DirectiveParser.fileComments("-- atlas:lint ignore")).isEmpty();
    }
}
