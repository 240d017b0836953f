package dev.flotilla.worker;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

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
        CompletableFuture<CommandQueue.Entry<String>> taker = CompletableFuture.supplyAsync(() -> {
            try {
                return q.take();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        q.close();

        assertThat(taker.get(10, TimeUnit.SECONDS)).isNull();
    }
}
