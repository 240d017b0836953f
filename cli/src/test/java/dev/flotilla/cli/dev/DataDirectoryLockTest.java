package dev.flotilla.cli.dev;

import dev.flotilla.migrate.FlotillaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataDirectoryLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondHolderIsRefusedWithTheFirstOnesPidUntilItLetsGo() throws Exception {
        Path data = dir.resolve("data");
        try (DataDirectoryLock first = DataDirectoryLock.acquire(data)) {
            assertThat(Files.readString(data.resolve(DataDirectoryLock.FILE)))
                    .startsWith("pid " + ProcessHandle.current().pid() + ", started ");
            assertThatThrownBy(() -> DataDirectoryLock.acquire(data))
                    .isInstanceOf(FlotillaException.class)
                    .hasMessageContaining("the data directory " + data + " is in use by another 'flotilla dev'")
                    .hasMessageContaining("(pid " + ProcessHandle.current().pid() + ", started ")
                    .hasMessageContaining("give this one a --data-dir of its own");
        }
        try (DataDirectoryLock again = DataDirectoryLock.acquire(data)) {
            assertThat(again).isNotNull();
        }
    }

    @Test
    void aDataDirectoryThatIsAFileIsNamedInTheError() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        assertThatThrownBy(() -> DataDirectoryLock.acquire(file))
                .isInstanceOf(FlotillaException.class)
                .hasMessageContaining("cannot lock the data directory " + file);
    }
}
