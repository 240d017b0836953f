package dev.flotilla.worker;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The committed offset of a partition never passes a record still being applied. */
class OffsetTrackerTest {
    private final OffsetTracker<String> offsets = new OffsetTracker<>();

    @Test
    void nothingIsCommittableBeforeARecordFinishes() {
        offsets.started("p0", 10);
        offsets.started("p0", 11);

        assertThat(offsets.committable()).isEmpty();
        assertThat(offsets.inFlight()).isEqualTo(2);
    }

    @Test
    void aLaterRecordFinishingFirstDoesNotMoveThePastTheEarlierOneStillRunning() {
        offsets.started("p0", 10);
        offsets.started("p0", 11);
        offsets.started("p0", 12);

        offsets.done("p0", 12);
        offsets.done("p0", 11);

        assertThat(offsets.committable()).as("10 still runs: commit stops at it, so it is redelivered after a crash")
                .containsExactly(Map.entry("p0", 10L));

        offsets.done("p0", 10);

        assertThat(offsets.committable()).as("all done: the next offset to read").containsExactly(Map.entry("p0", 13L));
        assertThat(offsets.inFlight()).isZero();
    }

    @Test
    void theCommittedOffsetAdvancesWithTheOldestRecordStillRunning() {
        for (long o = 0; o < 5; o++) {
            offsets.started("p0", o);
        }
        offsets.done("p0", 0);
        offsets.done("p0", 3);

        assertThat(offsets.committable()).containsExactly(Map.entry("p0", 1L));

        offsets.done("p0", 1);
        offsets.done("p0", 2);

        assertThat(offsets.committable()).containsExactly(Map.entry("p0", 4L));
    }

    @Test
    void anOffsetIsOfferedOnlyOnceAfterItWasCommittedAndNeverGoesBack() {
        offsets.started("p0", 7);
        offsets.done("p0", 7);
        Map<String, Long> first = offsets.committable();
        offsets.committed(first);

        assertThat(offsets.committable()).as("nothing advanced").isEmpty();

        offsets.committed(Map.of("p0", 3L));
        assertThat(offsets.committable()).as("a late, older commit acknowledgement does not rewind").isEmpty();
    }

    @Test
    void partitionsAreTrackedApart() {
        offsets.started("p0", 5);
        offsets.started("p1", 40);
        offsets.started("p1", 41);

        offsets.done("p1", 41);
        offsets.done("p0", 5);

        assertThat(offsets.committable()).containsOnly(Map.entry("p0", 6L), Map.entry("p1", 40L));
    }

    @Test
    void aRevokedPartitionIsForgottenSoItsNextOwnerDecides() {
        offsets.started("p0", 1);
        offsets.started("p0", 2);
        offsets.done("p0", 2);

        offsets.revoked("p0");

        assertThat(offsets.committable()).isEmpty();
        assertThat(offsets.inFlight()).isZero();

        offsets.started("p0", 9);
        offsets.done("p0", 9);
        assertThat(offsets.committable()).as("reassigned later: starts afresh").containsExactly(Map.entry("p0", 10L));
    }
}
