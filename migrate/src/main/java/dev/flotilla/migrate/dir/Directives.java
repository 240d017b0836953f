package dev.flotilla.migrate.dir;

/**
 * The {@code -- atlas:<name> [args]} directives of one migration file, read with Atlas' rules
 * (see {@link MigrationFile#directives()}).
 *
 * @param txMode        {@code atlas:txmode} ({@link TxMode#NONE} or {@link TxMode#FILE}); null when the
 *                      file does not set it and the global mode applies
 * @param sumIgnore     the first line is {@code atlas:sum ignore}: the file's content is left out of
 *                      {@code atlas.sum} (its name still counts)
 * @param delimiter     the statement delimiter set by a first line {@code -- atlas:delimiter <d>},
 *                      with {@code \n}, {@code \r} and {@code \t} already unescaped; null when not set
 *                      (statements then end at {@code ;}). The directive line itself is not SQL.
 * @param sensitive     {@code atlas:sensitive}: statements must not be logged
 * @param checkpoint    {@code atlas:checkpoint}: the file holds the whole schema up to this point
 * @param checkpointTag the argument of {@code atlas:checkpoint}; null when absent or not a checkpoint
 */
public record Directives(TxMode txMode, boolean sumIgnore, String delimiter, boolean sensitive,
        boolean checkpoint, String checkpointTag) {

    /** A file without any directive. */
    static final Directives NONE = new Directives(null, false, null, false, false, null);
}
