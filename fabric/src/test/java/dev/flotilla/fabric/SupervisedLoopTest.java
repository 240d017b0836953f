package dev.flotilla.fabric;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A background loop that dies is reported DOWN and started again; stopping ends it. */
class SupervisedLoopTest {
    @Test
    void aRunThatFailsIsReportedDownAndStartedAgainUntilOneWorks() {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        SupervisedLoop loop = SupervisedLoop.start("test-loop", l -> {
            if (runs.incrementAndGet() < 3) {
                l.up();
                throw new IllegalStateException("the store went away (run " + runs.get() + ")");
            }
            l.up();
            while (l.running()) {
                release.await(10, TimeUnit.MILLISECONDS);
            }
        });
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> runs.get() == 3 && loop.isUp());
            assertThat(loop.restarts()).isEqualTo(2);
            assertThat(loop.lastFailure()).contains("the store went away (run 2)");
        } finally {
            loop.stop(Duration.ofSeconds(10));
        }
        assertThat(loop.isUp()).isFalse();
    }

    @Test
    void anErrorDoesNotEndTheLoopForGood() {
        AtomicInteger runs = new AtomicInteger();
        SupervisedLoop loop = SupervisedLoop.start("test-loop-error", l -> {
            if (runs.incrementAndGet() == 1) {
                throw new StackOverflowError("deep");
            }
            l.up();
            while (l.running()) {
                Thread.onSpinWait();
            }
        });
        try {
            await().atMost(Duration.ofSeconds(20)).until(loop::isUp);
            assertThat(runs.get()).isEqualTo(2);
        } finally {
            loop.stop(Duration.ofSeconds(10));
        }
    }

    @Test
    void aBodyThatCannotWorkReportsDownWithoutEndingAndStopWakesABlockedBody() throws Exception {
        CountDownLatch woken = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        SupervisedLoop loop = SupervisedLoop.start("test-loop-blocked", l -> {
            l.onStop(woken::countDown);
            l.down("the views are unreachable");
            blocked.countDown();
            woken.await();
        });
        assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(loop.isUp()).isFalse();
        assertThat(loop.lastFailure()).isEqualTo("the views are unreachable");

        loop.stop(Duration.ofSeconds(10));

        assertThat(woken.getCount()).isZero();
        assertThat(loop.restarts()).isZero();
    }
}
