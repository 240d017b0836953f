package dev.flotilla.coordinator;

import dev.flotilla.protocol.avro.DirectoryPushed;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Tags follow the most recent push, whatever order the pushes are announced in. */
class DirectoryIndexTest {
    private static final Instant T0 = Instant.parse("2025-06-01T10:00:00Z");

    private final DirectoryIndex index = new DirectoryIndex();

    @Test
    void aPushAnnouncedAfterALaterOneMovesNeitherItsTagNorLatestBack() {
        DirectoryIndex.Moved v2 = index.pushed(push("v2", "b".repeat(64), T0.plusSeconds(10)));
        DirectoryIndex.Moved lateV1 = index.pushed(push("v1", "a".repeat(64), T0));

        assertThat(v2).isEqualTo(new DirectoryIndex.Moved(true, true));
        assertThat(lateV1).as("its own tag is new, latest stays").isEqualTo(new DirectoryIndex.Moved(true, false));
        assertThat(index.find("app", null)).hasValueSatisfying(v -> assertThat(v.versionId()).isEqualTo("b".repeat(64)));
        assertThat(index.find("app", "v1")).hasValueSatisfying(v -> assertThat(v.versionId()).isEqualTo("a".repeat(64)));

        DirectoryIndex.Moved staleV2 = index.pushed(push("v2", "c".repeat(64), T0.plusSeconds(5)));
        assertThat(staleV2).isEqualTo(new DirectoryIndex.Moved(false, false));
        assertThat(index.find("app", "v2")).hasValueSatisfying(v -> assertThat(v.versionId()).isEqualTo("b".repeat(64)));
    }

    @Test
    void pushesInOrderMoveTheirTagAndLatest() {
        index.pushed(push("v1", "a".repeat(64), T0));
        DirectoryIndex.Moved v2 = index.pushed(push("v2", "b".repeat(64), T0.plusSeconds(1)));

        assertThat(v2).isEqualTo(new DirectoryIndex.Moved(true, true));
        assertThat(index.find("app", "latest")).hasValueSatisfying(v -> assertThat(v.tag()).isEqualTo("latest"));
        assertThat(index.find("app", null)).hasValueSatisfying(v -> assertThat(v.versionId()).isEqualTo("b".repeat(64)));
    }

    private static DirectoryPushed push(String tag, String versionId, Instant at) {
        return DirectoryPushed.newBuilder().setEventId(tag + "-" + at).setOccurredAt(at).setDirectory("app")
                .setTag(tag).setVersionId(versionId).setLatestVersion("1").setFileCount(1).setArchiveBytes(1).build();
    }
}
