package dev.flotilla.worker;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class CommandQueueTest {
    @Test
    void commandsComeOutInArrivalOrder() throws Exception {
        CommandQueue<String> q = new CommandQueue<>(8);
        q.add("a", "1");
        q.add("b", "2");
        q.add("c", "3");

        assertThat(q.take().command()).isEqualTo("1");
        assertThat(q.take().command()).isEqualTo("2");
        assertThat(q.take().command()).isEqualTo("3");
        assertThat(q.size()).isZero();
    }

    @Test
    void aFullServersCommandWaitsWhileOtherServersGoAheadAndGetsTheFreedSlotFirst() throws Exception {
        CommandQueue<String> q = new CommandQueue<>(1);
        q.add("pg1", "pg1-a");
        q.add("pg1", "pg1-b");
        q.add("pg2", "pg2-a");
        q.add("pg1", "pg1-c");

        CommandQueue.Entry<String> first = q.take();
        assertThat(first.command()).isEqualTo("pg1-a");
        assertThat(q.take().command()).as("pg1 is full: pg2 goes ahead").isEqualTo("pg2-a");
        q.add("pg3", "pg3-a");
        assertThat(q.take().command()).as("pg1's commands wait aside, in order").isEqualTo("pg3-a");

        q.done(first);

        assertThat(q.take().command()).as("pg1's oldest waiting command").isEqualTo("pg1-b");
        assertThat(q.size()).isEqualTo(1);
    }

    @Test
    void commandsOfRevokedPartitionsAreDroppedWhetherReadyOrWaiting() throws Exception {
        CommandQueue<String> q = new CommandQueue<>(1);
        q.add("pg1", "p0-a");
        q.add("pg1", "p1-a");
        q.add("pg2", "p1-b");
        q.add("pg2", "p0-b");
        CommandQueue.Entry<String> running = q.take();
        q.take(); // moves p1-a aside (pg1 is full) and hands out p1-b

        int dropped = q.removeIf(c -> c.startsWith("p1-"));

        assertThat(dropped).isEqualTo(1);
        assertThat(q.size()).isEqualTo(1);
        q.done(running);
        assertThat(q.size()).isEqualTo(1);
    }

    @Test
    void closingWakesTakersWithNull() throws Exception {
        CommandQueue<String> q = new CommandQueue<>(1);
        CompletableFuture<CommandQueue.Entry<String>> taken = new CompletableFuture<>();
        Thread taker = new Thread(() -> {
            try {
                taken.complete(q.take());
            } catch (InterruptedException e) {
                taken.completeExceptionally(e);
            }
        }, "command-queue-test-taker");
        taker.start();
        await("the taker blocks on the empty queue").atMost(Duration.ofSeconds(10))
                .until(() -> taker.getState() == Thread.State.WAITING);
        assertThat(taken).isNotDone();

        q.close();

        assertThat(taken.get(10, TimeUnit.SECONDS)).isNull();
        taker.join(10_000);
        assertThat(taker.isAlive()).isFalse();
    }

    @Test
    void takingFromAClosedQueueAnswersNullAtOnce() throws Exception {
        CommandQueue<String> q = new CommandQueue<>(1);
        q.add("pg1", "never taken");

        q.close();

        assertThat(q.take()).isNull();
    }

    @Test
    void aLanesCommandsRunOneAtATimeInOrderWhileOtherLanesGoAhead() throws Exception {
        CommandQueue<String> q = new CommandQueue<>(8);
        q.add("pg1", "set/wave/0", "t1");
        q.add("pg1", "set/wave/1", "t2");
        q.add("pg1", "set/wave/0", "t3");
        q.add("pg1", "set/wave/0", "t5");
        q.add("pg2", null, "t4");

        CommandQueue.Entry<String> t1 = q.take();
        assertThat(t1.command()).isEqualTo("t1");
        assertThat(q.take().command()).isEqualTo("t2");
        assertThat(q.take().command()).as("the group's two slots are taken: t3 and t5 wait, a command without a lane goes ahead")
                .isEqualTo("t4");
        assertThat(q.size()).isEqualTo(2);
        CompletableFuture<String> next = CompletableFuture.supplyAsync(() -> {
            try {
                return q.take().command();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> !next.isDone());

        q.done(t1);

        assertThat(next.get(10, TimeUnit.SECONDS)).as("the lane's next command, in order").isEqualTo("t3");
    }

    @Test
    void aLaneThatRunsOutLendsItsSlotToTheGroupsOtherLanesButNeverMoreThanTheLanesHeld() throws Exception {
        CommandQueue<String> q = new CommandQueue<>(8);
        q.add("pg1", "set/wave/0", "p0-a");
        q.add("pg1", "set/wave/1", "p1-a");
        q.add("pg1", "set/wave/0", "p0-b");
        q.add("pg1", "set/wave/0", "p0-c");
        q.add("pg1", "set/wave/0", "p0-d");
        q.add("pg1", "set/other/0", "o-a");

        CommandQueue.Entry<String> a = q.take();
        CommandQueue.Entry<String> b = q.take();
        assertThat(List.of(a.command(), b.command())).containsExactly("p0-a", "p1-a");
        CommandQueue.Entry<String> other = q.take();
        assertThat(other.command()).as("wave's 2 slots are taken; another group has its own").isEqualTo("o-a");
        assertThat(q.size()).isEqualTo(3);

        q.done(b); // lane 1 has nothing left: its slot goes to lane 0's next command
        CommandQueue.Entry<String> c = q.take();
        assertThat(c.command()).isEqualTo("p0-b");
        CompletableFuture<String> third = takeAsync(q);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> !third.isDone());

        q.done(a);
        assertThat(third.get(10, TimeUnit.SECONDS)).as("still two of the wave at once, never three").isEqualTo("p0-c");
        q.done(other);

        // Lane 1's partition goes to another worker: its slot goes with it, so the wave runs one at a time here.
        q.removeIf(cmd -> cmd.startsWith("p1-"));
        q.done(c);
        CompletableFuture<String> d = takeAsync(q);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> !d.isDone());
        assertThat(q.size()).isEqualTo(1);
    }

    @Test
    void aGroupsCommandsStartLowestIndexFirstWhicheverLaneWasReadFirst() throws Exception {
        CommandQueue<String> q = new CommandQueue<>(8);
        for (int i : new int[] {0, 2, 4}) {
            q.add("pg1", "set/wave/0", i, "t" + i); // lane 0's partition was read first
        }
        for (int i : new int[] {1, 3, 5}) {
            q.add("pg1", "set/wave/1", i, "t" + i);
        }

        CommandQueue.Entry<String> a = q.take();
        CommandQueue.Entry<String> b = q.take();
        assertThat(List.of(a.command(), b.command())).containsExactly("t0", "t1");
        q.done(a);
        q.done(b);
        CommandQueue.Entry<String> c = q.take();
        CommandQueue.Entry<String> d = q.take();
        assertThat(List.of(c.command(), d.command())).as("in the group's order, not lane by lane")
                .containsExactly("t2", "t3");
    }

    private static CompletableFuture<String> takeAsync(CommandQueue<String> q) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                CommandQueue.Entry<String> e = q.take();
                return e == null ? null : e.command();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aLaneHeldByADroppedCommandIsFreedForTheNextOne() throws Exception {
        CommandQueue<String> q = new CommandQueue<>(1);
        q.add("pg1", null, "other");
        CommandQueue.Entry<String> busy = q.take();
        q.add("pg1", "lane", "p1-a");
        q.add("pg2", "lane", "p0-b");
        q.add("pg3", null, "p0-c");
        // p1-a comes up, takes the lane and waits for pg1 (full); p0-b waits for the lane; p0-c goes.
        assertThat(q.take().command()).isEqualTo("p0-c");

        assertThat(q.removeIf(c -> c.startsWith("p1-"))).isEqualTo(1);

        assertThat(q.take().command()).as("the lane is free again: p0-b runs though pg1 is still busy")
                .isEqualTo("p0-b");
        q.done(busy);
    }
}
