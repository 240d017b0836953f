package dev.flotilla.fabric;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A service's background loop on a thread of its own name (the coordinator's push watcher, the
 * aggregator's consumer, the registry's outbox): it runs {@link Body#run} until stopped. If a run
 * ends with an exception, the loop is reported DOWN (a service's readiness includes it), waits
 * (doubling from 1 s up to {@link #MAX_BACKOFF}) and runs the body again, with new clients: a store
 * or broker that comes back is picked up without a restart of the process. A run reports itself UP
 * by calling {@link #up()} once it works (after its first successful poll, say).
 */
public final class SupervisedLoop {
    private static final Logger LOG = LoggerFactory.getLogger(SupervisedLoop.class);
    /** The longest wait between two runs. */
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** One run of the loop: sets itself up, loops while {@link SupervisedLoop#running()}, cleans up. */
    @FunctionalInterface
    public interface Body {
        void run(SupervisedLoop loop) throws Exception;
    }

    private final String name;
    private final Body body;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean up;
    private volatile String lastFailure;
    private volatile int restarts;
    private volatile Runnable wakeup = () -> { };

    private SupervisedLoop(String name, Body body) {
        this.name = name;
        this.body = body;
        this.thread = new Thread(this::supervise, name);
        this.thread.setDaemon(true);
    }

    /** Starts {@code body} on a new thread named {@code name}. */
    public static SupervisedLoop start(String name, Body body) {
        SupervisedLoop loop = new SupervisedLoop(name, body);
        loop.thread.start();
        return loop;
    }

    private void supervise() {
        long backoff = 1000;
        try {
            while (running) {
                try {
                    body.run(this);
                    return; // ended because it was stopped
                } catch (Exception | Error e) { // an Error would otherwise end the thread for good, silently
                    if (!running) {
                        return;
                    }
                    up = false;
                    lastFailure = e.toString();
                    restarts++;
                    LOG.error("{} failed; /health/ready reports it DOWN; starting it again in {} ms", name, backoff, e);
                }
                if (!pause(backoff)) {
                    return;
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
            }
        } finally {
            up = false;
            stopped.countDown();
        }
    }

    private boolean pause(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        BooleanSupplier due = () -> !running || System.nanoTime() >= deadline;
        synchronized (this) {
            while (!due.getAsBoolean()) {
                try {
                    wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return running;
    }

    /** Whether the body should go on; false once {@link #stop} was called. */
    public boolean running() {
        return running;
    }

    /** The body works: its service may report ready. */
    public void up() {
        up = true;
    }

    /** The body cannot do its work for now (it retries on its own): its service reports DOWN until {@link #up()}. */
    public void down(String why) {
        up = false;
        lastFailure = why;
    }

    /** Whether the last run has reported itself working and not failed since. */
    public boolean isUp() {
        return up;
    }

    /** How many times a run failed and was started again. */
    public int restarts() {
        return restarts;
    }

    /** The last failure, for readiness answers; null if none. */
    public String lastFailure() {
        return lastFailure;
    }

    /** How to wake the body from a blocking call (e.g. {@code consumer::wakeup}); set by each run. */
    public void onStop(Runnable wakeup) {
        this.wakeup = wakeup;
    }

    /** Stops the loop: wakes the body, waits for its run to end (at most {@code timeout}). */
    public void stop(Duration timeout) {
        running = false;
        synchronized (this) {
            notifyAll();
        }
        wakeup.run();
        try {
            stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The thread's name. */
    public String name() {
        return name;
    }
}
